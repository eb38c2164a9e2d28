package ghfake_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/tokenyield/tokenyield/internal/ghfake"
)

// recordingTB captures Errorf instead of failing, to test that the fake
// fails tests.
type recordingTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

// do sends one request to the fake and returns status, headers and body.
func do(t *testing.T, s *ghfake.Server, method, path, accept, body string) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(data)
}

// TestUnexpectedRequestsFail: anything the test did not set up fails the
// test, naming the method and path.
func TestUnexpectedRequestsFail(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantErr                  string
	}{
		{"unknown route", "GET", "/user", "", 404, "unexpected request GET /user: no such route"},
		{"wrong method", "PUT", "/repos/o/r/pulls/1", "", 404, "unexpected request PUT /repos/o/r/pulls/1"},
		{"pull request not set", "GET", "/repos/o/r/pulls/2", "", 404, "unexpected request GET /repos/o/r/pulls/2: no such pull request"},
		{"commits of a missing pull request", "GET", "/repos/o/r/pulls/2/commits?page=2", "", 404, "unexpected request GET /repos/o/r/pulls/2/commits?page=2"},
		{"other repository", "GET", "/repos/x/y/pulls/1", "", 404, "unexpected request GET /repos/x/y/pulls/1"},
		{"unknown comment", "PATCH", "/repos/o/r/issues/comments/99", `{"body":"x"}`, 404, "unexpected request PATCH /repos/o/r/issues/comments/99: no such comment"},
		{"unknown commit", "GET", "/repos/o/r/git/commits/" + ghfake.SHA("nope"), "", 404, "no such commit"},
		{"unknown tree", "GET", "/repos/o/r/git/trees/" + ghfake.SHA("nope"), "", 404, "no such tree"},
		{"unknown blob", "GET", "/repos/o/r/git/blobs/" + ghfake.SHA("nope"), "", 404, "no such blob"},
		{"pulls of an unknown commit", "GET", "/repos/o/r/commits/" + ghfake.SHA("nope") + "/pulls", "", 422, "no commit"},
		{"comment without body", "POST", "/repos/o/r/issues/1/comments", `{"text":"x"}`, 422, `invalid request POST /repos/o/r/issues/1/comments: "body" wasn't supplied.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			s := ghfake.New(rec)
			s.SetPR("o", "r", 1, ghfake.PR{})
			status, _, _ := do(t, s, tt.method, tt.path, "", tt.body)
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d", status, tt.wantStatus)
			}
			errs := rec.errors()
			if len(errs) != 1 || !strings.Contains(errs[0], tt.wantErr) {
				t.Errorf("test errors %q, want one containing %q", errs, tt.wantErr)
			}
		})
	}
}

// TestExpectedAnswersDoNotFail: GitHub's legitimate "no" answers are not
// test failures: a missing ref, a comment deleted meanwhile, canned
// responses, rate limits.
func TestExpectedAnswersDoNotFail(t *testing.T) {
	rec := &recordingTB{TB: t}
	s := ghfake.New(rec)
	s.SetPR("o", "r", 1, ghfake.PR{})
	id := s.AddComment("o", "r", 1, ghfake.Comment{Body: "x"})
	s.DeleteComment("o", "r", id)
	s.Respond("GET", "/repos/o/r/pulls/404", 404, map[string]any{"message": "Not Found"})
	s.RateLimit(ghfake.Secondary403, 1)
	checks := []struct {
		method, path string
		status       int
		bodyHas      string
	}{
		{"GET", "/repos/o/r/pulls/1", 403, "abuse detection"},
		{"GET", "/repos/o/r/git/ref/notes/tokenyield", 404, `"documentation_url": "https://docs.github.com/rest/git/refs#get-a-reference"`},
		{"DELETE", fmt.Sprintf("/repos/o/r/issues/comments/%d", id), 404, "Not Found"},
		{"GET", "/repos/o/r/pulls/404", 404, "Not Found"},
	}
	for _, c := range checks {
		status, _, body := do(t, s, c.method, c.path, "", "")
		if status != c.status || !strings.Contains(body, c.bodyHas) {
			t.Errorf("%s %s: %d %s", c.method, c.path, status, body)
		}
	}
	if errs := rec.errors(); len(errs) != 0 {
		t.Errorf("test failed by expected answers: %q", errs)
	}
}

func TestRequireToken(t *testing.T) {
	rec := &recordingTB{TB: t}
	s := ghfake.New(rec)
	s.RequireToken("secret")
	s.SetPR("o", "r", 1, ghfake.PR{})
	status, _, body := do(t, s, "GET", "/repos/o/r/pulls/1", "", "")
	if status != 401 || !strings.Contains(body, "Bad credentials") || len(rec.errors()) != 1 {
		t.Errorf("%d %s %q", status, body, rec.errors())
	}
}

// TestPagination pins the Link header: GitHub's rel names, per_page
// default 30 and cap 100, an empty array past the end.
func TestPagination(t *testing.T) {
	s := ghfake.New(t)
	s.SetPR("o", "r", 1, ghfake.PR{})
	for i := range 65 {
		s.AddReviews("o", "r", 1, ghfake.Review{User: fmt.Sprint("u", i)})
	}
	base := s.URL() + "/repos/o/r/pulls/1/reviews"
	tests := []struct {
		query    string
		wantN    int
		wantLink string
	}{
		{"", 30, `<BASE?page=2>; rel="next", <BASE?page=3>; rel="last"`},
		{"?page=2", 30, `<BASE?page=1>; rel="prev", <BASE?page=3>; rel="next", <BASE?page=3>; rel="last", <BASE?page=1>; rel="first"`},
		{"?page=3", 5, `<BASE?page=2>; rel="prev", <BASE?page=1>; rel="first"`},
		{"?page=4", 0, `<BASE?page=3>; rel="prev", <BASE?page=1>; rel="first"`},
		{"?per_page=100", 65, ``},
		{"?per_page=500", 65, ``},
		{"?per_page=50&page=2", 15, `<BASE?page=1&per_page=50>; rel="prev", <BASE?page=1&per_page=50>; rel="first"`},
		{"?per_page=0", 30, `<BASE?page=2&per_page=0>; rel="next", <BASE?page=3&per_page=0>; rel="last"`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			status, h, body := do(t, s, "GET", "/repos/o/r/pulls/1/reviews"+tt.query, "", "")
			var items []map[string]any
			if err := json.Unmarshal([]byte(body), &items); err != nil || status != 200 {
				t.Fatalf("%d %v %s", status, err, body)
			}
			if len(items) != tt.wantN || items == nil {
				t.Errorf("%d items (nil=%v), want %d", len(items), items == nil, tt.wantN)
			}
			if want := strings.ReplaceAll(tt.wantLink, "BASE", base); h.Get("Link") != want {
				t.Errorf("Link:\n got %s\nwant %s", h.Get("Link"), want)
			}
		})
	}
}

// TestCaps: the lists stop at 250 commits and 3000 files while the pull
// request reports the true counts.
func TestCaps(t *testing.T) {
	s := ghfake.New(t)
	s.SetPR("o", "r", 1, ghfake.PR{})
	for i := range 260 {
		s.AddCommits("o", "r", 1, ghfake.Commit{Message: fmt.Sprint("c", i)})
	}
	for i := range 3010 {
		s.AddFiles("o", "r", 1, ghfake.File{Name: fmt.Sprint("f", i), Additions: 1})
	}
	count := func(path string) int {
		n := 0
		for page := 1; ; page++ {
			_, _, body := do(t, s, "GET", fmt.Sprintf("%s?per_page=100&page=%d", path, page), "", "")
			var items []any
			if err := json.Unmarshal([]byte(body), &items); err != nil {
				t.Fatal(err)
			}
			if len(items) == 0 {
				return n
			}
			n += len(items)
		}
	}
	if n := count("/repos/o/r/pulls/1/commits"); n != ghfake.MaxPRCommits {
		t.Errorf("%d commits listed", n)
	}
	if n := count("/repos/o/r/pulls/1/files"); n != ghfake.MaxPRFiles {
		t.Errorf("%d files listed", n)
	}
	_, _, body := do(t, s, "GET", "/repos/o/r/pulls/1", "", "")
	var pr github.PullRequest
	if err := json.Unmarshal([]byte(body), &pr); err != nil {
		t.Fatal(err)
	}
	if pr.GetCommits() != 260 || pr.GetChangedFiles() != 3010 || pr.GetAdditions() != 3010 {
		t.Errorf("pull request counts %d %d %d", pr.GetCommits(), pr.GetChangedFiles(), pr.GetAdditions())
	}
}

// TestRateLimitAnswers: each injected kind has GitHub's status, headers and
// body, and go-github v60 classifies it as documented in the reference
// (429 is not recognised: a plain *ErrorResponse).
func TestRateLimitAnswers(t *testing.T) {
	tests := []struct {
		kind          ghfake.Limit
		status        int
		remaining     string
		retryAfter    string
		bodyHas       string
		goGitHubError string
	}{
		{ghfake.Primary403, 403, "0", "", "API rate limit exceeded", "*github.RateLimitError"},
		{ghfake.Primary429, 429, "0", "", "API rate limit exceeded for installation", "*github.ErrorResponse"},
		{ghfake.Secondary403, 403, "5000", "", "abuse detection mechanism", "*github.AbuseRateLimitError"},
		{ghfake.Secondary403RetryAfter, 403, "5000", "123", "abuse detection mechanism", "*github.AbuseRateLimitError"},
		{ghfake.Secondary429, 429, "5000", "", "abuse detection mechanism", "*github.ErrorResponse"},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			s := ghfake.New(t)
			s.SetPR("o", "r", 1, ghfake.PR{})
			s.RateLimit(tt.kind, 1)
			gh := github.NewClient(s.Client())
			gh.BaseURL, _ = gh.BaseURL.Parse(s.URL() + "/")
			_, resp, err := gh.PullRequests.Get(t.Context(), "o", "r", 1)
			if resp == nil || resp.StatusCode != tt.status {
				t.Fatalf("resp %v err %v", resp, err)
			}
			h := resp.Header
			if h.Get("X-RateLimit-Remaining") != tt.remaining || h.Get("Retry-After") != tt.retryAfter {
				t.Errorf("headers remaining=%q retry-after=%q", h.Get("X-RateLimit-Remaining"), h.Get("Retry-After"))
			}
			if tt.remaining == "0" {
				reset := resp.Rate.Reset.Time
				if d := reset.Sub(s.Clock().Now()); d != 30*time.Second {
					t.Errorf("reset %v ahead, want 30s", d)
				}
			}
			if got := fmt.Sprintf("%T", err); got != tt.goGitHubError {
				t.Errorf("go-github error %s, want %s", got, tt.goGitHubError)
			}
			if !strings.Contains(err.Error(), tt.bodyHas) {
				t.Errorf("error %v lacks %q", err, tt.bodyHas)
			}
			// The fault is used up: the next request succeeds (from a fresh
			// client: go-github v60 would refuse it from memory, and for a
			// secondary 403 without Retry-After it takes the primary
			// quota's reset, an hour away, as the wait).
			fresh := github.NewClient(s.Client())
			fresh.BaseURL = gh.BaseURL
			if _, _, err := fresh.PullRequests.Get(t.Context(), "o", "r", 1); err != nil {
				t.Errorf("second request: %v", err)
			}
		})
	}
}

// TestQuota: the quota counts requests, refuses them once used up, and
// starts over when the clock passes the reset; /rate_limit is free.
func TestQuota(t *testing.T) {
	s := ghfake.New(t)
	s.SetPR("o", "r", 1, ghfake.PR{})
	s.SetQuota(10, 2, time.Minute)
	steps := []struct {
		path      string
		status    int
		remaining string
		advance   time.Duration
	}{
		{"/repos/o/r/pulls/1", 200, "1", 0},
		{"/rate_limit", 200, "1", 0},
		{"/repos/o/r/pulls/1", 200, "0", 0},
		{"/repos/o/r/pulls/1", 403, "0", 0},
		{"/rate_limit", 200, "0", time.Minute},
		{"/repos/o/r/pulls/1", 200, "9", 0},
	}
	for i, st := range steps {
		status, h, body := do(t, s, "GET", st.path, "", "")
		if status != st.status || h.Get("X-RateLimit-Remaining") != st.remaining {
			t.Errorf("step %d %s: %d remaining %s: %.80s", i, st.path, status, h.Get("X-RateLimit-Remaining"), body)
		}
		s.Clock().Advance(st.advance)
	}
	_, _, body := do(t, s, "GET", "/rate_limit", "", "")
	var rl struct {
		Resources struct {
			Core github.Rate `json:"core"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(body), &rl); err != nil || rl.Resources.Core.Limit != 10 || rl.Resources.Core.Remaining != 9 {
		t.Errorf("rate_limit %s (%v)", body, err)
	}
}

// TestWrites: comments are created as github-actions[bot], edited and
// deleted; ReadOnly and the length limit refuse writes with GitHub's
// bodies.
func TestWrites(t *testing.T) {
	s := ghfake.New(t)
	s.SetPR("o", "r", 1, ghfake.PR{})
	status, h, body := do(t, s, "POST", "/repos/o/r/issues/1/comments", "", `{"body":"hi @team"}`)
	var c github.IssueComment
	if err := json.Unmarshal([]byte(body), &c); err != nil || status != 201 {
		t.Fatalf("%d %s", status, body)
	}
	if c.GetUser().GetLogin() != "github-actions[bot]" || c.GetUser().GetType() != "Bot" || c.GetBody() != "hi @team" ||
		h.Get("Location") != c.GetURL() || !strings.HasPrefix(c.GetURL(), s.URL()+"/repos/o/r/issues/comments/") {
		t.Errorf("created %+v, Location %q", c, h.Get("Location"))
	}
	path := fmt.Sprintf("/repos/o/r/issues/comments/%d", c.GetID())
	if status, _, _ := do(t, s, "PATCH", path, "", `{"body":"edited"}`); status != 200 {
		t.Errorf("PATCH %d", status)
	}
	if got := s.Comments("o", "r", 1); len(got) != 1 || got[0].Body != "edited" || got[0].Edits != 1 {
		t.Errorf("comments %+v", got)
	}

	s.SetMaxCommentChars(5)
	status, _, body = do(t, s, "PATCH", path, "", `{"body":"ééééé"}`) // 5 characters, 10 bytes
	if status != 200 {
		t.Errorf("5 characters refused: %d %s", status, body)
	}
	status, _, body = do(t, s, "POST", "/repos/o/r/issues/1/comments", "", `{"body":"123456"}`)
	if status != 422 || !strings.Contains(body, "Body is too long (maximum is 65536 characters)") {
		t.Errorf("too long: %d %s", status, body)
	}

	s.ReadOnly()
	for _, m := range []string{"POST", "PATCH", "DELETE"} {
		p := path
		if m == "POST" {
			p = "/repos/o/r/issues/1/comments"
		}
		status, _, body := do(t, s, m, p, "", `{"body":"x"}`)
		if status != 403 || !strings.Contains(body, "Resource not accessible by integration") {
			t.Errorf("%s read-only: %d %s", m, status, body)
		}
	}
	if status, _, _ := do(t, s, "GET", "/repos/o/r/issues/1/comments", "", ""); status != 200 {
		t.Errorf("reads refused when read-only: %d", status)
	}
	if status, _, _ := do(t, s, "DELETE", path, "", ""); status != 403 || len(s.Comments("o", "r", 1)) != 1 {
		t.Errorf("delete while read-only: %d", status)
	}
}

// TestGitObjects: ids are git's, trees list in git's order, blobs come raw
// or as base64 with line breaks like GitHub's.
func TestGitObjects(t *testing.T) {
	s := ghfake.New(t)
	sha := ghfake.SHA("commit")
	commit := s.SetNotes("o", "r", "refs/notes/tokenyield", map[string][]byte{
		sha:             []byte("hello\n"),
		"zz/" + sha[2:]: []byte(strings.Repeat("long line ", 20)),
	})
	_, _, body := do(t, s, "GET", "/repos/o/r/git/ref/notes/tokenyield", "", "")
	var ref github.Reference
	if err := json.Unmarshal([]byte(body), &ref); err != nil || ref.GetRef() != "refs/notes/tokenyield" || ref.GetObject().GetSHA() != commit {
		t.Fatalf("ref %s", body)
	}
	_, _, body = do(t, s, "GET", "/repos/o/r/git/commits/"+commit, "", "")
	var gc github.Commit
	if err := json.Unmarshal([]byte(body), &gc); err != nil {
		t.Fatal(err)
	}
	_, _, body = do(t, s, "GET", "/repos/o/r/git/trees/"+gc.GetTree().GetSHA()+"?recursive=1", "", "")
	var tree github.Tree
	if err := json.Unmarshal([]byte(body), &tree); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range tree.Entries {
		paths = append(paths, e.GetType()+" "+e.GetPath())
	}
	want := []string{"blob " + sha, "tree zz", "blob zz/" + sha[2:]}
	if strings.Join(paths, ",") != strings.Join(want, ",") || tree.GetTruncated() {
		t.Errorf("tree %v truncated=%v", paths, tree.GetTruncated())
	}
	// "hello\n" has git's well-known blob id.
	if id := tree.Entries[0].GetSHA(); id != "ce013625030ba8dba906f756967f9e9ca394464a" || tree.Entries[0].GetSize() != 6 {
		t.Errorf("blob id %s size %d", id, tree.Entries[0].GetSize())
	}
	_, h, raw := do(t, s, "GET", "/repos/o/r/git/blobs/ce013625030ba8dba906f756967f9e9ca394464a", "application/vnd.github.v3.raw", "")
	if raw != "hello\n" || !strings.HasPrefix(h.Get("Content-Type"), "application/vnd.github.raw") {
		t.Errorf("raw blob %q %s", raw, h.Get("Content-Type"))
	}
	long := tree.Entries[2].GetSHA()
	_, _, body = do(t, s, "GET", "/repos/o/r/git/blobs/"+long, "", "")
	var blob github.Blob
	if err := json.Unmarshal([]byte(body), &blob); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(blob.GetContent(), "\n") || blob.GetEncoding() != "base64" {
		t.Errorf("base64 content not in lines: %q", blob.GetContent())
	}
	dec, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(blob.GetContent(), "\n", ""))
	if err != nil || string(dec) != strings.Repeat("long line ", 20) {
		t.Errorf("decoded %q %v", dec, err)
	}
}

// TestTruncatedTree: the recursive listing is cut in half and flagged;
// the plain listing stays whole.
func TestTruncatedTree(t *testing.T) {
	s := ghfake.New(t)
	notes := map[string][]byte{}
	for i := range 8 {
		notes[ghfake.SHA(fmt.Sprint(i))] = []byte{byte('a' + i)}
	}
	commit := s.SetNotes("o", "r", "refs/notes/x", notes, ghfake.FanOut(1), ghfake.TruncatedTree())
	_, _, body := do(t, s, "GET", "/repos/o/r/git/commits/"+commit, "", "")
	var gc github.Commit
	if err := json.Unmarshal([]byte(body), &gc); err != nil {
		t.Fatal(err)
	}
	root := gc.GetTree().GetSHA()
	for _, tt := range []struct {
		query     string
		n         int
		truncated bool
	}{{"?recursive=1", 8, true}, {"?recursive=0", 8, true}, {"", 8, false}} {
		_, _, body := do(t, s, "GET", "/repos/o/r/git/trees/"+root+tt.query, "", "")
		var tree github.Tree
		if err := json.Unmarshal([]byte(body), &tree); err != nil {
			t.Fatal(err)
		}
		if len(tree.Entries) != tt.n || tree.GetTruncated() != tt.truncated {
			t.Errorf("%q: %d entries truncated=%v, want %d %v", tt.query, len(tree.Entries), tree.GetTruncated(), tt.n, tt.truncated)
		}
	}
}

// TestExamplePayloads: responses keep the official example's fields and
// point their URLs at the fake.
func TestExamplePayloads(t *testing.T) {
	s := ghfake.New(t)
	s.SetPR("o", "r", 5, ghfake.PR{Extra: map[string]any{"labels": []any{map[string]any{"name": "ai"}}, "head": map[string]any{"label": "fork:branch"}}})
	_, _, body := do(t, s, "GET", "/repos/o/r/pulls/5", "", "")
	var pr map[string]any
	if err := json.Unmarshal([]byte(body), &pr); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"mergeable_state", "requested_reviewers", "_links", "author_association", "auto_merge"} {
		if _, ok := pr[k]; !ok {
			t.Errorf("field %s of the example lost", k)
		}
	}
	if strings.Contains(body, "api.github.com") || strings.Contains(body, "1347") || strings.Contains(body, "octocat/Hello-World") {
		t.Errorf("example URLs not rewritten: %.300s", body)
	}
	if pr["url"] != s.URL()+"/repos/o/r/pulls/5" {
		t.Errorf("url %v", pr["url"])
	}
	head := pr["head"].(map[string]any)
	if head["label"] != "fork:branch" || head["ref"] != "feature" {
		t.Errorf("Extra not deep-merged: %v", head)
	}
	if labels := pr["labels"].([]any); len(labels) != 1 {
		t.Errorf("labels %v", labels)
	}
}

// TestOnNextAndRequests: a hook runs once before the matching request,
// and the log records every request.
func TestOnNextAndRequests(t *testing.T) {
	s := ghfake.New(t)
	s.SetPR("o", "r", 1, ghfake.PR{Title: "before"})
	s.OnNext("GET", "/repos/o/r/pulls/1", func() { s.SetPR("o", "r", 1, ghfake.PR{Title: "after"}) })
	for range 2 {
		_, _, body := do(t, s, "GET", "/repos/o/r/pulls/1", "", "")
		if !strings.Contains(body, `"title":"after"`) {
			t.Errorf("hook did not run first: %.200s", body)
		}
	}
	do(t, s, "GET", "/rate_limit", "", "")
	got := s.Requests()
	if len(got) != 3 || got[0].String() != "GET /repos/o/r/pulls/1 -> 200" || got[2].Path != "/rate_limit" {
		t.Errorf("requests %v", got)
	}
	if s.Count("GET", "/repos/") != 2 || s.Count("", "/rate") != 1 || s.Count("POST", "") != 0 {
		t.Error("Count")
	}
}

// TestClock: Sleep advances and records, and honours a done context.
func TestClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := ghfake.NewClock(start)
	if err := c.Sleep(t.Context(), time.Minute); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Second)
	if !c.Now().Equal(start.Add(61*time.Second)) || len(c.Slept()) != 1 {
		t.Errorf("now %v slept %v", c.Now(), c.Slept())
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := c.Sleep(ctx, time.Hour); !errors.Is(err, ctx.Err()) || err == nil {
		t.Errorf("err %v", err)
	}
}
