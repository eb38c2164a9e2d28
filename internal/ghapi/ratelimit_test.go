package ghapi_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/ghfake"
)

// TestRateLimitRetries drives one GET through every rate-limit answer
// GitHub gives. Nothing sleeps: the fake clock records the waits.
//
// Expected waits, from GitHub's rules (package doc): primary = until
// x-ratelimit-reset (the fake sets it 30 s ahead) + 1 s = 31 s; secondary
// with Retry-After = its value; secondary without = 60 s, then 120 s. The
// default budget is 2 minutes in total.
func TestRateLimitRetries(t *testing.T) {
	tests := []struct {
		name       string
		opts       []ghapi.Option
		setup      func(s *ghfake.Server)
		wantSleeps []time.Duration
		wantCalls  int // GET /pulls/7 requests that reached the fake
		wantErr    string
		wantKind   ghapi.LimitKind
	}{
		{
			name:       "primary 403",
			setup:      func(s *ghfake.Server) { s.RateLimit(ghfake.Primary403, 1) },
			wantSleeps: []time.Duration{31 * time.Second},
			wantCalls:  2,
		},
		{
			// go-github v60 turns this into a plain *ErrorResponse: only our transport retries it.
			name:       "primary 429",
			setup:      func(s *ghfake.Server) { s.RateLimit(ghfake.Primary429, 1) },
			wantSleeps: []time.Duration{31 * time.Second},
			wantCalls:  2,
		},
		{
			name: "secondary 403 with Retry-After",
			setup: func(s *ghfake.Server) {
				s.SetRetryAfter(20)
				s.RateLimit(ghfake.Secondary403RetryAfter, 2)
			},
			wantSleeps: []time.Duration{20 * time.Second, 20 * time.Second},
			wantCalls:  3,
		},
		{
			// The official example's Retry-After (123 s) does not fit in the
			// default 2-minute budget: fail at once rather than half-wait.
			name:      "secondary Retry-After over the budget",
			setup:     func(s *ghfake.Server) { s.RateLimit(ghfake.Secondary403RetryAfter, 1) },
			wantCalls: 1,
			wantErr:   "GitHub API secondary rate limit (HTTP 403); GitHub asks to retry after 2m3s; gave up after waiting 0s of the 2m0s budget",
			wantKind:  ghapi.Secondary,
		},
		{
			name:       "secondary Retry-After with a larger budget",
			opts:       []ghapi.Option{ghapi.WithMaxWait(5 * time.Minute)},
			setup:      func(s *ghfake.Server) { s.RateLimit(ghfake.Secondary403RetryAfter, 1) },
			wantSleeps: []time.Duration{123 * time.Second},
			wantCalls:  2,
		},
		{
			name:       "secondary 403 without Retry-After",
			setup:      func(s *ghfake.Server) { s.RateLimit(ghfake.Secondary403, 1) },
			wantSleeps: []time.Duration{time.Minute},
			wantCalls:  2,
		},
		{
			// 60 s spent, the next backoff (120 s) exceeds the 60 s left.
			name:       "secondary twice exhausts the budget",
			setup:      func(s *ghfake.Server) { s.RateLimit(ghfake.Secondary403, 2) },
			wantSleeps: []time.Duration{time.Minute},
			wantCalls:  2,
			wantErr:    "GitHub API secondary rate limit (HTTP 403); GitHub named no wait (retry in a minute or more); gave up after waiting 1m0s of the 2m0s budget",
			wantKind:   ghapi.Secondary,
		},
		{
			name:       "secondary backoff doubles",
			opts:       []ghapi.Option{ghapi.WithMaxWait(10 * time.Minute)},
			setup:      func(s *ghfake.Server) { s.RateLimit(ghfake.Secondary403, 3) },
			wantSleeps: []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute},
			wantCalls:  4,
		},
		{
			name:       "secondary 429",
			setup:      func(s *ghfake.Server) { s.RateLimit(ghfake.Secondary429, 1) },
			wantSleeps: []time.Duration{time.Minute},
			wantCalls:  2,
		},
		{
			name: "mixed kinds in a row",
			opts: []ghapi.Option{ghapi.WithMaxWait(10 * time.Minute)},
			setup: func(s *ghfake.Server) {
				s.RateLimit(ghfake.Primary429, 1)
				s.RateLimit(ghfake.Secondary403, 1)
				s.RateLimit(ghfake.Primary403, 1)
			},
			wantSleeps: []time.Duration{31 * time.Second, time.Minute, 31 * time.Second},
			wantCalls:  4,
		},
		{
			name:       "retries bounded",
			opts:       []ghapi.Option{ghapi.WithMaxRetries(1)},
			setup:      func(s *ghfake.Server) { s.RateLimit(ghfake.Primary429, 3) },
			wantSleeps: []time.Duration{31 * time.Second},
			wantCalls:  2,
			wantErr:    "GitHub API primary rate limit (HTTP 429); the limit resets at ",
			wantKind:   ghapi.Primary,
		},
		{
			name:      "no retries",
			opts:      []ghapi.Option{ghapi.WithMaxRetries(0)},
			setup:     func(s *ghfake.Server) { s.RateLimit(ghfake.Primary403, 1) },
			wantCalls: 1,
			wantErr:   "GitHub API primary rate limit (HTTP 403); the limit resets at ",
			wantKind:  ghapi.Primary,
		},
		{
			// The reset is an hour away: not worth starting to wait.
			name:      "primary reset beyond the budget",
			setup:     func(s *ghfake.Server) { s.SetPrimaryWait(time.Hour); s.RateLimit(ghfake.Primary403, 1) },
			wantCalls: 1,
			wantErr:   "GitHub API primary rate limit (HTTP 403); the limit resets at ",
			wantKind:  ghapi.Primary,
		},
		{
			// The quota itself is used up (not an injected answer): the fake
			// answers 403 until its clock passes the reset, which the wait does.
			name:       "quota exhausted until reset",
			setup:      func(s *ghfake.Server) { s.SetQuota(5000, 0, 20*time.Second) },
			wantSleeps: []time.Duration{21 * time.Second},
			wantCalls:  2,
		},
		{
			name: "quota exhausted, answered 429",
			setup: func(s *ghfake.Server) {
				s.SetExhaustedStatus(http.StatusTooManyRequests)
				s.SetQuota(5000, 0, 20*time.Second)
			},
			wantSleeps: []time.Duration{21 * time.Second},
			wantCalls:  2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := setup(t, tt.opts...)
			s.SetPR(owner, repo, 7, ghfake.PR{Title: "ok"})
			tt.setup(s)
			pr, err := c.PullRequest(t.Context(), owner, repo, 7)
			equalDurations(t, s.Clock().Slept(), tt.wantSleeps)
			if got := s.Count(http.MethodGet, "/repos/octo/widgets/pulls/7"); got != tt.wantCalls {
				t.Errorf("%d requests, want %d: %v", got, tt.wantCalls, requestLines(s))
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if pr.GetTitle() != "ok" {
					t.Errorf("title %q", pr.GetTitle())
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.wantErr)
			}
			var rl *ghapi.RateLimitError
			if !errors.As(err, &rl) || rl.Kind != tt.wantKind || !ghapi.IsRateLimited(err) || !errors.Is(err, ghapi.ErrRateLimited) {
				t.Errorf("error %v: not a %v *RateLimitError", err, tt.wantKind)
			}
			if tt.wantKind == ghapi.Primary && !rl.Reset.After(s.Clock().Now()) {
				t.Errorf("reset %v is not in the future", rl.Reset)
			}
		})
	}
}

// TestShortCircuit covers go-github v60's client-side short-circuit: once
// a response said x-ratelimit-remaining: 0, go-github answers later calls
// itself with a 403 *github.RateLimitError until the reset, sending
// nothing.
func TestShortCircuit(t *testing.T) {
	t.Run("waits, refreshes the quota, retries", func(t *testing.T) {
		s, c := setup(t)
		s.SetPR(owner, repo, 7, ghfake.PR{})
		s.SetQuota(5000, 1, 30*time.Second) // the next answer says remaining: 0
		if _, err := c.PullRequest(t.Context(), owner, repo, 7); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Reviews(t.Context(), owner, repo, 7); err != nil {
			t.Fatal(err)
		}
		equalDurations(t, s.Clock().Slept(), []time.Duration{31 * time.Second})
		// The refused call sent nothing; /rate_limit (free) refreshed go-github's memory.
		equalLines(t, "requests", requestLines(s), []string{
			"GET /pulls/7 200",
			"GET /rate_limit 200",
			"GET /pulls/7/reviews?per_page=100 200",
		})
	})
	t.Run("reset too far: fails without network", func(t *testing.T) {
		s, c := setup(t)
		s.SetPR(owner, repo, 7, ghfake.PR{})
		s.SetQuota(5000, 1, time.Hour)
		if _, err := c.PullRequest(t.Context(), owner, repo, 7); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			_, err := c.Reviews(t.Context(), owner, repo, 7)
			var rl *ghapi.RateLimitError
			if !errors.As(err, &rl) || rl.Kind != ghapi.Primary || rl.Status != 0 {
				t.Fatalf("error %v, want a primary *RateLimitError refused by the client", err)
			}
			var gh *github.RateLimitError
			if !errors.As(err, &gh) {
				t.Errorf("%v does not wrap go-github's error", err)
			}
			for _, want := range []string{"no request sent", "resets at " + s.Clock().Now().Add(time.Hour).Format(time.RFC3339), "list reviews of octo/widgets#7"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		}
		equalLines(t, "requests", requestLines(s), []string{"GET /pulls/7 200"})
		equalDurations(t, s.Clock().Slept(), nil)
	})
	t.Run("after giving up, later calls fail fast", func(t *testing.T) {
		s, c := setup(t)
		s.SetPR(owner, repo, 7, ghfake.PR{})
		s.SetPrimaryWait(time.Hour)
		s.RateLimit(ghfake.Primary403, 1)
		if _, err := c.PullRequest(t.Context(), owner, repo, 7); !ghapi.IsRateLimited(err) {
			t.Fatalf("err = %v", err)
		}
		if _, _, err := c.PRCommits(t.Context(), owner, repo, 7); !ghapi.IsRateLimited(err) {
			t.Fatalf("err = %v", err)
		}
		equalLines(t, "requests", requestLines(s), []string{"GET /pulls/7 403"})
	})
	t.Run("secondary: refused from memory", func(t *testing.T) {
		// Retry-After 123 s does not fit the 2-minute budget; go-github then
		// remembers the wait and refuses the next call itself.
		s, c := setup(t)
		s.SetPR(owner, repo, 7, ghfake.PR{})
		s.RateLimit(ghfake.Secondary403RetryAfter, 1)
		if _, err := c.PullRequest(t.Context(), owner, repo, 7); !ghapi.IsRateLimited(err) {
			t.Fatalf("err = %v", err)
		}
		_, err := c.Reviews(t.Context(), owner, repo, 7)
		var rl *ghapi.RateLimitError
		if !errors.As(err, &rl) || rl.Kind != ghapi.Secondary || rl.Status != 0 || rl.RetryAfter <= 2*time.Minute || rl.RetryAfter > 123*time.Second {
			t.Fatalf("err = %v (%+v)", err, rl)
		}
		var ab *github.AbuseRateLimitError
		if !errors.As(err, &ab) || !strings.Contains(err.Error(), "no request sent") {
			t.Errorf("err = %v", err)
		}
		equalLines(t, "requests", requestLines(s), []string{"GET /pulls/7 403"})
		equalDurations(t, s.Clock().Slept(), nil)
	})
}

// TestWriteRetriedWithBody: a rate-limited POST is sent again with its
// body (go-github's request body is rewound).
func TestWriteRetriedWithBody(t *testing.T) {
	s, c := setup(t)
	s.SetPR(owner, repo, 7, ghfake.PR{})
	s.OnNext(http.MethodPost, "/repos/octo/widgets/issues/7/comments", func() { s.RateLimit(ghfake.Secondary403, 1) })
	id, err := c.UpsertComment(t.Context(), owner, repo, 7, marker, marker+"\nhello")
	if err != nil {
		t.Fatal(err)
	}
	got := s.Comments(owner, repo, 7)
	if len(got) != 1 || got[0].ID != id || got[0].Body != marker+"\nhello" {
		t.Errorf("comments: %+v", got)
	}
	equalLines(t, "requests", requestLines(s), []string{
		"GET /issues/7/comments?per_page=100 200",
		"POST /issues/7/comments 403",
		"POST /issues/7/comments 201",
	})
	equalDurations(t, s.Clock().Slept(), []time.Duration{time.Minute})
}

// TestBudgetShared: the wait budget spans the client's calls.
func TestBudgetShared(t *testing.T) {
	s, c := setup(t, ghapi.WithMaxWait(90*time.Second))
	s.SetPR(owner, repo, 7, ghfake.PR{})
	s.RateLimit(ghfake.Secondary403, 1)
	if _, err := c.PullRequest(t.Context(), owner, repo, 7); err != nil {
		t.Fatal(err)
	}
	s.RateLimit(ghfake.Secondary403, 1)
	_, err := c.Reviews(t.Context(), owner, repo, 7)
	if !ghapi.IsRateLimited(err) || !strings.Contains(err.Error(), "gave up after waiting 1m0s of the 1m30s budget") {
		t.Fatalf("err = %v", err)
	}
	equalDurations(t, s.Clock().Slept(), []time.Duration{time.Minute})
}

// TestQuota: the client remembers the primary quota of GitHub's latest
// answer, a failed one included, and knows none before the first.
func TestQuota(t *testing.T) {
	s, c := setup(t)
	if _, ok := c.Quota(); ok {
		t.Fatal("a quota before any request")
	}
	s.SetQuota(1000, 300, time.Hour)
	s.SetPR(owner, repo, 1, ghfake.PR{})
	if _, err := c.PullRequest(t.Context(), owner, repo, 1); err != nil {
		t.Fatal(err)
	}
	q, ok := c.Quota()
	if !ok || q.Limit != 1000 || q.Remaining != 299 || !q.Reset.Equal(s.Clock().Now().Add(time.Hour).Truncate(time.Second)) {
		t.Errorf("quota %+v (known %v), want 299 of 1000 left, reset in an hour", q, ok)
	}
	s.Respond("GET", "/repos/"+owner+"/"+repo+"/pulls/2", 404, map[string]any{"message": "Not Found"})
	_, _ = c.PullRequest(t.Context(), owner, repo, 2)
	if q, _ := c.Quota(); q.Remaining != 298 {
		t.Errorf("after a 404: %d left, want 298", q.Remaining)
	}
}
