package review

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/internal/gitstat"
	"github.com/tokenyield/tokenyield/internal/ledger"
)

// Claims of history.claim: which walk took a commit.
const (
	unclaimed int32 = iota
	claimMain       // a first-parent commit
	claimSide       // brought in by a first-parent merge
	claimHead       // only on a refs/pull/<N>/head
)

// history is the log of the range, indexed, with the commits' usage read
// lazily (each note decoded at most once) and the grouping into pull
// requests.
type history struct {
	stats []gitstat.CommitStat // newest first, children before parents
	idx   map[string]int       // SHA -> index in stats
	notes map[plumbing.Hash][]byte

	since, until time.Time

	claim []int32
	// side[m] are the commits first-parent merge m brought in, oldest first.
	side map[int][]int
	// headOwn[n] are the commits only refs/pull/n/head reaches, oldest first.
	headOwn map[int][]int
	headSHA map[int]string

	usage []*ledger.CommitUsage // lazily read, by index

	prs    map[int]*prAcc
	direct []int // oldest first
	// used are the commits put into the dataset, by index.
	used []int
	// pos maps a used commit to its place in the dataset, for diff tokens.
	pos map[int]commitRef
	// rollups counts rollup notes left out as duplicates.
	rollups int
}

// commitRef locates a commit of the dataset: pr == -1 for Direct.
type commitRef struct{ pr, i int }

// prAcc gathers what the first-parent history says about one pull request.
type prAcc struct {
	number  int
	merges  []int // first-parent merge commits of the PR (normally one)
	landed  []int // first-parent squash/rebase commits, oldest first
	byKey   bool  // found by matching refs/pull/N/head's commits (rebase)
	newest  int   // position on the first-parent list of its newest landing (0 = tip)
	commits []int // chosen commits, oldest first
}

// newHistory indexes stats; skip lists commits to leave out (grafted).
func newHistory(stats []gitstat.CommitStat, notes map[plumbing.Hash][]byte, skip map[string]bool, since, until time.Time) *history {
	h := &history{
		stats: stats, idx: make(map[string]int, len(stats)), notes: notes,
		since: since, until: until,
		claim: make([]int32, len(stats)), side: map[int][]int{},
		headOwn: map[int][]int{}, headSHA: map[int]string{},
		usage: make([]*ledger.CommitUsage, len(stats)),
		prs:   map[int]*prAcc{}, pos: map[int]commitRef{},
	}
	for i := range stats {
		if !skip[stats[i].SHA] {
			h.idx[stats[i].SHA] = i
		}
	}
	return h
}

// sortHeads orders pull heads by number.
func sortHeads(heads []pullHead) {
	slices.SortFunc(heads, func(a, b pullHead) int { return a.number - b.number })
}

// use returns commit i's usage, reading it on first use.
func (h *history) use(i int) *ledger.CommitUsage {
	if u := h.usage[i]; u != nil {
		return u
	}
	s := &h.stats[i]
	raw, has := h.notes[plumbing.NewHash(s.SHA)]
	u := ledger.UsageOfBlob(raw, has, s.Message)
	h.usage[i] = &u
	return &u
}

// hasData reports whether commit i carries usage data.
func (h *history) hasData(i int) bool { return h.use(i).Source != "" }

// walk claims with c every unclaimed commit of the range reachable from
// starts, stopping at claimed commits and at the range's edge, and returns
// them oldest first.
func (h *history) walk(starts []string, c int32) []int {
	var out []int
	stack := append([]string(nil), starts...)
	for len(stack) > 0 {
		sha := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		i, ok := h.idx[sha]
		if !ok || h.claim[i] != unclaimed {
			continue
		}
		h.claim[i] = c
		out = append(out, i)
		stack = append(stack, h.stats[i].Parents...)
	}
	// git log lists children before parents: a larger index is older.
	slices.SortFunc(out, func(a, b int) int { return b - a })
	return out
}

// mainline returns the first-parent history from tip, newest first.
func (h *history) mainline(tip string) []int {
	var main []int
	for sha := tip; len(main) < len(h.stats); {
		i, ok := h.idx[sha]
		if !ok || h.claim[i] != unclaimed {
			break
		}
		h.claim[i] = claimMain
		main = append(main, i)
		if len(h.stats[i].Parents) == 0 {
			break
		}
		sha = h.stats[i].Parents[0]
	}
	return main
}

// inWindow reports whether a first-parent commit landed inside the window.
func (h *history) inWindow(i int) bool {
	t := h.stats[i].CommitTime
	return (h.since.IsZero() || !t.Before(h.since)) && (h.until.IsZero() || !t.After(h.until))
}

// messagePatterns are the commit-message patterns of the grouping and the
// reverts.
type messagePatterns struct {
	merge, squash                                         *regexp.Regexp
	revertsCommit, revertsPR, revertSubject, revertBranch *regexp.Regexp
}

// patterns compiles them on first use, not at the start of every tokenyield
// process (each commit hook links this package).
var patterns = sync.OnceValue(func() *messagePatterns {
	return &messagePatterns{
		merge:         regexp.MustCompile(`^Merge pull request #(\d+)\b`),
		squash:        regexp.MustCompile(`\(#(\d+)\)\s*$`),
		revertsCommit: regexp.MustCompile(`(?m)^This reverts commit ([0-9a-f]{7,40})`),
		revertsPR:     regexp.MustCompile(`(?m)^Reverts [A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+#(\d+)\s*$`),
		revertSubject: regexp.MustCompile(`^Revert "(.*)"`),
		revertBranch:  regexp.MustCompile(`^Merge pull request #\d+ from [^/\s]+/revert-(\d+)-`),
	}
})

// SubjectPull returns the pull request a first-parent commit's subject
// names, 0 for none: "Merge pull request #N …" for a merge commit, a
// trailing "(#N)" (squash or rebase merge) for another.
func SubjectPull(subject string, merge bool) int {
	if merge {
		return number(patterns().merge, subject)
	}
	return number(patterns().squash, subject)
}

// number returns the number re captures in s, 0 for none.
func number(re *regexp.Regexp, s string) int {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// commitKey identifies a commit across a rebase: its author, author time
// and subject survive GitHub's rebase merge.
type commitKey struct {
	email   string
	time    int64
	subject string
}

func (h *history) key(i int) commitKey {
	s := &h.stats[i]
	return commitKey{s.AuthorEmail, s.AuthorTime.Unix(), s.Subject()}
}

// group assigns the range's commits to pull requests and the direct bucket.
// ask, when not nil, is asked about the first-parent commits of the window
// that nothing in git ties to a pull request (newest first) and returns
// the pull request numbers it knows, by SHA.
func (h *history) group(tip string, heads []pullHead, ask func(shas []string) map[string]int) {
	main := h.mainline(tip)
	// Oldest first, so that each merge takes only what it brought in.
	for k := len(main) - 1; k >= 0; k-- {
		m := main[k]
		if p := h.stats[m].Parents; len(p) > 1 {
			h.side[m] = h.walk(p[1:], claimSide)
		}
	}
	ix := h.indexHeads(heads)
	var found map[string]int
	if ask != nil {
		var unknown []string
		for _, m := range main { // newest first
			if n, _ := h.gitNumber(ix, m); n == 0 && h.inWindow(m) {
				unknown = append(unknown, h.stats[m].SHA)
			}
		}
		if len(unknown) > 0 {
			found = ask(unknown)
		}
	}
	for k := len(main) - 1; k >= 0; k-- {
		m := main[k]
		if !h.inWindow(m) {
			continue
		}
		n, byKey := h.gitNumber(ix, m)
		if n == 0 {
			n = found[h.stats[m].SHA]
		}
		switch {
		case n > 0 && h.stats[m].IsMerge():
			pr := h.pr(n, k)
			pr.merges = append(pr.merges, m)
		case n > 0:
			pr := h.pr(n, k)
			pr.landed = append(pr.landed, m)
			pr.byKey = pr.byKey || byKey
		case h.stats[m].IsMerge(): // not a pull request: its commits are direct
			h.direct = append(h.direct, h.side[m]...)
			h.direct = append(h.direct, m)
		default:
			h.direct = append(h.direct, m)
		}
	}
}

// headIndex is what the fetched refs/pull/<N>/head refs tell: the pull
// request of each head commit, and of each head-only commit's key (its
// rebased copies have the same).
type headIndex struct {
	byHead map[string]int
	keys   map[commitKey]int
}

// indexHeads claims the commits only the pull heads reach and indexes them.
func (h *history) indexHeads(heads []pullHead) headIndex {
	ix := headIndex{byHead: map[string]int{}, keys: map[commitKey]int{}}
	for _, hd := range heads {
		h.headSHA[hd.number] = hd.sha
		ix.byHead[hd.sha] = hd.number
		own := h.walk([]string{hd.sha}, claimHead)
		h.headOwn[hd.number] = own
		for _, i := range own {
			if _, dup := ix.keys[h.key(i)]; !dup {
				ix.keys[h.key(i)] = hd.number
			}
		}
	}
	return ix
}

// gitNumber is what git says of first-parent commit m: its pull request
// (0: none), and whether the number came from a head ref's commit key.
func (h *history) gitNumber(ix headIndex, m int) (int, bool) {
	s := &h.stats[m]
	if n := SubjectPull(s.Subject(), s.IsMerge()); n > 0 {
		return n, false
	}
	if s.IsMerge() {
		return ix.byHead[s.Parents[1]], false
	}
	n, ok := ix.keys[h.key(m)]
	return n, ok
}

// pr returns the accumulator of pull request n, found at first-parent
// position k.
func (h *history) pr(n, k int) *prAcc {
	pr := h.prs[n]
	if pr == nil {
		pr = &prAcc{number: n, newest: k}
		h.prs[n] = pr
	}
	pr.newest = min(pr.newest, k)
	return pr
}

// kind returns how the pull request was merged.
func (pr *prAcc) kind() string {
	switch {
	case len(pr.merges) > 0:
		return MergeCommit
	case len(pr.landed) == 1 && !pr.byKey:
		return MergeSquash
	case len(pr.landed) > 0:
		return MergeRebase
	}
	return MergeUnknown
}

// dataCount counts the commits of list carrying usage data.
func (h *history) dataCount(list []int) int {
	n := 0
	for _, i := range list {
		if h.hasData(i) {
			n++
		}
	}
	return n
}

// choose decides the commits of pr (see Collect).
func (h *history) choose(pr *prAcc) {
	if len(pr.merges) > 0 {
		var list []int
		for _, m := range pr.merges {
			list = append(list, h.side[m]...)
		}
		list = append(list, pr.landed...)
		list = append(list, pr.merges...)
		pr.commits = list
	} else {
		pr.commits = pr.landed
		if own := h.headOwn[pr.number]; len(own) > 0 && (h.dataCount(own) > 0 || h.dataCount(pr.landed) == 0) {
			pr.commits = own
		}
	}
	// Merge commits change no line: listed only with usage data.
	pr.commits = slices.DeleteFunc(slices.Clone(pr.commits), func(i int) bool {
		return h.stats[i].IsMerge() && !h.hasData(i)
	})
	h.dropRollup(pr)
}

// dropRollup leaves out a rollup note on the pull request's landing commit
// when the PR's other commits carry the same usage themselves (a rebase
// merge keeps each commit's trailers; the Action's rollup note on the last
// commit sums them again). The commit keeps its own trailers, if any.
func (h *history) dropRollup(pr *prAcc) {
	if len(pr.commits) < 2 {
		return
	}
	lastAt := len(pr.commits) - 1
	last := pr.commits[lastAt]
	u := h.use(last)
	if u.Source != ledger.FromNote {
		return
	}
	var others int64
	for _, i := range pr.commits[:lastAt] {
		if h.hasData(i) {
			others += h.use(i).Note.Total.Total
		}
	}
	own := ledger.UsageOfBlob(nil, false, h.stats[last].Message)
	if others == 0 || u.Note.Total.Total != others+own.Note.Total.Total {
		return
	}
	own.Problem = strings.TrimPrefix(own.Problem+"; rollup note left out: it repeats the usage of the pull request's other commits", "; ")
	h.usage[last] = &own
	h.rollups++
	if own.Source == "" && h.stats[last].IsMerge() {
		pr.commits = pr.commits[:lastAt]
	}
}

// build fills d from the grouping.
func (h *history) build(d *Dataset) {
	prs := make([]*prAcc, 0, len(h.prs))
	for _, pr := range h.prs {
		prs = append(prs, pr)
	}
	// Newest landing first.
	slices.SortFunc(prs, func(a, b *prAcc) int { return a.newest - b.newest })
	prOf := map[string]int{}
	for _, pr := range prs {
		h.choose(pr)
		out := h.prOut(pr)
		for _, i := range pr.commits {
			h.pos[i] = commitRef{pr: len(d.PRs), i: len(out.Commits)}
			out.Commits = append(out.Commits, h.commit(i))
			h.used = append(h.used, i)
		}
		for _, list := range [][]int{pr.merges, pr.landed, pr.commits, h.headOwn[pr.number]} {
			for _, i := range list {
				prOf[h.stats[i].SHA] = pr.number
			}
		}
		d.PRs = append(d.PRs, out)
	}
	// h.direct is oldest first; the bucket is newest first.
	for k := len(h.direct) - 1; k >= 0; k-- {
		i := h.direct[k]
		if h.stats[i].IsMerge() && !h.hasData(i) {
			continue
		}
		h.pos[i] = commitRef{pr: -1, i: len(d.Direct)}
		d.Direct = append(d.Direct, h.commit(i))
		h.used = append(h.used, i)
	}
	h.reverts(d, prOf)
	if h.rollups > 0 {
		d.Partial = append(d.Partial, fmt.Sprintf("%d rollup note(s) left out: they repeat the usage of their pull request's commits", h.rollups))
	}
	if n := h.problems(); n > 0 {
		d.Partial = append(d.Partial, fmt.Sprintf("%d commit(s) with a rejected note or AI-Tokens trailers (not counted)", n))
	}
}

// problems counts the used commits whose note or trailers were rejected.
func (h *history) problems() int {
	n := 0
	for _, i := range h.used {
		if u := h.use(i); u.Problem != "" && !strings.Contains(u.Problem, "rollup note left out") {
			n++
		}
	}
	return n
}

// prOut builds the PR (without its commits) from the accumulator.
func (h *history) prOut(pr *prAcc) PR {
	out := PR{Number: pr.number, Merge: pr.kind(), Commits: make([]Commit, 0, len(pr.commits))}
	var landing int
	switch {
	case len(pr.merges) > 0:
		landing = pr.merges[len(pr.merges)-1]
		out.Title = mergeTitle(h.stats[landing].Message)
		out.Author = h.stats[landing].AuthorName
		if len(pr.commits) > 0 {
			out.Author = h.stats[pr.commits[0]].AuthorName
		}
	default:
		landing = pr.landed[len(pr.landed)-1]
		out.Title = strings.TrimSpace(patterns().squash.ReplaceAllString(h.stats[landing].Subject(), ""))
		out.Author = h.stats[pr.landed[0]].AuthorName
	}
	out.MergeSHA = h.stats[landing].SHA
	out.MergedAt = h.stats[landing].CommitTime.UTC()
	return out
}

// mergeTitle returns a merge commit's pull request title: the first
// non-empty line after the subject (GitHub writes "Merge pull request #N
// from owner/branch", a blank line, the title), else the subject.
func mergeTitle(message string) string {
	subject, body, _ := strings.Cut(message, "\n")
	for line := range strings.SplitSeq(body, "\n") {
		if t := strings.TrimSpace(line); t != "" {
			return t
		}
	}
	return strings.TrimSpace(subject)
}

// commit converts commit i.
func (h *history) commit(i int) Commit {
	s := &h.stats[i]
	u := h.use(i)
	return Commit{
		SHA: s.SHA, Subject: s.Subject(), Author: s.AuthorName, Time: s.CommitTime.UTC(),
		Usage: u.Note, Source: u.Source, Problem: u.Problem,
		Code: s.Code, Excluded: s.ExcludedLines(), DiffTokens: -1,
	}
}

// reverts marks the pull requests a commit of the branch reverts.
func (h *history) reverts(d *Dataset, prOf map[string]int) {
	byNumber := map[int]*PR{}
	for i := range d.PRs {
		byNumber[d.PRs[i].Number] = &d.PRs[i]
	}
	for i := range h.stats {
		if c := h.claim[i]; c != claimMain && c != claimSide {
			continue
		}
		msg := h.stats[i].Message
		if !strings.Contains(msg, "evert") {
			continue
		}
		self := prOf[h.stats[i].SHA]
		for _, n := range revertTargets(msg, prOf) {
			if pr := byNumber[n]; pr != nil && n != self {
				pr.Reverted = true
			}
		}
	}
}

// revertTargets returns the numbers of the pull requests a commit message
// says it reverts.
func revertTargets(msg string, prOf map[string]int) []int {
	var out []int
	for _, m := range patterns().revertsCommit.FindAllStringSubmatch(msg, -1) {
		if n := prOf[m[1]]; n > 0 {
			out = append(out, n)
			continue
		}
		if len(m[1]) < 40 { // abbreviated
			for sha, n := range prOf {
				if strings.HasPrefix(sha, m[1]) {
					out = append(out, n)
					break
				}
			}
		}
	}
	for _, m := range patterns().revertsPR.FindAllStringSubmatch(msg, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil {
			out = append(out, n)
		}
	}
	subject, _, _ := strings.Cut(msg, "\n")
	if m := patterns().revertSubject.FindStringSubmatch(subject); m != nil {
		if n := number(patterns().squash, m[1]); n > 0 {
			out = append(out, n)
		}
	}
	if n := number(patterns().revertBranch, subject); n > 0 {
		out = append(out, n)
	}
	return out
}
