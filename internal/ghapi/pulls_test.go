package ghapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/ghfake"
)

func TestNewBaseURL(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "", want: "https://api.github.com/"},
		{in: "https://api.github.com", want: "https://api.github.com/"},
		{in: "https://api.github.com/", want: "https://api.github.com/"},
		{in: " https://api.github.com ", want: "https://api.github.com/"},
		{in: "https://ghe.example.com/api/v3", want: "https://ghe.example.com/api/v3/"},
		{in: "https://ghe.example.com/api/v3/", want: "https://ghe.example.com/api/v3/"},
		{in: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080/"},
		{in: "ftp://example.com", wantErr: true},
		{in: "api.github.com", wantErr: true},
		{in: "https://", wantErr: true},
		{in: "https://api.github.com/?x=1", wantErr: true},
		{in: "https://exa mple.com", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := ghapi.New(tt.in, "")
			if tt.wantErr {
				if err == nil {
					t.Fatalf("New(%q) = %s, want an error", tt.in, c.BaseURL())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.BaseURL(); got != tt.want {
				t.Errorf("BaseURL = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestEnterpriseBasePath: requests go under the /api/v3/ prefix of a GitHub
// Enterprise Server URL.
func TestEnterpriseBasePath(t *testing.T) {
	s := ghfake.New(t)
	s.Respond(http.MethodGet, "/api/v3/repos/octo/widgets/pulls/1", http.StatusOK, map[string]any{"number": 1, "title": "on GHES"})
	c, err := ghapi.New(s.URL()+"/api/v3", "", ghapi.WithHTTPClient(s.Client()))
	if err != nil {
		t.Fatal(err)
	}
	pr, err := c.PullRequest(t.Context(), owner, repo, 1)
	if err != nil {
		t.Fatal(err)
	}
	if pr.GetTitle() != "on GHES" || c.GitHub().BaseURL.String() != s.URL()+"/api/v3/" {
		t.Errorf("title = %q, base %s", pr.GetTitle(), c.GitHub().BaseURL)
	}
}

// TestListsPaginate checks every list against the number of pages the
// Link headers announce: per_page=100 asked, ceil(n/100) pages fetched
// (one page for an empty list), all items returned in order.
func TestListsPaginate(t *testing.T) {
	type list func(t *testing.T, s *ghfake.Server, c *ghapi.Client, n int) (got []string)
	lists := map[string]struct {
		path string
		run  list
	}{
		"reviews": {"/pulls/7/reviews", func(t *testing.T, s *ghfake.Server, c *ghapi.Client, n int) []string {
			for i := range n {
				s.AddReviews(owner, repo, 7, ghfake.Review{User: fmt.Sprint("r", i), State: "COMMENTED"})
			}
			got, err := c.Reviews(t.Context(), owner, repo, 7)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range got {
				out = append(out, r.GetUser().GetLogin())
			}
			return out
		}},
		"review comments": {"/pulls/7/comments", func(t *testing.T, s *ghfake.Server, c *ghapi.Client, n int) []string {
			for i := range n {
				s.AddReviewComments(owner, repo, 7, ghfake.ReviewComment{User: fmt.Sprint("r", i), Body: "nit"})
			}
			got, err := c.ReviewComments(t.Context(), owner, repo, 7)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range got {
				out = append(out, r.GetUser().GetLogin())
			}
			return out
		}},
		"pull requests with commit": {"/commits/", func(t *testing.T, s *ghfake.Server, c *ghapi.Client, n int) []string {
			sha := ghfake.SHA("shared")
			s.AddCommitObject(owner, repo, ghfake.Commit{SHA: sha, Message: "shared"})
			for i := range n {
				s.SetPR(owner, repo, 100+i, ghfake.PR{HeadSHA: sha})
			}
			got, err := c.PullRequestsWithCommit(t.Context(), owner, repo, sha)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, p := range got {
				out = append(out, fmt.Sprint("r", p.GetNumber()-100))
			}
			return out
		}},
	}
	for name, l := range lists {
		for _, n := range []int{0, 1, 100, 101, 250} {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				s, c := setup(t)
				s.SetPR(owner, repo, 7, ghfake.PR{})
				got := l.run(t, s, c, n)
				if len(got) != n {
					t.Fatalf("got %d items, want %d", len(got), n)
				}
				for i, g := range got {
					if g != fmt.Sprint("r", i) {
						t.Fatalf("item %d = %s: order lost", i, g)
					}
				}
				wantPages := max((n+99)/100, 1)
				if p := s.Count(http.MethodGet, "/repos/"+owner+"/"+repo+l.path); p != wantPages {
					t.Errorf("%d requests, want %d pages:\n%v", p, wantPages, s.Requests())
				}
			})
		}
	}
}

// TestPRCommitsCap: GitHub lists at most 250 commits; complete says
// whether the list holds all of pull_request.commits.
func TestPRCommitsCap(t *testing.T) {
	tests := []struct {
		name         string
		added        int // commits added to the fake
		prCount      int // pull_request.commits override (0: derived)
		wantListed   int
		wantComplete bool
		wantPages    []string
	}{
		{"empty", 0, 0, 0, true, []string{"per_page=100"}},
		{"one page", 99, 0, 99, true, []string{"per_page=100"}},
		{"exactly 250", 250, 0, 250, true, []string{"per_page=100", "page=2&per_page=100", "page=3&per_page=100"}},
		{"251 capped", 251, 0, 250, false, []string{"per_page=100", "page=2&per_page=100", "page=3&per_page=100"}},
		{"312 capped", 312, 0, 250, false, []string{"per_page=100", "page=2&per_page=100", "page=3&per_page=100"}},
		{"count says more", 10, 40, 10, false, []string{"per_page=100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := setup(t)
			s.SetPR(owner, repo, 7, ghfake.PR{Commits: tt.prCount})
			s.AddCommits(owner, repo, 7, commits(tt.added)...)
			pr, err := c.PullRequest(t.Context(), owner, repo, 7)
			if err != nil {
				t.Fatal(err)
			}
			got, complete, err := c.PRCommits(t.Context(), owner, repo, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.wantListed || complete != tt.wantComplete {
				t.Errorf("listed %d complete=%v, want %d %v (pr.commits=%d)", len(got), complete, tt.wantListed, tt.wantComplete, pr.GetCommits())
			}
			for i, cm := range got {
				if want := fmt.Sprintf("commit %d\n\nbody %d", i+1, i+1); cm.GetCommit().GetMessage() != want {
					t.Fatalf("commit %d message %q, want %q", i, cm.GetCommit().GetMessage(), want)
				}
			}
			// The pull request was fetched once: PRCommits reused it.
			want := []string{"GET /pulls/7 200"}
			for _, q := range tt.wantPages {
				want = append(want, "GET /pulls/7/commits?"+q+" 200")
			}
			equalLines(t, "requests", requestLines(s), want)
		})
	}
}

// TestPRFilesCap: GitHub lists at most 3000 files; PRFiles fetches the
// pull request itself when PullRequest was not called.
func TestPRFilesCap(t *testing.T) {
	tests := []struct {
		name         string
		added        int
		prCount      int
		wantListed   int
		wantComplete bool
	}{
		{"none", 0, 0, 0, true},
		{"2999", 2999, 0, 2999, true},
		{"3000", 3000, 0, 3000, true},
		{"3001 capped", 3001, 0, 3000, false},
		{"count says 5000", 3000, 5000, 3000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := setup(t)
			s.SetPR(owner, repo, 7, ghfake.PR{ChangedFiles: tt.prCount})
			s.AddFiles(owner, repo, 7, files(tt.added)...)
			got, complete, err := c.PRFiles(t.Context(), owner, repo, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.wantListed || complete != tt.wantComplete {
				t.Errorf("listed %d complete=%v, want %d %v", len(got), complete, tt.wantListed, tt.wantComplete)
			}
			var adds int
			for _, f := range got {
				adds += f.GetAdditions()
			}
			if adds != 2*tt.wantListed {
				t.Errorf("additions %d, want %d", adds, 2*tt.wantListed)
			}
			if n := s.Count(http.MethodGet, "/repos/octo/widgets/pulls/7"); n != 1+max((tt.wantListed+99)/100, 1) {
				t.Errorf("%d requests: %v", n, requestLines(s))
			}
		})
	}
}

// TestPullRequestFields: what the report needs decodes from the
// example-based payloads.
func TestPullRequestFields(t *testing.T) {
	s, c := setup(t)
	created := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	merged := created.Add(26 * time.Hour)
	s.SetPR(owner, repo, 7, ghfake.PR{Title: "Add <widgets>", Merged: true, MergedAt: merged, CreatedAt: created, MergeCommitSHA: ghfake.SHA("squash")})
	s.AddCommits(owner, repo, 7, commits(3)...)
	s.AddFiles(owner, repo, 7, files(4)...)
	s.AddReviews(owner, repo, 7,
		ghfake.Review{User: "alice", State: "CHANGES_REQUESTED", SubmittedAt: created.Add(time.Hour)},
		ghfake.Review{User: "alice", State: "APPROVED", SubmittedAt: created.Add(2 * time.Hour)},
	)
	pr, err := c.PullRequest(t.Context(), owner, repo, 7)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%d %q %s merged=%v %s %s commits=%d files=%d +%d -%d",
		pr.GetNumber(), pr.GetTitle(), pr.GetState(), pr.GetMerged(),
		pr.GetCreatedAt().UTC().Format(time.RFC3339), pr.GetMergedAt().UTC().Format(time.RFC3339),
		pr.GetCommits(), pr.GetChangedFiles(), pr.GetAdditions(), pr.GetDeletions())
	want := `7 "Add <widgets>" closed merged=true 2026-03-01T10:00:00Z 2026-03-02T12:00:00Z commits=3 files=4 +8 -4`
	if got != want {
		t.Errorf("pull request:\n got %s\nwant %s", got, want)
	}
	if pr.GetHead().GetSHA() == "" || pr.GetBase().GetSHA() == "" || pr.GetHead().GetSHA() == pr.GetBase().GetSHA() {
		t.Errorf("head %q base %q", pr.GetHead().GetSHA(), pr.GetBase().GetSHA())
	}
	reviews, err := c.Reviews(t.Context(), owner, repo, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(reviews) != 2 || reviews[0].GetState() != "CHANGES_REQUESTED" || reviews[1].GetState() != "APPROVED" ||
		!reviews[1].GetSubmittedAt().Time.Equal(created.Add(2*time.Hour)) {
		t.Errorf("reviews: %v", reviews)
	}
	// A squash merge's commit on main maps back to the pull request.
	prs, err := c.PullRequestsWithCommit(t.Context(), owner, repo, ghfake.SHA("squash"))
	if err != nil {
		t.Fatal(err)
	}
	if len(prs) != 1 || prs[0].GetNumber() != 7 {
		t.Errorf("pull requests of the squash commit: %v", prs)
	}
}

func TestCommitMessage(t *testing.T) {
	s, c := setup(t)
	msg := "Fix the parser\n\nAI-Tokens: claude-code claude-sonnet-4 in=1 out=2 cr=0 cw=0 rs=0 req=1 usd=?\n"
	sha := ghfake.SHA("fix")
	s.AddCommitObject(owner, repo, ghfake.Commit{SHA: sha, Message: msg})
	got, err := c.CommitMessage(t.Context(), owner, repo, sha)
	if err != nil {
		t.Fatal(err)
	}
	if got != msg {
		t.Errorf("message %q, want %q", got, msg)
	}
}

// TestErrorsClassified: every error names the operation and wraps both
// the sentinel and go-github's error.
func TestErrorsClassified(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     map[string]any
		sentinel error
	}{
		{"404", http.StatusNotFound, map[string]any{"message": "Not Found"}, ghapi.ErrNotFound},
		{"500", http.StatusInternalServerError, map[string]any{"message": "boom"}, ghapi.ErrServer},
		{"422", http.StatusUnprocessableEntity, map[string]any{"message": "No commit found for SHA: x"}, ghapi.ErrUnprocessable},
		// A 403 on a read is not read-only (that is about writes) and not a rate limit: no retry.
		{"403 on read", http.StatusForbidden, map[string]any{"message": "Resource not accessible by integration"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := setup(t)
			s.Respond(http.MethodGet, "/repos/octo/widgets/pulls/9", tt.status, tt.body)
			_, err := c.PullRequest(t.Context(), owner, repo, 9)
			if err == nil {
				t.Fatal("no error")
			}
			var er *github.ErrorResponse
			if !errors.As(err, &er) || er.Response.StatusCode != tt.status {
				t.Errorf("%v does not wrap the go-github error", err)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("%v does not wrap %v", err, tt.sentinel)
			}
			if ghapi.IsReadOnly(err) || ghapi.IsRateLimited(err) || ghapi.IsBodyTooLong(err) {
				t.Errorf("%v misclassified", err)
			}
			if want := "ghapi: get pull request octo/widgets#9: "; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
				t.Errorf("error %q does not start with %q", err, want)
			}
			if n := len(s.Requests()); n != 1 {
				t.Errorf("%d requests, want 1 (no retry): %v", n, s.Requests())
			}
		})
	}
}
