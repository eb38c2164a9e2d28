package review_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/ledger"
	"github.com/tokenyield/tokenyield/internal/review"
	"github.com/tokenyield/tokenyield/internal/tokenize"
)

// rvHistory is the scenario repository of the Collect tests and what it
// holds, by construction.
type rvHistory struct {
	*rvRepo
	sha map[string]string // name -> commit
	// truth is every piece of AI usage made in the scenario, once: the
	// totals any correct review must find.
	truth []attribution.Note
	// rollupCommit carries a rollup note that repeats its PR's trailers;
	// its own trailers are rollupOwn.
	rollupCommit string
	rollupOwn    attribution.Note
	// times of some landings, for the window tests.
	landed map[string]time.Time
}

// rvScenario builds a repository with every way a change lands on main:
//
//	init          direct, no data (root commit)
//	#1            merge commit "Merge pull request #1 …": a1 (note), a2 (trailers), a3 (no data)
//	d1            direct commit with a note of unknown cost
//	#2            squash "Feature two (#2)" with a rollup note; refs/pull/2/head = b1 (note), b2 (note)
//	#3            squash "Feature three (#3)" whose message keeps the squashed trailers; no head ref
//	#4            rebase merge (copies of r1, r2, no number) with a rollup note on the last copy; refs/pull/4/head = r1, r2 (trailers)
//	#5            rebase merge "Part one (#5)", "Part two (#5)" (trailers) with a rollup note on the last
//	#6            merge commit "Merge branch 'feat6'" whose second parent is refs/pull/6/head: f1 (note)
//	d2            direct, no data
//	#7            merge commit "Merge pull request #7 …": g1 (note), "Merge branch 'main' into feat7", g2 (no data)
//	revert        git revert of #3's squash commit (direct)
//	hotfix merge  "Merge branch 'hotfix'": h1 (note) is direct
//	x1            direct, a malformed note (rejected)
func rvScenario(t *testing.T) *rvHistory {
	t.Helper()
	gittest.Isolate(t)
	h := &rvHistory{rvRepo: &rvRepo{t: t, dir: gittest.Init(t), when: rvBase}, sha: map[string]string{}, landed: map[string]time.Time{}}
	r := h.rvRepo
	sha := h.sha
	keep := func(notes ...attribution.Note) { h.truth = append(h.truth, notes...) }

	sha["init"] = r.commit("Initial commit", "README.md", "hello\n", "main.go", "package main\n")

	// #1: a true merge.
	r.git("checkout", "-q", "-b", "feat1")
	nA1 := rvNote("claude-code", "s1", "claude-sonnet-4-5", 1000, 2000, 0.5)
	tA2 := rvNote("codex", "", "gpt-5", 500, 700, 0.2)
	sha["a1"] = r.commitAs("Ada", "ada@example.com", "Add parser", "parser.go", "package main\n\nfunc parse() {}\n")
	r.note(sha["a1"], nA1)
	sha["a2"] = r.commitAs("Ada", "ada@example.com", rvTrailers("Test parser", tA2), "parser_test.go", "package main\n")
	sha["a3"] = r.commitAs("Ada", "ada@example.com", "Tidy", "parser.go", "package main\n\nfunc parse() { }\n")
	keep(nA1, tA2)
	r.git("checkout", "-q", "main")
	r.tick()
	r.git("merge", "-q", "--no-ff", "-m", "Merge pull request #1 from ada/feat1", "-m", "Parser: first version", "feat1")
	sha["m1"] = r.git("rev-parse", "HEAD")

	// A direct commit, cost unknown.
	nD1 := rvNote("claude-code", "s3", "mystery-model", 300, 400, -1)
	sha["d1"] = r.commitAs("Bob", "bob@example.com", "Fix typo on main", "README.md", "hello world\n")
	r.note(sha["d1"], nD1)
	keep(nD1)

	// #2: squash with the PR's commits fetched and a rollup note.
	r.git("checkout", "-q", "-b", "feat2")
	nB1 := rvNote("claude-code", "s4", "claude-sonnet-4-5", 100, 200, 0.1)
	nB2 := rvNote("claude-code", "s4", "claude-sonnet-4-5", 150, 250, 0.15)
	sha["b1"] = r.commitAs("Cy", "cy@example.com", "Lexer", "lexer.go", "package main\n\nvar lexer int\n")
	r.note(sha["b1"], nB1)
	sha["b2"] = r.commitAs("Cy", "cy@example.com", "Lexer tests", "lexer_test.go", "package main\n\nvar lexerTest int\n")
	r.note(sha["b2"], nB2)
	keep(nB1, nB2)
	r.git("update-ref", "refs/pull/2/head", sha["b2"])
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--squash", "feat2")
	sha["s2"] = r.commitAs("Cy", "cy@example.com", "Feature two (#2)")
	r.note(sha["s2"], rvSum(nB1, nB2))
	r.git("branch", "-q", "-D", "feat2")

	// #3: squash without the PR's commits; the message keeps their trailers.
	r.git("checkout", "-q", "-b", "feat3")
	tC1 := rvNote("gemini-cli", "", "gemini-2.5-pro", 50, 60, 0.01)
	tC2 := rvNote("gemini-cli", "", "gemini-2.5-pro", 70, 80, 0.02)
	r.commit(rvTrailers("Step one", tC1), "three.go", "package main\n\nvar three = 1\n")
	r.commit(rvTrailers("Step two", tC2), "three.go", "package main\n\nvar three = 2\n")
	keep(tC1, tC2)
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--squash", "feat3")
	sha["s3"] = r.commitAs("Dee", "dee@example.com", rvTrailers("Feature three (#3)\n\n* Step one\n* Step two", rvSum(tC1, tC2)))
	r.git("branch", "-q", "-D", "feat3")

	// #4: rebase merge (GitHub adds no number) with the PR's commits fetched.
	r.git("checkout", "-q", "-b", "feat4")
	tR1 := rvNote("claude-code", "", "claude-opus-4-1", 20, 30, 0.03)
	tR2 := rvNote("claude-code", "", "claude-opus-4-1", 40, 50, 0.04)
	sha["r1"] = r.commitAs("Eve", "eve@example.com", rvTrailers("Four: part one", tR1), "four.go", "package main\n\nvar four = 1\n")
	sha["r2"] = r.commitAs("Eve", "eve@example.com", rvTrailers("Four: part two", tR2), "four.go", "package main\n\nvar four = 2\n")
	keep(tR1, tR2)
	r.git("update-ref", "refs/pull/4/head", sha["r2"])
	r.git("checkout", "-q", "main")
	sha["d0"] = r.commit("Bump version", "VERSION", "1\n")
	r.tick()
	r.git("cherry-pick", sha["r1"], sha["r2"])
	sha["r2copy"] = r.git("rev-parse", "HEAD")
	sha["r1copy"] = r.git("rev-parse", "HEAD^")
	r.note(sha["r2copy"], rvSum(tR1, tR2))
	r.git("branch", "-q", "-D", "feat4")

	// #5: rebase merge keeping "(#5)", a rollup note on the last commit.
	tP1 := rvNote("codex", "", "gpt-5", 11, 22, 0.001)
	tP2 := rvNote("codex", "", "gpt-5", 33, 44, 0.002)
	sha["p1"] = r.commitAs("Fay", "fay@example.com", rvTrailers("Part one (#5)", tP1), "five.go", "package main\n\nvar five = 1\n")
	sha["p2"] = r.commitAs("Fay", "fay@example.com", rvTrailers("Part two (#5)", tP2), "five.go", "package main\n\nvar five = 2\n")
	r.note(sha["p2"], rvSum(tP1, tP2))
	keep(tP1, tP2)
	h.rollupCommit, h.rollupOwn = sha["p2"], tP2

	// #6: a merge with a custom subject, known by refs/pull/6/head.
	r.git("checkout", "-q", "-b", "feat6")
	nF1 := rvNote("claude-code", "s6", "claude-sonnet-4-5", 600, 700, 0.6)
	sha["f1"] = r.commitAs("Gus", "gus@example.com", "Six", "six.go", "package main\n\nvar six = 6\n")
	r.note(sha["f1"], nF1)
	keep(nF1)
	r.git("update-ref", "refs/pull/6/head", sha["f1"])
	r.git("checkout", "-q", "main")
	r.tick()
	r.git("merge", "-q", "--no-ff", "-m", "Merge branch 'feat6'", "feat6")
	sha["m6"] = r.git("rev-parse", "HEAD")
	h.landed["m6"] = r.when

	// #7: a PR branch that merged main in between.
	r.git("checkout", "-q", "-b", "feat7")
	nG1 := rvNote("claude-code", "s7", "claude-sonnet-4-5", 700, 800, 0.7)
	sha["g1"] = r.commitAs("Hal", "hal@example.com", "Seven", "seven.go", "package main\n\nvar seven = 7\n")
	r.note(sha["g1"], nG1)
	keep(nG1)
	r.git("checkout", "-q", "main")
	sha["d2"] = r.commit("Direct change", "README.md", "hello again\n")
	r.git("checkout", "-q", "feat7")
	r.tick()
	r.git("merge", "-q", "--no-ff", "-m", "Merge branch 'main' into feat7", "main")
	sha["g2"] = r.commitAs("Hal", "hal@example.com", "Seven, again", "seven.go", "package main\n\nvar seven = 77\n")
	r.git("checkout", "-q", "main")
	r.tick()
	r.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from hal/feat7", "-m", "Seventh feature", "feat7")
	sha["m7"] = r.git("rev-parse", "HEAD")

	// A revert of #3.
	r.tick()
	r.git("revert", "--no-edit", sha["s3"])
	sha["revert"] = r.git("rev-parse", "HEAD")

	// A non-PR merge: its commits are direct.
	r.git("checkout", "-q", "-b", "hotfix")
	nH1 := rvNote("claude-code", "s8", "claude-haiku-4-5", 5, 6, 0.005)
	sha["h1"] = r.commit("Hotfix", "hot.go", "package main\n\nvar hot = 1\n")
	r.note(sha["h1"], nH1)
	keep(nH1)
	r.git("checkout", "-q", "main")
	r.tick()
	r.git("merge", "-q", "--no-ff", "-m", "Merge branch 'hotfix'", "hotfix")

	// A malformed note: rejected, never counted.
	sha["x1"] = r.commit("Odd note", "odd.go", "package main\n")
	r.git("notes", "--ref="+ledger.NotesRef, "add", "-f", "-m", `{"v":1,"rows":"bad"}`, sha["x1"])
	return h
}

// rvCollect runs Collect on the repository.
func rvCollect(t *testing.T, dir string, opt review.CollectOptions) review.Dataset {
	t.Helper()
	g, err := gitcli.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	d, err := review.Collect(context.Background(), g, dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCollectScenario checks the grouping of every kind of landing: which
// commits each PR has, the merge kinds, the direct bucket, the revert, and
// that every commit appears once.
func TestCollectScenario(t *testing.T) {
	h := rvScenario(t)
	d := rvCollect(t, h.dir, review.CollectOptions{Tool: "tokenyield/test"})
	s := h.sha

	type want struct {
		merge    string
		commits  []string
		reverted bool
		title    string
		author   string
	}
	wants := map[int]want{
		1: {review.MergeCommit, []string{s["a1"], s["a2"], s["a3"]}, false, "Parser: first version", "Ada"},
		2: {review.MergeSquash, []string{s["b1"], s["b2"]}, false, "Feature two", "Cy"},
		3: {review.MergeSquash, []string{s["s3"]}, true, "Feature three", "Dee"},
		4: {review.MergeRebase, []string{s["r1"], s["r2"]}, false, "Four: part two", "Eve"},
		5: {review.MergeRebase, []string{s["p1"], s["p2"]}, false, "Part two", "Fay"},
		6: {review.MergeCommit, []string{s["f1"]}, false, "Merge branch 'feat6'", "Gus"},
		7: {review.MergeCommit, []string{s["g1"], s["g2"]}, false, "Seventh feature", "Hal"},
	}
	var order []int
	seen := map[string]bool{}
	for _, pr := range d.PRs {
		order = append(order, pr.Number)
		w, ok := wants[pr.Number]
		if !ok {
			t.Errorf("unexpected PR #%d", pr.Number)
			continue
		}
		var got []string
		for _, c := range pr.Commits {
			got = append(got, c.SHA)
			if seen[c.SHA] {
				t.Errorf("commit %s counted twice", c.SHA[:8])
			}
			seen[c.SHA] = true
		}
		if pr.Merge != w.merge || !slices.Equal(got, w.commits) || pr.Reverted != w.reverted || pr.Title != w.title || pr.Author != w.author {
			t.Errorf("PR #%d: merge %q commits %v reverted %v title %q author %q;\nwant %q %v %v %q %q",
				pr.Number, pr.Merge, short(got), pr.Reverted, pr.Title, pr.Author, w.merge, short(w.commits), w.reverted, w.title, w.author)
		}
	}
	if wantOrder := []int{7, 6, 5, 4, 3, 2, 1}; !slices.Equal(order, wantOrder) {
		t.Errorf("PR order %v, want newest first %v", order, wantOrder)
	}
	var direct []string
	for _, c := range d.Direct {
		direct = append(direct, c.SHA)
		if seen[c.SHA] {
			t.Errorf("direct commit %s also in a PR", c.SHA[:8])
		}
	}
	wantDirect := []string{s["x1"], s["h1"], s["revert"], s["d2"], s["d0"], s["d1"], s["init"]}
	if !slices.Equal(direct, wantDirect) {
		t.Errorf("direct commits %v, want %v", short(direct), short(wantDirect))
	}
	if d.Repo != "repo" || d.Branch != "main" || d.Tool != "tokenyield/test" {
		t.Errorf("repo %q branch %q tool %q", d.Repo, d.Branch, d.Tool)
	}
	for _, want := range []string{"1 rollup note(s) left out", "1 commit(s) with a rejected note"} {
		if !slices.ContainsFunc(d.Partial, func(p string) bool { return strings.Contains(p, want) }) {
			t.Errorf("partial %q lacks %q", d.Partial, want)
		}
	}
	for _, c := range d.Direct {
		if c.SHA == s["x1"] && (c.Source != "" || !strings.Contains(c.Problem, "note ignored")) {
			t.Errorf("x1: source %q problem %q, want the note rejected", c.Source, c.Problem)
		}
	}
}

// short abbreviates hashes for messages.
func short(shas []string) []string {
	out := make([]string, len(shas))
	for i, s := range shas {
		out[i] = s[:min(8, len(s))]
	}
	return out
}

// TestCollectTotalsMatchShow checks that the totals of every output's
// source (Compute) equal two independent sums: the usage made in the
// scenario (each piece once), and `tokenyield show`'s reading
// (ledger.Usage of each commit's note or trailers) of the dataset's
// commits, where the one rollup note the review leaves out is replaced by
// the commit's own trailers.
func TestCollectTotalsMatchShow(t *testing.T) {
	h := rvScenario(t)
	d := rvCollect(t, h.dir, review.CollectOptions{})
	m := review.Compute(d)

	var truth attribution.Usage
	for _, n := range h.truth {
		truth = truth.Add(n.Total.Usage)
	}

	led, err := ledger.Open(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = led.Close() }()
	var show attribution.Usage
	var commits, withData int
	each := func(c review.Commit) {
		commits++
		msg := h.git("log", "-1", "--format=%B", c.SHA)
		cu := led.Usage(plumbing.NewHash(c.SHA), msg+"\n")
		if c.SHA == h.rollupCommit {
			if cu.Source != ledger.FromNote || cu.Note.Total.Total == h.rollupOwn.Total.Total {
				t.Fatalf("the rollup commit reads %+v", cu)
			}
			cu.Note = h.rollupOwn
		} else if cu.Source != c.Source || cu.Note.Total.Usage != c.Usage.Total.Usage || !rvClose(cu.Note.Total.CostUSD, c.Usage.Total.CostUSD) {
			t.Errorf("%s: review %s %+v, show %s %+v", c.SHA[:8], c.Source, c.Usage.Total, cu.Source, cu.Note.Total)
		}
		if cu.Source != "" {
			withData++
			show = show.Add(cu.Note.Total.Usage)
		}
	}
	for _, pr := range d.PRs {
		for _, c := range pr.Commits {
			each(c)
		}
	}
	for _, c := range d.Direct {
		each(c)
	}
	got := attribution.Usage{Input: m.Totals.Input, Output: m.Totals.Output, CacheRead: m.Totals.CacheRead,
		CacheWrite: m.Totals.CacheWrite, Reasoning: m.Totals.Reasoning}
	if got != truth || show != truth {
		t.Errorf("totals %+v\n truth %+v\n  show %+v", got, truth, show)
	}
	if m.Totals.Tokens != truth.Total() {
		t.Errorf("tokens %d, want %d", m.Totals.Tokens, truth.Total())
	}
	if m.Totals.Commits != commits || m.Totals.CommitsWithData != withData || m.Totals.PRs != 7 {
		t.Errorf("commits %d/%d with data, PRs %d; want %d/%d, 7", m.Totals.Commits, m.Totals.CommitsWithData, m.Totals.PRs, commits, withData)
	}
	// d1's model has no price: the total cost is unknown, the rest is a
	// lower bound (sum of the known costs: 0.5+0.2+0.1+0.15+0.01+0.02+0.03+0.04+0.001+0.002+0.6+0.7+0.005).
	if m.Totals.CostUSD != nil || m.Totals.CostUnknownCommits != 1 || !rvClose(&m.Totals.CostKnownUSD, rvF(2.358)) {
		t.Errorf("cost %s known %g unknown commits %d", rvFmt(m.Totals.CostUSD), m.Totals.CostKnownUSD, m.Totals.CostUnknownCommits)
	}
	if m.Totals.Reverted != 1 {
		t.Errorf("reverted %d, want 1", m.Totals.Reverted)
	}
	// The direct bucket plus the PRs make the totals.
	var prTokens int64
	for _, r := range m.PRs {
		prTokens += r.Figures.Tokens
	}
	if prTokens+m.Direct.Tokens != m.Totals.Tokens {
		t.Errorf("PRs %d + direct %d != totals %d", prTokens, m.Direct.Tokens, m.Totals.Tokens)
	}
}

// TestCollectWindow checks that Since and Until select PRs by the time
// they landed, with all their commits.
func TestCollectWindow(t *testing.T) {
	h := rvScenario(t)
	since := h.landed["m6"]
	d := rvCollect(t, h.dir, review.CollectOptions{Since: since, Branch: "main"})
	var got []int
	for _, pr := range d.PRs {
		got = append(got, pr.Number)
	}
	if !slices.Equal(got, []int{7, 6}) {
		t.Errorf("since #6's merge: PRs %v, want [7 6]", got)
	}
	// #7 branched before the window: its first commit is still its own.
	if len(d.PRs) > 0 && (len(d.PRs[0].Commits) != 2 || d.PRs[0].Commits[0].SHA != h.sha["g1"]) {
		t.Errorf("#7 commits %d", len(d.PRs[0].Commits))
	}
	d = rvCollect(t, h.dir, review.CollectOptions{Until: since.Add(-time.Second), Branch: "main"})
	got = got[:0]
	for _, pr := range d.PRs {
		got = append(got, pr.Number)
	}
	if !slices.Equal(got, []int{5, 4, 3, 2, 1}) {
		t.Errorf("until before #6's merge: PRs %v, want [5 4 3 2 1]", got)
	}
	d = rvCollect(t, h.dir, review.CollectOptions{Until: rvBase.Add(-time.Hour)})
	if len(d.PRs) != 0 || len(d.Direct) != 0 {
		t.Errorf("before the first commit: %d PRs, %d direct", len(d.PRs), len(d.Direct))
	}
}

// TestCollectErrors checks bad branches.
func TestCollectErrors(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	gittest.Commit(t, dir, "a.txt", "a\n", "first")
	g, err := gitcli.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, branch := range []string{"no-such-branch", "--output=/tmp/x"} {
		if _, err := review.Collect(context.Background(), g, dir, review.CollectOptions{Branch: branch}); err == nil {
			t.Errorf("branch %q: no error", branch)
		}
	}
}

// TestCollectDiffTokens checks the diff tokens of the commits with data
// against the tokenizer run on the code they add (vendored files apart),
// and that commits without data stay unknown.
func TestCollectDiffTokens(t *testing.T) {
	gittest.Isolate(t)
	r := &rvRepo{t: t, dir: gittest.Init(t), when: rvBase}
	code := "package main\n\n// Hello says hello.\nfunc Hello() string { return \"héllo, wörld\" }\n"
	vendored := "package dep\n\nfunc Dep() {}\n"
	a := r.commit("Add hello", "hello.go", code, "vendor/dep/dep.go", vendored, "go.sum", "x v1.0.0 h1:abc\n")
	r.note(a, rvNote("claude-code", "s", "claude-sonnet-4-5", 10, 20, 0.01))
	b := r.commit("No data", "other.go", "package main\n")
	edit := "package main\n\n// Hello says hello.\nfunc Hello() string { return \"hi\" }\n"
	c := r.commit(rvTrailers("Edit hello", rvNote("codex", "", "gpt-5", 1, 2, 0.001)), "hello.go", edit)

	var calls []int
	d := rvCollect(t, r.dir, review.CollectOptions{DiffTokens: true, Progress: func(done, total int) { calls = append(calls, done, total) }})
	enc, err := tokenize.Get(tokenize.O200K)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{
		a: int64(enc.Count(code)),
		b: -1,
		// -U0: the changed line alone is the added run.
		c: int64(enc.Count("func Hello() string { return \"hi\" }\n")),
	}
	for _, cm := range d.Direct {
		if cm.DiffTokens != want[cm.SHA] {
			t.Errorf("%s %q: diff tokens %d, want %d", cm.SHA[:8], cm.Subject, cm.DiffTokens, want[cm.SHA])
		}
	}
	if n := len(calls); n < 4 || calls[n-2] != calls[n-1] || calls[n-1] != 3 {
		t.Errorf("progress calls %v, want to end with 3 of 3", calls)
	}
	m := review.Compute(d)
	if f := m.Totals.DiffTokensPerOutputToken; f == nil || !rvClose(f, rvF(float64(want[a]+want[c])/22)) {
		t.Errorf("diff tokens per output token %s", rvFmt(f))
	}
}

// TestCollectShallow checks that a shallow clone's grafted commit is left
// out and said so.
func TestCollectShallow(t *testing.T) {
	h := rvScenario(t)
	clone := t.TempDir() + "/clone"
	gittest.Git(t, "", "clone", "-q", "--depth=3", "file://"+h.dir, clone)
	d := rvCollect(t, clone, review.CollectOptions{})
	if !slices.ContainsFunc(d.Partial, func(p string) bool { return strings.Contains(p, "shallow clone") }) {
		t.Errorf("partial %q lacks the shallow clone", d.Partial)
	}
	n := len(d.Direct)
	for _, pr := range d.PRs {
		n += len(pr.Commits)
	}
	// Depth 3: x1, the hotfix merge and its two parents (the revert and h1)
	// are present; the revert and h1 are grafted.
	if n != 1 {
		t.Errorf("%d commits in a depth-3 clone, want 1 (x1; the grafted ones left out)", n)
	}
}

// TestCollectPlainClones checks a repository without notes, and a bare
// clone (its notes fetched), which groups like its origin.
func TestCollectPlainClones(t *testing.T) {
	gittest.Isolate(t)
	r := &rvRepo{t: t, dir: gittest.Init(t), when: rvBase}
	r.commit("One", "a.go", "package a\n")
	d := rvCollect(t, r.dir, review.CollectOptions{DiffTokens: true})
	if len(d.PRs) != 0 || len(d.Direct) != 1 || d.Direct[0].Source != "" || d.Direct[0].DiffTokens != -1 {
		t.Errorf("no notes: %d PRs, direct %+v", len(d.PRs), d.Direct)
	}

	h := rvScenario(t)
	bare := t.TempDir() + "/bare.git"
	gittest.Git(t, "", "clone", "-q", "--bare", h.dir, bare)
	gittest.Git(t, bare, "fetch", "-q", "origin", "+refs/notes/*:refs/notes/*", "+refs/pull/*:refs/pull/*")
	want := review.Compute(rvCollect(t, h.dir, review.CollectOptions{})).Totals
	got := review.Compute(rvCollect(t, bare, review.CollectOptions{Branch: "main"})).Totals
	if got.PRs != want.PRs || got.Commits != want.Commits || got.Tokens != want.Tokens || got.LinesAdded != want.LinesAdded {
		t.Errorf("bare clone: %d PRs %d commits %d tokens %d lines; origin %d %d %d %d",
			got.PRs, got.Commits, got.Tokens, got.LinesAdded, want.PRs, want.Commits, want.Tokens, want.LinesAdded)
	}
}

// TestCollectBranchName: the review names the checked-out branch, or HEAD
// when detached, or the branch asked for; a repository without commits
// and an unknown branch get a plain message.
func TestCollectBranchName(t *testing.T) {
	gittest.Isolate(t)
	r := &rvRepo{t: t, dir: gittest.Init(t), when: rvBase}
	g, err := gitcli.New(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := review.Collect(context.Background(), g, r.dir, review.CollectOptions{}); err == nil || !strings.Contains(err.Error(), `no commit at "HEAD" (a repository without commits yet`) {
		t.Errorf("empty repository: %v", err)
	}
	first := r.commit("First", "a.txt", "a\n")
	r.git("checkout", "-q", "-b", "topic")
	tests := []struct {
		name, branch, detach, want string
	}{
		{"checked out", "", "", "topic"},
		{"asked for", "main", "", "main"},
		{"detached", "", first, "HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.detach != "" {
				r.git("checkout", "-q", "--detach", tt.detach)
			}
			if d := rvCollect(t, r.dir, review.CollectOptions{Branch: tt.branch}); d.Branch != tt.want {
				t.Errorf("branch %q, want %q", d.Branch, tt.want)
			}
		})
	}
	if _, err := review.Collect(context.Background(), g, r.dir, review.CollectOptions{Branch: "nosuch"}); err == nil || !strings.Contains(err.Error(), `no commit at "nosuch"`) {
		t.Errorf("unknown branch: %v", err)
	}
}
