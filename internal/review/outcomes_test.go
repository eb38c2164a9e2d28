package review_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/ghfake"
	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/review"
)

// The fake repository of these tests.
const (
	ocOwner = "octo"
	ocRepo  = "widgets"
	ocToken = "test-token"
)

// ocPulls is the path prefix of the repository's pull requests.
const ocPulls = "/repos/" + ocOwner + "/" + ocRepo + "/pulls/"

// ocFake starts a fake GitHub requiring the test token.
func ocFake(t *testing.T) *ghfake.Server {
	t.Helper()
	s := ghfake.New(t)
	s.RequireToken(ocToken)
	return s
}

// ocClient returns a new client of s: a new client per run, as a new
// process would have (no memory of earlier answers).
func ocClient(t *testing.T, s *ghfake.Server, opts ...ghapi.Option) *ghapi.Client {
	t.Helper()
	base := []ghapi.Option{
		ghapi.WithHTTPClient(s.Client()),
		ghapi.WithSleep(s.Clock().Sleep),
		ghapi.WithClock(s.Clock().Now),
	}
	c, err := ghapi.New(s.URL(), ocToken, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ocScenario holds the fake's pull requests and the outcomes derived by
// hand from them.
type ocScenario struct {
	t0   time.Time
	want map[int]*review.Outcome
	// titles and authors of the pull requests.
	titles, authors map[int]string
}

// ocTime returns a pointer to t.
func ocTime(t time.Time) *time.Time { return &t }

// ocSetup creates four pull requests and a 404 for #5:
//
//   - #1 merged, by alice. Reviews, in submission order: alice comments
//     on her own pull request (not a review of it), bob comments on c1,
//     bob requests changes on c1, carol approves c2, bob approves c2.
//     Hand-derived: standing approvals of bob and carol -> APPROVED;
//     approvals 2 (carol, bob), change requests 1 (bob); rounds 2 (c1,
//     c2); first review bob's comment at t0-60h (alice's at t0-61h does
//     not count); 3 review comments (GitHub's count on the pull request).
//   - #2 closed without merging, no review: NONE, everything 0, not merged.
//   - #3 open, dave requests changes on c3: CHANGES_REQUESTED, 1 change
//     request, 1 round.
//   - #4 merged, erin approves; the pull request lacks its review_comments
//     count, so the 2 review comments are listed: APPROVED, 1 approval, 1
//     round, 2 review comments.
//   - #5 is an issue: GET /pulls/5 answers 404.
func ocSetup(t *testing.T, s *ghfake.Server) *ocScenario {
	t.Helper()
	t0 := s.Clock().Now().UTC().Truncate(time.Second)
	h := func(hours int) time.Time { return t0.Add(time.Duration(hours) * time.Hour) }
	c1, c2, c3 := ghfake.SHA("c1"), ghfake.SHA("c2"), ghfake.SHA("c3")

	s.SetPR(ocOwner, ocRepo, 1, ghfake.PR{Title: "Add widgets", Author: "alice", State: "closed", Merged: true,
		CreatedAt: h(-72), MergedAt: h(-24), Extra: map[string]any{"review_comments": 3}})
	s.AddReviews(ocOwner, ocRepo, 1,
		ghfake.Review{User: "alice", State: "COMMENTED", CommitID: c1, SubmittedAt: h(-61)},
		ghfake.Review{User: "bob", State: "COMMENTED", CommitID: c1, SubmittedAt: h(-60)},
		ghfake.Review{User: "bob", State: "CHANGES_REQUESTED", CommitID: c1, SubmittedAt: h(-59)},
		ghfake.Review{User: "carol", State: "APPROVED", CommitID: c2, SubmittedAt: h(-30)},
		ghfake.Review{User: "bob", State: "APPROVED", CommitID: c2, SubmittedAt: h(-29)},
	)
	s.AddReviewComments(ocOwner, ocRepo, 1, ghfake.ReviewComment{Body: "a"}, ghfake.ReviewComment{Body: "b"}, ghfake.ReviewComment{Body: "c"})

	s.SetPR(ocOwner, ocRepo, 2, ghfake.PR{Title: "Abandoned idea", Author: "bob", State: "closed", CreatedAt: h(-50), ClosedAt: h(-40)})

	s.SetPR(ocOwner, ocRepo, 3, ghfake.PR{Title: "Work in progress", Author: "carol", CreatedAt: h(-10)})
	s.AddReviews(ocOwner, ocRepo, 3, ghfake.Review{User: "dave", State: "CHANGES_REQUESTED", CommitID: c3, SubmittedAt: h(-5)})

	s.SetPR(ocOwner, ocRepo, 4, ghfake.PR{Title: "Fix <script> & @team", Author: "dave", State: "closed", Merged: true,
		CreatedAt: h(-8), MergedAt: h(-2), Extra: map[string]any{"review_comments": nil}})
	s.AddReviews(ocOwner, ocRepo, 4, ghfake.Review{User: "erin", State: "APPROVED", CommitID: c3, SubmittedAt: h(-3)})
	s.AddReviewComments(ocOwner, ocRepo, 4, ghfake.ReviewComment{Body: "x"}, ghfake.ReviewComment{Body: "y"})

	s.Respond(http.MethodGet, ocPulls+"5", http.StatusNotFound, map[string]string{"message": "Not Found", "documentation_url": "https://docs.github.com/rest/pulls/pulls#get-a-pull-request"})

	return &ocScenario{
		t0: t0,
		want: map[int]*review.Outcome{
			1: {State: "APPROVED", Approvals: 2, ChangeRequests: 1, Rounds: 2, ReviewComments: 3,
				Created: ocTime(h(-72)), FirstReview: ocTime(h(-60)), MergedAt: ocTime(h(-24)), Merged: true},
			2: {State: "NONE", Created: ocTime(h(-50))},
			3: {State: "CHANGES_REQUESTED", ChangeRequests: 1, Rounds: 1, Created: ocTime(h(-10)), FirstReview: ocTime(h(-5))},
			4: {State: "APPROVED", Approvals: 1, Rounds: 1, ReviewComments: 2,
				Created: ocTime(h(-8)), FirstReview: ocTime(h(-3)), MergedAt: ocTime(h(-2)), Merged: true},
		},
		titles:  map[int]string{1: "Add widgets", 2: "Abandoned idea", 3: "Work in progress", 4: "Fix <script> & @team"},
		authors: map[int]string{1: "alice", 2: "bob", 3: "carol", 4: "dave"},
	}
}

// ocRequests returns the fake's requests since index from, as
// "GET /pulls/3/reviews" lines (repository prefix and query cut).
func ocRequests(s *ghfake.Server, from int) []string {
	var out []string
	for _, r := range s.Requests()[from:] {
		out = append(out, r.Method+" /pulls/"+strings.TrimPrefix(r.Path, ocPulls))
	}
	return out
}

// ocRun runs review.Outcomes with a new client and returns the outcomes,
// the warnings and the requests it made.
func ocRun(t *testing.T, s *ghfake.Server, c *ghapi.Client, cachePath string, numbers ...int) (map[int]*review.Outcome, []string, []string) {
	t.Helper()
	before := len(s.Requests())
	got, warnings, err := review.Outcomes(context.Background(), c, cachePath, ocOwner, ocRepo, numbers, nil)
	if err != nil {
		t.Fatalf("Outcomes: %v", err)
	}
	return got, warnings, ocRequests(s, before)
}

// ocCheck compares outcomes with the expected ones for numbers.
func ocCheck(t *testing.T, got map[int]*review.Outcome, want map[int]*review.Outcome, numbers ...int) {
	t.Helper()
	if len(got) != len(numbers) {
		t.Errorf("got outcomes for %d pull requests %v, want %v", len(got), ocKeys(got), numbers)
	}
	for _, n := range numbers {
		if !reflect.DeepEqual(got[n], want[n]) {
			t.Errorf("#%d outcome:\n got %s\nwant %s", n, ocFormat(got[n]), ocFormat(want[n]))
		}
	}
}

func ocKeys(m map[int]*review.Outcome) []int {
	var out []int
	for n := range m {
		out = append(out, n)
	}
	return out
}

// ocFormat renders an outcome with its times readable.
func ocFormat(o *review.Outcome) string {
	if o == nil {
		return "<nil>"
	}
	tm := func(t *time.Time) string {
		if t == nil {
			return "nil"
		}
		return t.Format(time.RFC3339)
	}
	return fmt.Sprintf("{%s approvals=%d cr=%d rounds=%d comments=%d created=%s first=%s merged_at=%s merged=%v}",
		o.State, o.Approvals, o.ChangeRequests, o.Rounds, o.ReviewComments, tm(o.Created), tm(o.FirstReview), tm(o.MergedAt), o.Merged)
}

// ocWarned fails the test unless exactly one warning contains each of
// the parts.
func ocWarned(t *testing.T, warnings []string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		n := 0
		for _, w := range warnings {
			if strings.Contains(w, p) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d warnings contain %q, want 1: %q", n, p, warnings)
		}
	}
	for _, w := range warnings {
		if !strings.HasPrefix(w, "review outcomes: ") || strings.Contains(w, "\n") {
			t.Errorf("warning %q is not one line starting %q", w, "review outcomes: ")
		}
	}
}

// TestOutcomesCache is the main scenario: the first run asks GitHub, the
// second asks only about the open pull request, and once that one is
// merged a last run asks nothing at all.
func TestOutcomesCache(t *testing.T) {
	s := ocFake(t)
	sc := ocSetup(t, s)
	cache := filepath.Join(t.TempDir(), "git", "tokenyield", "review-cache.db")

	// Run 1: newest first; two requests per pull request, three for #4
	// (its review comments are listed), one 404 for #5.
	got, warnings, reqs := ocRun(t, s, ocClient(t, s), cache, 1, 2, 3, 4, 5)
	ocCheck(t, got, sc.want, 1, 2, 3, 4)
	wantReqs := []string{
		"GET /pulls/5",
		"GET /pulls/4", "GET /pulls/4/reviews", "GET /pulls/4/comments",
		"GET /pulls/3", "GET /pulls/3/reviews",
		"GET /pulls/2", "GET /pulls/2/reviews",
		"GET /pulls/1", "GET /pulls/1/reviews",
	}
	if !reflect.DeepEqual(reqs, wantReqs) {
		t.Errorf("run 1 requests:\n got %q\nwant %q", reqs, wantReqs)
	}
	ocWarned(t, warnings, "#5 not found on GitHub: not pull requests of this repository")
	if len(warnings) != 1 {
		t.Errorf("run 1 warnings %q, want only the 404", warnings)
	}
	if _, err := os.Stat(cache); err != nil {
		t.Fatalf("no cache file after run 1: %v", err)
	}

	// Run 2, a new process: the closed #1, #2, #4 and the 404 #5 come from
	// the cache; the open #3 is asked again.
	got, warnings, reqs = ocRun(t, s, ocClient(t, s), cache, 1, 2, 3, 4, 5)
	ocCheck(t, got, sc.want, 1, 2, 3, 4)
	if want := []string{"GET /pulls/3", "GET /pulls/3/reviews"}; !reflect.DeepEqual(reqs, want) {
		t.Errorf("run 2 requests %q, want %q", reqs, want)
	}
	if len(warnings) != 0 {
		t.Errorf("run 2 warnings %q, want none (the 404 is cached)", warnings)
	}

	// #3 gets an approval from dave and is merged.
	s.AddReviews(ocOwner, ocRepo, 3, ghfake.Review{User: "dave", State: "APPROVED", CommitID: ghfake.SHA("c4"), SubmittedAt: sc.t0.Add(-time.Hour)})
	s.SetPR(ocOwner, ocRepo, 3, ghfake.PR{Title: "Work in progress", Author: "carol", State: "closed", Merged: true,
		CreatedAt: sc.t0.Add(-10 * time.Hour), MergedAt: sc.t0.Add(-30 * time.Minute)})
	want3 := &review.Outcome{State: "APPROVED", Approvals: 1, ChangeRequests: 1, Rounds: 2,
		Created: ocTime(sc.t0.Add(-10 * time.Hour)), FirstReview: ocTime(sc.t0.Add(-5 * time.Hour)),
		MergedAt: ocTime(sc.t0.Add(-30 * time.Minute)), Merged: true}
	sc.want[3] = want3

	// Run 3 asks about #3 once more and sees it merged; run 4 asks nothing.
	got, _, reqs = ocRun(t, s, ocClient(t, s), cache, 1, 2, 3, 4, 5)
	ocCheck(t, got, sc.want, 1, 2, 3, 4)
	if len(reqs) != 2 {
		t.Errorf("run 3 requests %q, want #3 and its reviews", reqs)
	}
	got, warnings, reqs = ocRun(t, s, ocClient(t, s), cache, 5, 4, 3, 2, 1)
	ocCheck(t, got, sc.want, 1, 2, 3, 4)
	if len(reqs) != 0 || len(warnings) != 0 {
		t.Errorf("run 4 made requests %q and warned %q, want none", reqs, warnings)
	}
}

// TestPullsInfo checks the title, author and state Pulls returns, and that
// they survive the cache.
func TestPullsInfo(t *testing.T) {
	s := ocFake(t)
	sc := ocSetup(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	for run := 1; run <= 2; run++ {
		pulls, _, err := review.Pulls(context.Background(), ocClient(t, s), cache, ocOwner, ocRepo, []int{1, 2, 3, 4}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 4; n++ {
			p := pulls[n]
			if p == nil {
				t.Fatalf("run %d: no #%d", run, n)
			}
			wantState := "closed"
			if n == 3 {
				wantState = "open"
			}
			if p.Number != n || p.Title != sc.titles[n] || p.Author != sc.authors[n] || p.State != wantState {
				t.Errorf("run %d #%d: number %d title %q author %q state %q, want %q %q %q", run, n, p.Number, p.Title, p.Author, p.State, sc.titles[n], sc.authors[n], wantState)
			}
			if p.UpdatedAt.IsZero() {
				t.Errorf("run %d #%d: no updated_at", run, n)
			}
		}
	}
}

// TestOutcomesNumbers: repeats and numbers below 1 are ignored; an empty
// list asks nothing.
func TestOutcomesNumbers(t *testing.T) {
	s := ocFake(t)
	sc := ocSetup(t, s)
	got, warnings, reqs := ocRun(t, s, ocClient(t, s), "", 2, 0, -7, 2, 1, 2)
	ocCheck(t, got, sc.want, 1, 2)
	if want := []string{"GET /pulls/2", "GET /pulls/2/reviews", "GET /pulls/1", "GET /pulls/1/reviews"}; !reflect.DeepEqual(reqs, want) {
		t.Errorf("requests %q, want %q", reqs, want)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings %q", warnings)
	}
	got, _, reqs = ocRun(t, s, ocClient(t, s), "")
	if len(got) != 0 || len(reqs) != 0 {
		t.Errorf("no numbers: got %v after requests %q", got, reqs)
	}
}

// TestOutcomesNoCachePath: without a cache every run asks again.
func TestOutcomesNoCachePath(t *testing.T) {
	s := ocFake(t)
	sc := ocSetup(t, s)
	for run := 1; run <= 2; run++ {
		got, warnings, reqs := ocRun(t, s, ocClient(t, s), "", 1, 2)
		ocCheck(t, got, sc.want, 1, 2)
		if len(reqs) != 4 || len(warnings) != 0 {
			t.Errorf("run %d: requests %q warnings %q, want 4 requests and no warning", run, reqs, warnings)
		}
	}
}

// TestOutcomesNotFoundUnproven: when no pull request of the repository
// could be read, a 404 may be a token without access: it is reported as
// such and not cached, so the next run asks again.
func TestOutcomesNotFoundUnproven(t *testing.T) {
	s := ocFake(t)
	s.Respond(http.MethodGet, ocPulls+"7", http.StatusNotFound, map[string]string{"message": "Not Found"})
	s.Respond(http.MethodGet, ocPulls+"8", http.StatusNotFound, map[string]string{"message": "Not Found"})
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	for run := 1; run <= 2; run++ {
		got, warnings, reqs := ocRun(t, s, ocClient(t, s), cache, 7, 8)
		if len(got) != 0 {
			t.Errorf("run %d: outcomes %v for 404s", run, ocKeys(got))
		}
		if want := []string{"GET /pulls/8", "GET /pulls/7"}; !reflect.DeepEqual(reqs, want) {
			t.Errorf("run %d requests %q, want %q", run, reqs, want)
		}
		ocWarned(t, warnings, "#7 and #8 not found on GitHub: no pull request of this repository could be read: check that the token may read it")
	}
}

// TestOutcomesRateLimit: a rate limit the client gives up on stops the
// run with a warning, not an error; what was fetched before is cached, and
// the next run asks only about the rest.
func TestOutcomesRateLimit(t *testing.T) {
	s := ocFake(t)
	sc := ocSetup(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	// Newest first: #4, then the hourly quota is used up when #2 is asked
	// for, until an hour later: more than the client waits. #1 is not asked.
	s.OnNext(http.MethodGet, ocPulls+"2", func() { s.SetQuota(5000, 0, time.Hour) })
	got, warnings, reqs := ocRun(t, s, ocClient(t, s), cache, 1, 2, 4)
	ocCheck(t, got, sc.want, 4)
	ocWarned(t, warnings, "stopped asking GitHub after", "rate limit", "2 of 3 pull requests left unknown; a later run resumes")
	for _, r := range reqs {
		if strings.HasPrefix(r, "GET /pulls/1") {
			t.Errorf("asked about #1 after the rate limit: %q", reqs)
		}
	}

	// Later, the limit has passed: the next run asks only about #2 and #1.
	s.Clock().Advance(time.Hour + time.Minute)
	got, warnings, reqs = ocRun(t, s, ocClient(t, s), cache, 1, 2, 4)
	ocCheck(t, got, sc.want, 1, 2, 4)
	want := []string{"GET /pulls/2", "GET /pulls/2/reviews", "GET /pulls/1", "GET /pulls/1/reviews"}
	if !reflect.DeepEqual(reqs, want) || len(warnings) != 0 {
		t.Errorf("resumed run: requests %q warnings %q, want %q and none", reqs, warnings, want)
	}
}

// TestOutcomesLastSeen: an open pull request that cannot be asked about
// again keeps its cached outcome, said so in the warning.
func TestOutcomesLastSeen(t *testing.T) {
	s := ocFake(t)
	sc := ocSetup(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	ocRun(t, s, ocClient(t, s), cache, 1, 3)
	s.SetQuota(5000, 0, time.Hour)
	got, warnings, reqs := ocRun(t, s, ocClient(t, s), cache, 1, 3)
	ocCheck(t, got, sc.want, 1, 3)
	ocWarned(t, warnings, "rate limit", "0 of 2 pull requests left unknown (1 open, shown as last seen); a later run resumes")
	if len(reqs) != 1 || reqs[0] != "GET /pulls/3" {
		t.Errorf("requests %q, want one for #3", reqs)
	}
}

// TestOutcomesServerErrors: a pull request GitHub fails on (5xx) is left
// unknown and the run goes on; three failures in a row stop it.
func TestOutcomesServerErrors(t *testing.T) {
	tests := []struct {
		name      string
		failing   []int
		numbers   []int
		wantKnown []int
		wantWarn  []string // parts, each in exactly one warning
		warnings  int      // how many warnings
	}{
		{"one failure", []int{3}, []int{1, 2, 3, 4}, []int{1, 2, 4},
			[]string{"GitHub failed on #3 (server errors); left unknown"}, 1},
		{"two in a row go on", []int{4, 3}, []int{1, 2, 3, 4}, []int{1, 2},
			[]string{"GitHub failed on #3 and #4 (server errors)"}, 1},
		{"three in a row stop", []int{4, 3, 2}, []int{1, 2, 3, 4}, nil,
			[]string{"GitHub failed on #3 and #4", "stopped asking GitHub after", "502", "4 of 4 pull requests left unknown"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ocFake(t)
			sc := ocSetup(t, s)
			for _, n := range tt.failing {
				s.Respond(http.MethodGet, fmt.Sprintf("%s%d", ocPulls, n), http.StatusBadGateway, map[string]string{"message": "Server Error"})
			}
			got, warnings, _ := ocRun(t, s, ocClient(t, s), filepath.Join(t.TempDir(), "c.db"), tt.numbers...)
			ocCheck(t, got, sc.want, tt.wantKnown...)
			ocWarned(t, warnings, tt.wantWarn...)
			if len(warnings) != tt.warnings {
				t.Errorf("%d warnings %q, want %d", len(warnings), warnings, tt.warnings)
			}
		})
	}
}

// TestOutcomesCorruptCache: an unreadable cache is moved aside with a
// warning and rebuilt; the run's results are complete all the same, and the
// rebuilt cache serves the next run.
func TestOutcomesCorruptCache(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, path string)
	}{
		{"garbage", func(t *testing.T, path string) {
			ocWrite(t, path, []byte(strings.Repeat("not a database\x00\xff", 400)))
		}},
		{"text", func(t *testing.T, path string) { ocWrite(t, path, []byte("hello\n")) }},
		{"foreign table", func(t *testing.T, path string) {
			ocExec(t, path, "CREATE TABLE pulls (x TEXT)", "PRAGMA user_version = 1")
		}},
		{"damaged pages", func(t *testing.T, path string) {
			ocExec(t, path, "CREATE TABLE filler (v TEXT)", "INSERT INTO filler VALUES (hex(randomblob(3000)))",
				"INSERT INTO filler SELECT v FROM filler", "INSERT INTO filler SELECT v FROM filler")
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// Keep the header page, scribble over the rest.
			for i := 4096; i < len(data); i++ {
				data[i] = byte(i * 7)
			}
			ocWrite(t, path, data)
		}},
		{"truncated", func(t *testing.T, path string) {
			ocExec(t, path, "CREATE TABLE filler (v TEXT)", "INSERT INTO filler VALUES (hex(randomblob(30000)))")
			if err := os.Truncate(path, 4096+100); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ocFake(t)
			sc := ocSetup(t, s)
			cache := filepath.Join(t.TempDir(), "review-cache.db")
			tt.spoil(t, cache)
			spoiled, err := os.ReadFile(cache)
			if err != nil {
				t.Fatal(err)
			}

			got, warnings, reqs := ocRun(t, s, ocClient(t, s), cache, 1, 2, 4)
			ocCheck(t, got, sc.want, 1, 2, 4)
			ocWarned(t, warnings, "was unreadable", "moved it to "+cache+".corrupt and started a new one")
			if len(warnings) != 1 || len(reqs) != 7 {
				t.Errorf("warnings %q, requests %q: want one warning and 7 requests", warnings, reqs)
			}
			aside, err := os.ReadFile(cache + ".corrupt")
			if err != nil || string(aside) != string(spoiled) {
				t.Errorf("the spoiled file was not kept aside intact (err %v)", err)
			}

			got, warnings, reqs = ocRun(t, s, ocClient(t, s), cache, 1, 2, 4)
			ocCheck(t, got, sc.want, 1, 2, 4)
			if len(warnings) != 0 || len(reqs) != 0 {
				t.Errorf("after the rebuild: warnings %q requests %q, want none", warnings, reqs)
			}
		})
	}
}

// TestOutcomesCacheKinds covers cache files that are not corrupt: an empty
// file is a new database; a newer schema is left alone; an older or
// unversioned file of ours is used.
func TestOutcomesCacheKinds(t *testing.T) {
	t.Run("empty file", func(t *testing.T) {
		s := ocFake(t)
		sc := ocSetup(t, s)
		cache := filepath.Join(t.TempDir(), "review-cache.db")
		ocWrite(t, cache, nil)
		got, warnings, _ := ocRun(t, s, ocClient(t, s), cache, 1)
		ocCheck(t, got, sc.want, 1)
		if len(warnings) != 0 {
			t.Errorf("warnings %q", warnings)
		}
		if _, reqs := ocRunReqs(t, s, cache, 1); len(reqs) != 0 {
			t.Errorf("second run asked %q", reqs)
		}
	})
	t.Run("newer schema", func(t *testing.T) {
		s := ocFake(t)
		sc := ocSetup(t, s)
		cache := filepath.Join(t.TempDir(), "review-cache.db")
		ocExec(t, cache, "CREATE TABLE future (x)", "PRAGMA user_version = 99")
		for run := 1; run <= 2; run++ {
			got, warnings, reqs := ocRun(t, s, ocClient(t, s), cache, 1)
			ocCheck(t, got, sc.want, 1)
			ocWarned(t, warnings, "written by a newer version of tokenyield (schema 99; this one knows 2); this run does not use it")
			if len(reqs) != 2 {
				t.Errorf("run %d requests %q, want 2 (no cache)", run, reqs)
			}
		}
		if v := ocUserVersion(t, cache); v != 99 {
			t.Errorf("the newer cache's user_version became %d", v)
		}
		if _, err := os.Stat(cache + ".corrupt"); err == nil {
			t.Error("a newer cache was moved aside")
		}
	})
	t.Run("new file", func(t *testing.T) {
		s := ocFake(t)
		ocSetup(t, s)
		cache := filepath.Join(t.TempDir(), "review-cache.db")
		ocRun(t, s, ocClient(t, s), cache, 1)
		if v := ocUserVersion(t, cache); v != wantCacheVersion {
			t.Errorf("user_version %d, want %d", v, wantCacheVersion)
		}
		if m := ocPragma(t, cache, "journal_mode"); m != "wal" {
			t.Errorf("journal_mode %q, want wal", m)
		}
	})
	t.Run("version 1 file", func(t *testing.T) {
		// Version 1 had no commit_pulls: the table is added and the
		// cached pull requests are kept.
		s := ocFake(t)
		sc := ocSetup(t, s)
		cache := filepath.Join(t.TempDir(), "review-cache.db")
		ocRun(t, s, ocClient(t, s), cache, 1)
		ocExec(t, cache, "DROP TABLE commit_pulls", "PRAGMA user_version = 1")
		got, warnings, reqs := ocRun(t, s, ocClient(t, s), cache, 1)
		ocCheck(t, got, sc.want, 1)
		if len(warnings) != 0 || len(reqs) != 0 || ocUserVersion(t, cache) != wantCacheVersion {
			t.Errorf("warnings %q requests %q user_version %d", warnings, reqs, ocUserVersion(t, cache))
		}
		ocExec(t, cache, "SELECT sha, number FROM commit_pulls")
	})
	t.Run("unversioned file with our table", func(t *testing.T) {
		// A version-0 file holding our table (as if the version had not
		// been written) is taken as it is.
		s := ocFake(t)
		sc := ocSetup(t, s)
		cache := filepath.Join(t.TempDir(), "review-cache.db")
		ocRun(t, s, ocClient(t, s), cache, 1)
		ocExec(t, cache, "PRAGMA user_version = 0")
		got, warnings, reqs := ocRun(t, s, ocClient(t, s), cache, 1)
		ocCheck(t, got, sc.want, 1)
		if len(warnings) != 0 || len(reqs) != 0 || ocUserVersion(t, cache) != wantCacheVersion {
			t.Errorf("warnings %q requests %q user_version %d", warnings, reqs, ocUserVersion(t, cache))
		}
	})
}

// ocRunReqs runs Outcomes with a new client and returns the warnings and
// the requests.
func ocRunReqs(t *testing.T, s *ghfake.Server, cache string, numbers ...int) ([]string, []string) {
	t.Helper()
	_, warnings, reqs := ocRun(t, s, ocClient(t, s), cache, numbers...)
	return warnings, reqs
}

// TestOutcomesUnusableCache: a cache that cannot be created leaves the run
// uncached, with a warning, and the outcomes complete.
func TestOutcomesUnusableCache(t *testing.T) {
	s := ocFake(t)
	sc := ocSetup(t, s)
	file := filepath.Join(t.TempDir(), "a-file")
	ocWrite(t, file, []byte("x"))
	got, warnings, reqs := ocRun(t, s, ocClient(t, s), filepath.Join(file, "tokenyield", "review-cache.db"), 1, 2)
	ocCheck(t, got, sc.want, 1, 2)
	ocWarned(t, warnings, "cannot create the cache folder")
	if len(reqs) != 4 {
		t.Errorf("requests %q", reqs)
	}
}

// TestOutcomesNoClient: without a token only the cache answers, the open
// pull request as last seen; what is not cached is counted in a warning.
func TestOutcomesNoClient(t *testing.T) {
	s := ocFake(t)
	sc := ocSetup(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	ocRun(t, s, ocClient(t, s), cache, 1, 2, 3, 4, 5)

	got, warnings, reqs := ocRun(t, s, nil, cache, 1, 2, 3, 4, 5, 6)
	ocCheck(t, got, sc.want, 1, 2, 3, 4)
	if len(reqs) != 0 {
		t.Errorf("requests without a client: %q", reqs)
	}
	ocWarned(t, warnings, "no GitHub token and no cached outcome for 1 of 6 pull requests")

	got, warnings, _ = ocRun(t, s, nil, "", 1)
	if len(got) != 0 {
		t.Errorf("no client, no cache: outcomes %v", ocKeys(got))
	}
	ocWarned(t, warnings, "for 1 of 1 pull requests")
}

// TestOutcomesRepoCase: GitHub names ignore case, and so does the cache.
func TestOutcomesRepoCase(t *testing.T) {
	s := ocFake(t)
	sc := ocSetup(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	ocRun(t, s, ocClient(t, s), cache, 1, 2)
	before := len(s.Requests())
	got, _, err := review.Outcomes(context.Background(), ocClient(t, s), cache, "OCTO", "Widgets", []int{1, 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ocCheck(t, got, sc.want, 1, 2)
	if reqs := ocRequests(s, before); len(reqs) != 0 {
		t.Errorf("requests %q, want none", reqs)
	}
}

// TestOutcomesProgress: progress starts with the cached count and rises
// to the total.
func TestOutcomesProgress(t *testing.T) {
	s := ocFake(t)
	ocSetup(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	ocRun(t, s, ocClient(t, s), cache, 1, 2)

	var calls [][2]int
	_, _, err := review.Outcomes(context.Background(), ocClient(t, s), cache, ocOwner, ocRepo, []int{1, 2, 3, 4, 5}, func(done, total int) {
		calls = append(calls, [2]int{done, total})
	})
	if err != nil {
		t.Fatal(err)
	}
	// #1 and #2 cached; then #5 (404), #4 and #3 fetched.
	want := [][2]int{{2, 5}, {3, 5}, {4, 5}, {5, 5}}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("progress calls %v, want %v", calls, want)
	}
}

// TestOutcomesCancel: a cancelled context returns its error with what was
// fetched before, which stays cached.
func TestOutcomesCancel(t *testing.T) {
	s := ocFake(t)
	sc := ocSetup(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.OnNext(http.MethodGet, ocPulls+"1", cancel)
	got, _, err := review.Outcomes(ctx, ocClient(t, s), cache, ocOwner, ocRepo, []int{1, 2}, nil)
	if err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) {
		t.Fatalf("error %v, want the context's", err)
	}
	ocCheck(t, got, sc.want, 2)
	warnings, reqs := ocRunReqs(t, s, cache, 1, 2)
	if want := []string{"GET /pulls/1", "GET /pulls/1/reviews"}; !reflect.DeepEqual(reqs, want) || len(warnings) != 0 {
		t.Errorf("after the cancel: requests %q warnings %q, want %q", reqs, warnings, want)
	}
}

// TestOutcomesConcurrentRuns: two runs at once on one cache both succeed
// (the second waits for the first's writes) and leave it complete.
func TestOutcomesConcurrentRuns(t *testing.T) {
	s := ocFake(t)
	sc := ocSetup(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	var wg sync.WaitGroup
	results := make([]map[int]*review.Outcome, 2)
	warns := make([][]string, 2)
	errs := make([]error, 2)
	for i := range 2 {
		c := ocClient(t, s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], warns[i], errs[i] = review.Outcomes(context.Background(), c, cache, ocOwner, ocRepo, []int{1, 2, 4}, nil)
		}()
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil || len(warns[i]) != 0 {
			t.Errorf("run %d: error %v warnings %q", i, errs[i], warns[i])
		}
		ocCheck(t, results[i], sc.want, 1, 2, 4)
	}
	if _, reqs := ocRunReqs(t, s, cache, 1, 2, 4); len(reqs) != 0 {
		t.Errorf("after two runs: requests %q", reqs)
	}
}

// TestApplyPulls attaches outcomes, titles and logins to a dataset.
func TestApplyPulls(t *testing.T) {
	d := review.Dataset{PRs: []review.PR{
		{Number: 1, Title: "subject from git", Author: "Alice Example"},
		{Number: 2, Title: "other", Author: "Bob"},
		{Number: 3, Title: "kept", Author: "Carol"},
	}}
	pulls := map[int]*review.PullInfo{
		1: {Number: 1, Title: "Add widgets", Author: "alice", State: "closed", Outcome: review.Outcome{State: "APPROVED", Approvals: 1}},
		3: {Number: 3, State: "closed", Outcome: review.Outcome{State: "NONE"}},
		9: {Number: 9, Title: "not in the dataset"},
	}
	if n := review.ApplyPulls(&d, pulls); n != 2 {
		t.Errorf("ApplyPulls = %d, want 2", n)
	}
	if p := d.PRs[0]; p.Review == nil || p.Review.State != "APPROVED" || p.Title != "Add widgets" || p.Author != "alice" {
		t.Errorf("#1 = %+v", p)
	}
	if p := d.PRs[1]; p.Review != nil || p.Title != "other" || p.Author != "Bob" {
		t.Errorf("#2 changed: %+v", p)
	}
	if p := d.PRs[2]; p.Review == nil || p.Review.State != "NONE" || p.Title != "kept" || p.Author != "Carol" {
		t.Errorf("#3 = %+v (empty API title and author keep git's)", p)
	}
	// The dataset holds a copy: changing the map's outcome changes nothing.
	pulls[1].Outcome.Approvals = 99
	if d.PRs[0].Review.Approvals != 1 {
		t.Error("the dataset shares the outcome with the map")
	}
}

// TestCachePath: the cache lives in the git common directory, shared by
// worktrees.
func TestCachePath(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	gitRun := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	main := filepath.Join(dir, "main")
	if err := os.Mkdir(main, 0o755); err != nil {
		t.Fatal(err)
	}
	gitRun(main, "init", "-q", "-b", "main")
	gitRun(main, "commit", "-q", "--allow-empty", "-m", "first")
	wt := filepath.Join(dir, "wt")
	gitRun(main, "worktree", "add", "-q", wt)

	want := filepath.Join(main, ".git", "tokenyield", "review-cache.db")
	for _, d := range []string{main, wt} {
		g, err := gitcli.New(d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := review.CachePath(context.Background(), g)
		if err != nil {
			t.Fatal(err)
		}
		if !ocSame(t, got, want) {
			t.Errorf("CachePath in %s = %s, want %s", d, got, want)
		}
	}
}

// ocSame compares two paths after resolving symbolic links in their
// existing parents (macOS temp folders are behind /var -> /private/var).
func ocSame(t *testing.T, a, b string) bool {
	t.Helper()
	resolve := func(p string) string {
		dir, err := filepath.EvalSymlinks(filepath.Dir(filepath.Dir(p)))
		if err != nil {
			return p
		}
		return filepath.Join(dir, filepath.Base(filepath.Dir(p)), filepath.Base(p))
	}
	return resolve(a) == resolve(b)
}

// ocWrite writes a file, creating its folder.
func ocWrite(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ocExec runs statements on a database file (rollback journal, so the file
// is complete when closed).
func ocExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// ocUserVersion reads a database's user_version.
func ocUserVersion(t *testing.T, path string) int {
	t.Helper()
	v, err := strconv.Atoi(ocPragma(t, path, "user_version"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// ocPragma reads a pragma of a database.
func ocPragma(t *testing.T, path, name string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// wantCacheVersion is the cache schema version this package writes
// (outcomeCacheVersion).
const wantCacheVersion = 2

// TestOutcomesKeepQuota: fetching stops once GitHub says a quarter of the
// hourly quota is left, with a warning; after the reset the next run
// fetches only what is missing.
func TestOutcomesKeepQuota(t *testing.T) {
	s := ocFake(t)
	sc := ocSetup(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	s.SetQuota(1000, 252, time.Hour)
	got, warnings, reqs := ocRun(t, s, ocClient(t, s), cache, 1, 2)
	ocCheck(t, got, sc.want, 2)
	ocWarned(t, warnings, "stopped asking GitHub after reaching the quarter of its hourly quota kept for other jobs (250 of 1,000 requests left until", "1 of 2 pull requests left unknown; a later run resumes")
	if len(reqs) != 2 {
		t.Errorf("requests %q, want the 2 of #2", reqs)
	}
	s.SetQuota(1000, 1000, time.Hour)
	got, warnings, reqs = ocRun(t, s, ocClient(t, s), cache, 1, 2)
	ocCheck(t, got, sc.want, 1, 2)
	if len(warnings) != 0 || len(reqs) != 2 {
		t.Errorf("after the reset: warnings %q requests %q, want none and the 2 of #1", warnings, reqs)
	}
}
