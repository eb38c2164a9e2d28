package review_test

import (
	"context"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/ghfake"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/review"
)

// cpHistory is a history whose pull requests git alone cannot find: only
// GitHub's "pull requests of a commit" can.
type cpHistory struct {
	*rvRepo
	sha   map[string]string
	truth attribution.Usage
	// asked are the commits a first run asks GitHub about, newest first.
	asked []string
}

// cpScenario builds, on main, oldest first:
//
//	init      direct, no data (GitHub: no pull request)
//	d0        direct (GitHub: no pull request)
//	l1 l2 l3  #7 rebase-merged without fetched heads: copies of p1 (note,
//	          lost in the copy), p2 (trailers, kept), p3 (no data); the
//	          Action's rollup note on l3 holds p1's usage
//	s8        #8 squash-merged under an edited subject (no "(#8)"); its
//	          message keeps the squashed commit's trailers
//	m9        #9 merged with a rewritten message "Merge branch 'feat9'":
//	          q1 (note)
//	d1        direct with a note (GitHub: no pull request)
//	d2        direct; GitHub lists an open pull request #10 containing it
//	s11       "Docs (#11)": found by its subject, never asked about
//	u1        not pushed: GitHub answers 422
func cpScenario(t *testing.T, s *ghfake.Server) *cpHistory {
	t.Helper()
	gittest.Isolate(t)
	h := &cpHistory{rvRepo: &rvRepo{t: t, dir: gittest.Init(t), when: rvBase}, sha: map[string]string{}}
	r, sha := h.rvRepo, h.sha
	keep := func(n attribution.Note) { h.truth = h.truth.Add(n.Total.Usage) }
	direct := func(name string) {
		s.AddCommitObject(ocOwner, ocRepo, ghfake.Commit{SHA: sha[name], Message: name})
	}

	sha["init"] = r.commit("Initial commit", "README.md", "hello\n")
	direct("init")

	r.git("checkout", "-q", "-b", "feat7")
	nP1 := rvNote("claude-code", "s1", "claude-sonnet-4-5", 1000, 2000, 0.5)
	tP2 := rvNote("codex", "", "gpt-5", 300, 400, 0.2)
	sha["p1"] = r.commitAs("Ada", "ada@example.com", "Seven: one", "seven.go", "package main\n\nvar seven = 1\n")
	r.note(sha["p1"], nP1)
	sha["p2"] = r.commitAs("Ada", "ada@example.com", rvTrailers("Seven: two", tP2), "seven.go", "package main\n\nvar seven = 2\n")
	sha["p3"] = r.commitAs("Ada", "ada@example.com", "Seven: three", "seven.go", "package main\n\nvar seven = 3\n")
	keep(nP1)
	keep(tP2)
	r.git("checkout", "-q", "main")
	sha["d0"] = r.commit("Bump version", "VERSION", "1\n")
	direct("d0")
	r.tick()
	r.git("cherry-pick", sha["p1"], sha["p2"], sha["p3"])
	sha["l3"] = r.git("rev-parse", "HEAD")
	sha["l2"] = r.git("rev-parse", "HEAD^")
	sha["l1"] = r.git("rev-parse", "HEAD^^")
	r.note(sha["l3"], nP1) // the Action's rollup: the usage the copies lost
	r.git("branch", "-q", "-D", "feat7")
	s.SetPR(ocOwner, ocRepo, 7, ghfake.PR{State: "closed", Merged: true, MergeCommitSHA: sha["l3"],
		Landed: []string{sha["l1"], sha["l2"], sha["l3"]}, MergedAt: r.when})

	r.git("checkout", "-q", "-b", "feat8")
	tS := rvNote("gemini-cli", "", "gemini-2.5-pro", 50, 60, 0.01)
	r.commit(rvTrailers("Faster lexer", tS), "lexer.go", "package main\n\nvar lexer = 2\n")
	keep(tS)
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--squash", "feat8")
	sha["s8"] = r.commitAs("Bea", "bea@example.com", rvTrailers("Speed up the lexer\n\n* Faster lexer", tS))
	r.git("branch", "-q", "-D", "feat8")
	s.SetPR(ocOwner, ocRepo, 8, ghfake.PR{State: "closed", Merged: true, MergeCommitSHA: sha["s8"], MergedAt: r.when})

	r.git("checkout", "-q", "-b", "feat9")
	nQ1 := rvNote("claude-code", "s9", "claude-opus-4-1", 70, 80, 0.07)
	sha["q1"] = r.commitAs("Cy", "cy@example.com", "Nine", "nine.go", "package main\n\nvar nine = 9\n")
	r.note(sha["q1"], nQ1)
	keep(nQ1)
	r.git("checkout", "-q", "main")
	r.tick()
	r.git("merge", "-q", "--no-ff", "-m", "Merge branch 'feat9'", "feat9")
	sha["m9"] = r.git("rev-parse", "HEAD")
	s.SetPR(ocOwner, ocRepo, 9, ghfake.PR{State: "closed", Merged: true, MergeCommitSHA: sha["m9"], MergedAt: r.when})
	s.AddCommits(ocOwner, ocRepo, 9, ghfake.Commit{SHA: sha["q1"], Message: "Nine"})

	nD1 := rvNote("claude-code", "s2", "claude-haiku-4-5", 5, 6, 0.005)
	sha["d1"] = r.commit("Fix on main", "README.md", "hello world\n")
	r.note(sha["d1"], nD1)
	keep(nD1)
	direct("d1")

	sha["d2"] = r.commit("Another fix on main", "README.md", "hello again\n")
	s.SetPR(ocOwner, ocRepo, 10, ghfake.PR{HeadSHA: sha["d2"]}) // open: did not land it

	sha["s11"] = r.commit("Docs (#11)", "DOCS.md", "docs\n")

	sha["u1"] = r.commit("Not pushed yet", "LOCAL.md", "local\n")
	s.Respond("GET", "/repos/"+ocOwner+"/"+ocRepo+"/commits/"+sha["u1"]+"/pulls", http.StatusUnprocessableEntity,
		map[string]any{"message": "No commit found for SHA: " + sha["u1"], "documentation_url": "https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit"})

	for _, name := range []string{"u1", "d2", "d1", "m9", "s8", "l3", "l2", "l1", "d0", "init"} {
		h.asked = append(h.asked, sha[name])
	}
	return h
}

// cpCollect runs Collect with GitHub as the pull request finder (a new
// client: a new process) and returns the dataset and the commits asked
// about.
func cpCollect(t *testing.T, s *ghfake.Server, h *cpHistory, cache string, lookups int) (review.Dataset, []string) {
	t.Helper()
	gh := &review.GitHub{Client: ocClient(t, s), Owner: ocOwner, Repo: ocRepo, CachePath: cache, CommitLookups: lookups}
	before := len(s.Requests())
	d := rvCollect(t, h.dir, review.CollectOptions{FindPulls: func(ctx context.Context, shas []string) (map[string]int, []string) {
		return gh.PullsOf(ctx, shas, nil)
	}})
	var asked []string
	for _, req := range s.Requests()[before:] {
		rest, ok := strings.CutPrefix(req.Path, "/repos/"+ocOwner+"/"+ocRepo+"/commits/")
		if !ok {
			t.Errorf("unexpected request %s %s", req.Method, req.Path)
			continue
		}
		asked = append(asked, strings.TrimSuffix(rest, "/pulls"))
	}
	return d, asked
}

// cpShape lists, per pull request, its merge kind and commits, and the
// direct commits, by name.
func cpShape(h *cpHistory, d review.Dataset) (map[int]string, []string) {
	names := map[string]string{}
	for n, s := range h.sha {
		names[s] = n
	}
	prs := map[int]string{}
	for _, pr := range d.PRs {
		var commits []string
		for _, c := range pr.Commits {
			commits = append(commits, names[c.SHA])
		}
		prs[pr.Number] = pr.Merge + " " + strings.Join(commits, ",")
	}
	var direct []string
	for _, c := range d.Direct {
		direct = append(direct, names[c.SHA])
	}
	return prs, direct
}

// cpTotal sums the dataset's usage over its pull requests and direct
// commits.
func cpTotal(d review.Dataset) attribution.Usage {
	var u attribution.Usage
	for _, pr := range d.PRs {
		for _, c := range pr.Commits {
			u = u.Add(c.Usage.Total.Usage)
		}
	}
	for _, c := range d.Direct {
		u = u.Add(c.Usage.Total.Usage)
	}
	return u
}

// TestCollectFindsPullsThroughGitHub: commits git cannot place are put in
// the pull request GitHub names (a rebase merge, an edited squash subject,
// a rewritten merge message), with each commit and each token counted
// once; what GitHub answers is cached, so a second run asks only about the
// commit GitHub did not know.
func TestCollectFindsPullsThroughGitHub(t *testing.T) {
	s := ocFake(t)
	h := cpScenario(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")

	wantPRs := map[int]string{
		7:  review.MergeRebase + " l1,l2,l3",
		8:  review.MergeSquash + " s8",
		9:  review.MergeCommit + " q1",
		11: review.MergeSquash + " s11",
	}
	wantDirect := []string{"u1", "d2", "d1", "d0", "init"}

	d, asked := cpCollect(t, s, h, cache, 0)
	prs, direct := cpShape(h, d)
	if !maps.Equal(prs, wantPRs) || !slices.Equal(direct, wantDirect) {
		t.Errorf("first run: PRs %v direct %v;\nwant %v %v", prs, direct, wantPRs, wantDirect)
	}
	if !slices.Equal(asked, h.asked) {
		t.Errorf("first run asked about %v, want (newest first) %v", short(asked), short(h.asked))
	}
	if got := cpTotal(d); got != h.truth {
		t.Errorf("total %+v, want the usage made %+v", got, h.truth)
	}
	if !slices.ContainsFunc(d.Partial, func(p string) bool { return strings.Contains(p, "GitHub does not know 1 commit(s)") }) {
		t.Errorf("partial %q lacks the unknown commit", d.Partial)
	}
	for _, pr := range d.PRs {
		if pr.Number == 7 && (pr.MergeSHA != h.sha["l3"] || pr.Author != "Ada") {
			t.Errorf("#7 landed as %s by %q, want l3 by Ada", pr.MergeSHA, pr.Author)
		}
	}

	d2, asked2 := cpCollect(t, s, h, cache, 0)
	if !slices.Equal(asked2, []string{h.sha["u1"]}) {
		t.Errorf("second run asked about %v, want only u1 (GitHub did not know it)", short(asked2))
	}
	prs2, direct2 := cpShape(h, d2)
	if !maps.Equal(prs2, wantPRs) || !slices.Equal(direct2, wantDirect) || cpTotal(d2) != h.truth {
		t.Errorf("second run: PRs %v direct %v total %+v", prs2, direct2, cpTotal(d2))
	}

	// Without GitHub the same commits are direct (the merge m9, without
	// data, is not listed; q1 is), and the total the same.
	plain := rvCollect(t, h.dir, review.CollectOptions{})
	prs3, direct3 := cpShape(h, plain)
	if !maps.Equal(prs3, map[int]string{11: review.MergeSquash + " s11"}) || len(direct3) != 10 || cpTotal(plain) != h.truth {
		t.Errorf("without GitHub: PRs %v direct %v total %+v", prs3, direct3, cpTotal(plain))
	}
}

// TestCollectCommitLookupsBounded: a run asks about at most its bound of
// commits, newest first, says how many it left, and the next runs go on
// where it stopped until every commit is known.
func TestCollectCommitLookupsBounded(t *testing.T) {
	s := ocFake(t)
	h := cpScenario(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")

	d, asked := cpCollect(t, s, h, cache, 4)
	if !slices.Equal(asked, h.asked[:4]) {
		t.Errorf("bounded run asked about %v, want the 4 newest %v", short(asked), short(h.asked[:4]))
	}
	if !slices.ContainsFunc(d.Partial, func(p string) bool {
		return strings.Contains(p, "6 older commit(s) not yet asked about (GitHub is asked about 4 per run")
	}) {
		t.Errorf("partial %q lacks the commits left", d.Partial)
	}
	if cpTotal(d) != h.truth {
		t.Errorf("total %+v, want %+v", cpTotal(d), h.truth)
	}
	// u1 (422) is asked again each run; the cached answers are not.
	_, asked = cpCollect(t, s, h, cache, 4)
	if want := append([]string{h.sha["u1"]}, h.asked[4:7]...); !slices.Equal(asked, want) {
		t.Errorf("second bounded run asked about %v, want %v", short(asked), short(want))
	}
	_, asked = cpCollect(t, s, h, cache, 4)
	if want := append([]string{h.sha["u1"]}, h.asked[7:]...); !slices.Equal(asked, want) {
		t.Errorf("third bounded run asked about %v, want %v", short(asked), short(want))
	}
	d, _ = cpCollect(t, s, h, cache, 4)
	prs, _ := cpShape(h, d)
	if len(prs) != 4 {
		t.Errorf("after the runs: PRs %v, want 7, 8, 9 and 11", prs)
	}
}

// TestCollectCommitLookupsStop: a failure that would repeat (here the
// repository unreadable: 404) stops the asking at once; nothing is cached
// and the commits stay direct, with a note.
func TestCollectCommitLookupsStop(t *testing.T) {
	s := ocFake(t)
	h := cpScenario(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	s.Respond("GET", "/repos/"+ocOwner+"/"+ocRepo+"/commits/"+h.sha["u1"]+"/pulls", http.StatusNotFound,
		map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
	d, asked := cpCollect(t, s, h, cache, 0)
	if len(asked) != 1 {
		t.Errorf("asked about %v after a 404, want one commit", short(asked))
	}
	if len(d.PRs) != 1 || !slices.ContainsFunc(d.Partial, func(p string) bool {
		return strings.Contains(p, "stopped asking GitHub which pull requests landed commits") && strings.Contains(p, "10 commit(s) counted as direct for now")
	}) {
		t.Errorf("PRs %d partial %q", len(d.PRs), d.Partial)
	}
	if cpTotal(d) != h.truth {
		t.Errorf("total %+v, want %+v", cpTotal(d), h.truth)
	}
}

// TestPullsOfCommitsCacheOnly: without a client the cache's answers are
// used and nothing is asked.
func TestPullsOfCommitsCacheOnly(t *testing.T) {
	s := ocFake(t)
	h := cpScenario(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	cpCollect(t, s, h, cache, 0)
	before := len(s.Requests())
	found, notes, err := review.PullsOfCommits(context.Background(), nil, cache, ocOwner, ocRepo, h.asked, 100, nil)
	if err != nil || len(notes) != 0 || len(s.Requests()) != before {
		t.Fatalf("err %v notes %q requests %d", err, notes, len(s.Requests())-before)
	}
	want := map[string]int{h.sha["l1"]: 7, h.sha["l2"]: 7, h.sha["l3"]: 7, h.sha["s8"]: 8, h.sha["m9"]: 9}
	if !maps.Equal(found, want) {
		t.Errorf("found %v, want %v", found, want)
	}
}

// TestPullOfCommitChoice: of the pull requests GitHub lists for a commit,
// the one merged as it wins, else the earliest merged; open ones and ones
// into another repository never.
func TestPullOfCommitChoice(t *testing.T) {
	s := ocFake(t)
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	a, b := ghfake.SHA("a"), ghfake.SHA("b")
	s.AddCommitObject(ocOwner, ocRepo, ghfake.Commit{SHA: a, Message: "a"})
	s.AddCommitObject(ocOwner, ocRepo, ghfake.Commit{SHA: b, Message: "b"})
	// a: in #1 (open), #2 (merged later) and #3 (merged earlier).
	s.SetPR(ocOwner, ocRepo, 1, ghfake.PR{HeadSHA: a})
	s.SetPR(ocOwner, ocRepo, 2, ghfake.PR{State: "closed", Merged: true, MergedAt: t0.Add(time.Hour), Landed: []string{a}})
	s.SetPR(ocOwner, ocRepo, 3, ghfake.PR{State: "closed", Merged: true, MergedAt: t0, Landed: []string{a}})
	// a: also in #6, merged earliest of all, but into another repository.
	s.SetPR(ocOwner, ocRepo, 6, ghfake.PR{State: "closed", Merged: true, MergedAt: t0.Add(-time.Hour), Landed: []string{a},
		Extra: map[string]any{"base": map[string]any{"repo": map[string]any{"full_name": "someone/fork"}}}})
	// b: in #4 (merged earlier) and merged as #5.
	s.SetPR(ocOwner, ocRepo, 4, ghfake.PR{State: "closed", Merged: true, MergedAt: t0, Landed: []string{b}})
	s.SetPR(ocOwner, ocRepo, 5, ghfake.PR{State: "closed", Merged: true, MergedAt: t0.Add(time.Hour), MergeCommitSHA: b})
	found, notes, err := review.PullsOfCommits(context.Background(), ocClient(t, s), "", ocOwner, ocRepo, []string{a, b}, 10, nil)
	if err != nil || len(notes) != 0 {
		t.Fatalf("err %v notes %q", err, notes)
	}
	if found[a] != 3 || found[b] != 5 {
		t.Errorf("found %v, want a -> #3 (earliest merged here), b -> #5 (merged as b)", found)
	}
}

// TestCollectCommitLookupsKeepQuota: the lookups stop once GitHub says a
// quarter of the hourly quota is left (an Action's 1,000 requests are
// shared with the repository's pull request reports), with a note.
func TestCollectCommitLookupsKeepQuota(t *testing.T) {
	s := ocFake(t)
	h := cpScenario(t, s)
	s.SetQuota(1000, 255, time.Hour)
	d, asked := cpCollect(t, s, h, filepath.Join(t.TempDir(), "review-cache.db"), 0)
	if !slices.Equal(asked, h.asked[:5]) {
		t.Errorf("asked about %v, want the 5 newest (255 -> 250 left)", short(asked))
	}
	if !slices.ContainsFunc(d.Partial, func(p string) bool {
		return strings.Contains(p, "after reaching the quarter of its hourly quota kept for other jobs (250 of 1,000 requests left until") &&
			strings.Contains(p, "5 commit(s) counted as direct for now")
	}) {
		t.Errorf("partial %q lacks the quota note", d.Partial)
	}
}

// TestCollectCommitLookupsOff: with lookups off nothing is asked, a note
// says how many commits stayed direct for it, and the answers cached by an
// earlier run still place their commits.
func TestCollectCommitLookupsOff(t *testing.T) {
	s := ocFake(t)
	h := cpScenario(t, s)
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	hasNote := func(d review.Dataset, want string) bool {
		return slices.ContainsFunc(d.Partial, func(p string) bool { return strings.Contains(p, want) })
	}

	d, asked := cpCollect(t, s, h, cache, -1)
	if len(asked) != 0 || len(d.PRs) != 1 || !hasNote(d, "GitHub was not asked about 10 commit(s) git cannot place (lookups off)") {
		t.Errorf("off on a new cache: asked %v, %d PRs, partial %q", short(asked), len(d.PRs), d.Partial)
	}
	cpCollect(t, s, h, cache, 0) // fills the cache
	d, asked = cpCollect(t, s, h, cache, -1)
	prs, _ := cpShape(h, d)
	if len(asked) != 0 || len(prs) != 4 || !hasNote(d, "GitHub was not asked about 1 commit(s)") {
		t.Errorf("off on a filled cache: asked %v, PRs %v, partial %q", short(asked), prs, d.Partial)
	}
}

// TestOutcomesMoveIssueNumbersToDirect: a "(#N)" subject whose N GitHub
// says is no pull request (an issue named in a directly pushed commit)
// leaves the pull requests: its commit joins the direct bucket in its
// place, with a note, and the totals stay the same.
func TestOutcomesMoveIssueNumbersToDirect(t *testing.T) {
	s := ocFake(t)
	h := cpScenario(t, s)
	s.Respond("GET", "/repos/"+ocOwner+"/"+ocRepo+"/pulls/11", http.StatusNotFound,
		map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
	cache := filepath.Join(t.TempDir(), "review-cache.db")
	for run := 1; run <= 2; run++ {
		d, _ := cpCollect(t, s, h, cache, 0)
		before := cpTotal(d)
		gh := &review.GitHub{Client: ocClient(t, s), Owner: ocOwner, Repo: ocRepo, CachePath: cache}
		gh.AddOutcomes(context.Background(), &d, nil)
		prs, direct := cpShape(h, d)
		wantDirect := []string{"u1", "s11", "d2", "d1", "d0", "init"}
		if _, ok := prs[11]; ok || len(prs) != 3 || !slices.Equal(direct, wantDirect) {
			t.Errorf("run %d: PRs %v direct %v, want 7, 8, 9 and %v", run, prs, direct, wantDirect)
		}
		if !slices.ContainsFunc(d.Partial, func(p string) bool {
			return strings.Contains(p, "#11 in commit subjects is not a pull request on GitHub (an issue reference?): its commits count as direct")
		}) {
			t.Errorf("run %d: partial %q lacks the note", run, d.Partial)
		}
		if cpTotal(d) != before || before != h.truth {
			t.Errorf("run %d: total %+v, want %+v", run, cpTotal(d), h.truth)
		}
	}
	if n := s.Count("GET", "/repos/"+ocOwner+"/"+ocRepo+"/pulls/11"); n != 1 {
		t.Errorf("#11 asked %d times, want once (the 404 is cached)", n)
	}
}
