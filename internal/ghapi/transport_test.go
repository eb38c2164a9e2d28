package ghapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// TestClassifyLimit applies GitHub's retry rules to answers by status,
// headers and body.
func TestClassifyLimit(t *testing.T) {
	reset := strconv.FormatInt(t0.Add(90*time.Second).Unix(), 10)
	secondaryDoc := "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
	tests := []struct {
		name     string
		status   int
		headers  map[string]string
		message  string
		docURL   string
		backoffs int
		ok       bool
		kind     LimitKind
		wait     time.Duration
	}{
		{name: "primary 403", status: 403, headers: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, ok: true, kind: Primary, wait: 91 * time.Second},
		{name: "primary 429", status: 429, headers: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, ok: true, kind: Primary, wait: 91 * time.Second},
		{name: "primary, reset passed", status: 403, headers: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1372700873"}, ok: true, kind: Primary, wait: time.Second},
		{name: "primary without reset", status: 403, headers: map[string]string{"X-RateLimit-Remaining": "0"}, ok: true, kind: Primary, wait: time.Minute},
		{name: "Retry-After wins over the reset", status: 403, headers: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset, "Retry-After": "5"}, ok: true, kind: Primary, wait: 5 * time.Second},
		{name: "secondary Retry-After", status: 403, headers: map[string]string{"Retry-After": "123"}, ok: true, kind: Secondary, wait: 123 * time.Second},
		{name: "secondary Retry-After date", status: 403, headers: map[string]string{"Retry-After": t0.Add(45 * time.Second).Format(http.TimeFormat)}, ok: true, kind: Secondary, wait: 45 * time.Second},
		{name: "secondary by doc URL", status: 403, headers: map[string]string{"X-RateLimit-Remaining": "4000"}, docURL: secondaryDoc, ok: true, kind: Secondary, wait: time.Minute},
		{name: "secondary by old doc URL", status: 403, docURL: "https://docs.github.com/en/rest/overview/resources-in-the-rest-api#abuse-rate-limits", ok: true, kind: Secondary, wait: time.Minute},
		{name: "secondary by message", status: 403, message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", ok: true, kind: Secondary, wait: time.Minute},
		{name: "secondary backoff doubles", status: 403, message: "You have triggered an abuse detection mechanism", backoffs: 2, ok: true, kind: Secondary, wait: 4 * time.Minute},
		{name: "bare 429", status: 429, ok: true, kind: Secondary, wait: time.Minute},
		{name: "read-only 403", status: 403, headers: map[string]string{"X-RateLimit-Remaining": "4999"}, message: "Resource not accessible by integration"},
		{name: "forbidden 403", status: 403, message: "Must have admin rights to Repository."},
		{name: "404", status: 404, headers: map[string]string{"X-RateLimit-Remaining": "0"}},
		{name: "bad Retry-After ignored", status: 403, headers: map[string]string{"Retry-After": "soon"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.headers {
				h.Set(k, v)
			}
			lim, ok := classifyLimit(tt.status, h, tt.message, tt.docURL, t0, tt.backoffs)
			if ok != tt.ok || lim.kind != tt.kind || lim.wait != tt.wait {
				t.Errorf("got ok=%v %v wait %v, want ok=%v %v wait %v", ok, lim.kind, lim.wait, tt.ok, tt.kind, tt.wait)
			}
		})
	}
}

// reply is one canned answer of a script.
type reply struct {
	status  int
	headers map[string]string
	body    string
}

// script is a RoundTripper answering from a list of canned replies and
// recording the request bodies it saw.
type script struct {
	answers []reply
	bodies  []string
}

func (s *script) RoundTrip(req *http.Request) (*http.Response, error) {
	body := ""
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		_ = req.Body.Close()
		body = string(b)
	}
	s.bodies = append(s.bodies, body)
	if len(s.bodies) > len(s.answers) {
		return nil, fmt.Errorf("unexpected request %d", len(s.bodies))
	}
	a := s.answers[len(s.bodies)-1]
	h := http.Header{}
	for k, v := range a.headers {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: a.status, Header: h, Body: io.NopCloser(strings.NewReader(a.body)), Request: req}, nil
}

// TestTransport checks retries at the HTTP level: which answers are
// retried, with what waits, and that the final answer (body included)
// reaches go-github intact.
func TestTransport(t *testing.T) {
	secondary := reply{403, nil, `{"message":"You have exceeded a secondary rate limit"}`}
	ok := reply{200, nil, `{"ok":true}`}
	tests := []struct {
		name       string
		method     string
		body       io.Reader // nil: no body
		noGetBody  bool
		answers    []reply
		wantStatus int
		wantBody   string
		wantSleeps []time.Duration
		wantSent   int
	}{
		{name: "GET 502 then ok", method: "GET", answers: []reply{{502, nil, "bad gateway"}, {503, nil, ""}, ok},
			wantStatus: 200, wantBody: `{"ok":true}`, wantSleeps: []time.Duration{time.Second, 2 * time.Second}, wantSent: 3},
		{name: "POST 502 not retried", method: "POST", body: strings.NewReader(`{"body":"x"}`), answers: []reply{{502, nil, "bad gateway"}},
			wantStatus: 502, wantBody: "bad gateway", wantSent: 1},
		{name: "POST secondary retried with its body", method: "POST", body: strings.NewReader(`{"body":"x"}`), answers: []reply{secondary, ok},
			wantStatus: 200, wantBody: `{"ok":true}`, wantSleeps: []time.Duration{time.Minute}, wantSent: 2},
		{name: "body that cannot be rewound", method: "POST", body: strings.NewReader(`{"body":"x"}`), noGetBody: true, answers: []reply{secondary},
			wantStatus: 403, wantBody: `{"message":"You have exceeded a secondary rate limit"}`, wantSent: 1},
		{name: "403 not a limit keeps its body", method: "PATCH", body: strings.NewReader(`{}`), answers: []reply{{403, nil, `{"message":"Resource not accessible by integration"}`}},
			wantStatus: 403, wantBody: `{"message":"Resource not accessible by integration"}`, wantSent: 1},
		{name: "retries exhausted: last answer returned", method: "GET", answers: []reply{secondary, secondary, secondary},
			wantStatus: 403, wantBody: `{"message":"You have exceeded a secondary rate limit"}`, wantSleeps: []time.Duration{time.Minute, 2 * time.Minute}, wantSent: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var slept []time.Duration
			p := &policy{
				sleep:      func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
				now:        func() time.Time { return t0 },
				maxRetries: 2,
				maxWait:    time.Hour,
			}
			sc := &script{answers: tt.answers}
			tr := &transport{base: sc, p: p}
			req, err := http.NewRequestWithContext(t.Context(), tt.method, "https://api.github.com/x", tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.noGetBody {
				req.GetBody = nil
			}
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || string(body) != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if fmt.Sprint(slept) != fmt.Sprint(tt.wantSleeps) {
				t.Errorf("sleeps %v, want %v", slept, tt.wantSleeps)
			}
			if len(sc.bodies) != tt.wantSent {
				t.Errorf("%d requests sent, want %d", len(sc.bodies), tt.wantSent)
			}
			if tt.body != nil {
				for i, b := range sc.bodies {
					if b != sc.bodies[0] || b == "" {
						t.Errorf("attempt %d sent body %q, first %q", i, b, sc.bodies[0])
					}
				}
			}
		})
	}
}

// TestTransportSleepCancelled: a cancelled context ends the wait with an
// error naming the request.
func TestTransportSleepCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	p := &policy{
		sleep:      func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() },
		now:        func() time.Time { return t0 },
		maxRetries: 3,
		maxWait:    time.Hour,
	}
	tr := &transport{base: &script{answers: []reply{{429, nil, ""}}}, p: p}
	req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.github.com/repos/o/r", nil)
	resp, err := tr.RoundTrip(req)
	if resp != nil {
		_ = resp.Body.Close()
	}
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "GET /repos/o/r") {
		t.Errorf("err = %v", err)
	}
}

// TestSleepContext: the default sleep returns early when the context ends.
func TestSleepContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	if err := sleepContext(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Error("slept despite the cancelled context")
	}
	if err := sleepContext(t.Context(), time.Millisecond); err != nil {
		t.Error(err)
	}
}

// TestBudget: take never lets the total exceed the budget.
func TestBudget(t *testing.T) {
	p := &policy{maxWait: 2 * time.Minute}
	steps := []struct {
		d    time.Duration
		want bool
	}{{time.Minute, true}, {90 * time.Second, false}, {time.Minute, true}, {time.Nanosecond, false}, {0, true}, {-time.Second, false}}
	for i, s := range steps {
		if got := p.take(s.d); got != s.want {
			t.Errorf("step %d take(%v) = %v", i, s.d, got)
		}
	}
	if spent, budget := p.waited(); spent != 2*time.Minute || budget != 2*time.Minute {
		t.Errorf("waited %v of %v", spent, budget)
	}
}
