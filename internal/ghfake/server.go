package ghfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is the fake GitHub. Create it with New; its setters and
// assertions are safe to call while requests are served.
type Server struct {
	t        testing.TB
	srv      *httptest.Server
	mux      *http.ServeMux
	clock    *Clock
	fixtures map[string]json.RawMessage

	mu        sync.Mutex
	repos     map[string]*repo // by "owner/repo"
	requests  []Request
	canned    map[string]cannedResponse // by "METHOD path"
	hooks     []hook
	faults    []Limit
	quota     quota
	token     string
	readOnly  bool
	maxChars  int
	commenter user
	nextID    int64
}

// Request is one request the fake received.
type Request struct {
	// Method and Path are the HTTP method and the URL path.
	Method, Path string
	// Query is the raw query string ("page=2&per_page=100").
	Query string
	// Status is the status code the fake answered.
	Status int
}

// String returns "GET /path?query -> 200".
func (r Request) String() string {
	q := ""
	if r.Query != "" {
		q = "?" + r.Query
	}
	return fmt.Sprintf("%s %s%s -> %d", r.Method, r.Path, q, r.Status)
}

type cannedResponse struct {
	status int
	body   []byte
}

type hook struct {
	method, path string
	fn           func()
}

type user struct {
	login, typ string
	id         int64
}

// New starts a fake GitHub for the test t and closes it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	fx, err := loadFixtures()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{
		t:         t,
		fixtures:  fx,
		clock:     NewClock(time.Now().UTC().Truncate(time.Second)),
		repos:     map[string]*repo{},
		canned:    map[string]cannedResponse{},
		maxChars:  MaxCommentChars,
		commenter: user{login: "github-actions[bot]", typ: "Bot", id: 41898282},
		nextID:    1000,
	}
	s.quota = quota{limit: 5000, remaining: 5000, reset: s.clock.Now().Add(time.Hour), exhausted: http.StatusForbidden}
	s.mux = http.NewServeMux()
	s.routes()
	s.srv = httptest.NewServer(s)
	t.Cleanup(s.srv.Close)
	return s
}

// URL returns the fake's API root, the value of GITHUB_API_URL
// ("http://127.0.0.1:port", no trailing slash).
func (s *Server) URL() string { return s.srv.URL }

// Clock returns the fake's clock.
func (s *Server) Clock() *Clock { return s.clock }

// Client returns an HTTP client for the fake (plain HTTP, no proxy).
func (s *Server) Client() *http.Client { return s.srv.Client() }

// RequireToken makes every request without "Authorization: Bearer token"
// fail the test with 401 Bad credentials.
func (s *Server) RequireToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// ReadOnly makes every write (POST, PATCH, PUT, DELETE) a 403 "Resource
// not accessible by integration", as for a fork pull request's token.
func (s *Server) ReadOnly() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readOnly = true
}

// Respond registers a canned answer for one exact method and path (no
// query): status and body (marshalled to JSON unless it is []byte). Such a
// request is expected: it does not fail the test whatever the status.
func (s *Server) Respond(method, path string, status int, body any) {
	s.t.Helper()
	data, ok := body.([]byte)
	if !ok {
		var err error
		if data, err = json.Marshal(body); err != nil {
			s.t.Fatalf("ghfake: Respond %s %s: %v", method, path, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.canned[method+" "+path] = cannedResponse{status: status, body: data}
}

// OnNext runs fn once, just before the next request with this method and
// exact path is handled (to simulate another run acting in between). fn
// may call the Server's setters.
func (s *Server) OnNext(method, path string, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, hook{method: method, path: path, fn: fn})
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests had this method (any when "") and a path
// starting with pathPrefix.
func (s *Server) Count(method, pathPrefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, pathPrefix) {
			n++
		}
	}
	return n
}

// ServeHTTP answers one request: log, checks, injected faults, quota, then
// the route's handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.runHook(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	// Logged before anything is written: a client may return as soon as it
	// has decoded the body, before this handler has returned.
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: http.StatusOK})
	rec := &recorder{ResponseWriter: w, status: &s.requests[len(s.requests)-1].Status}

	if s.token != "" && r.Header.Get("Authorization") != "Bearer "+s.token {
		s.t.Errorf("ghfake: %s %s without the expected token", r.Method, r.URL.Path)
		s.writeJSON(rec, http.StatusUnauthorized, object{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
		return
	}
	canned, isCanned := s.canned[r.Method+" "+r.URL.Path]
	if _, pattern := s.mux.Handler(r); pattern == "" && !isCanned {
		s.unexpected(rec, r, "no such route")
		return
	}
	if r.URL.Path == "/rate_limit" {
		s.serveRateLimit(rec)
		return
	}
	if s.limited(rec) {
		return
	}
	if s.readOnly && isWrite(r.Method) {
		s.writeFixture(rec, fxErrReadOnly)
		return
	}
	s.quota.remaining--
	s.rateHeaders(rec.Header())
	if isCanned {
		rec.Header().Set("Content-Type", "application/json; charset=utf-8")
		rec.WriteHeader(canned.status)
		_, _ = rec.Write(canned.body)
		return
	}
	s.mux.ServeHTTP(rec, r)
}

func (s *Server) runHook(r *http.Request) {
	s.mu.Lock()
	var fn func()
	for i, h := range s.hooks {
		if h.method == r.Method && h.path == r.URL.Path {
			fn = h.fn
			s.hooks = append(s.hooks[:i], s.hooks[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	if fn != nil {
		fn()
	}
}

// recorder writes the status into the request's log entry (the Server's
// lock is held while a request is handled).
type recorder struct {
	http.ResponseWriter
	status *int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		*r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

// unexpected fails the test and answers 404 with GitHub's body.
func (s *Server) unexpected(w http.ResponseWriter, r *http.Request, why string) {
	s.t.Errorf("ghfake: unexpected request %s %s: %s", r.Method, r.URL.RequestURI(), why)
	s.writeJSON(w, http.StatusNotFound, object{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
}

// invalid fails the test and answers 422.
func (s *Server) invalid(w http.ResponseWriter, r *http.Request, why string) {
	s.t.Errorf("ghfake: invalid request %s %s: %s", r.Method, r.URL.Path, why)
	s.writeJSON(w, http.StatusUnprocessableEntity, object{"message": "Invalid request.\n\n" + why, "documentation_url": "https://docs.github.com/rest"})
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		s.t.Errorf("ghfake: encode response: %v", err)
		status, data = http.StatusInternalServerError, []byte(`{"message":"ghfake encode error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// writeFixture answers with an error fixture's status, headers and body.
func (s *Server) writeFixture(w http.ResponseWriter, name string) {
	e := s.errorFixture(name)
	for k, v := range e.Headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(e.Body)
}

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// readBody decodes a JSON request body into v.
func readBody(r *http.Request, v any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	return dec.Decode(v)
}

// pathInt parses a numeric path segment.
func pathInt(r *http.Request, name string) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return n, err == nil && n > 0
}
