package review

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// Review states of Outcome.State.
const (
	StateApproved         = "APPROVED"
	StateChangesRequested = "CHANGES_REQUESTED"
	StateCommented        = "COMMENTED"
	StateNone             = "NONE"
)

// Sample sizes below which Compute makes no claim about token intensity and
// review outcomes.
const (
	// MinQuartileN is the fewest PRs for the quartile comparison (two per quartile).
	MinQuartileN = 8
	// MinSpearmanN is the fewest PRs for the rank correlation.
	MinSpearmanN = 10
)

// Compute derives every figure from the dataset. It is pure and never
// fails: what the data cannot tell stays nil (unknown), never zero.
//
//   - Tokens and their kinds sum the usage of the commits with data; a set
//     with commits but none with data (CommitsWithData == 0) has unknown
//     tokens and cost; a set without commits (an empty week) has none.
//   - CostUSD is nil when a commit with data has an unknown cost (a model
//     without a price); CostKnownUSD is then the priced part (a lower bound).
//   - TokensPerLine is Tokens over the changed code lines (added + deleted,
//     generated/vendored/lock files apart) of all the set's commits, as the
//     PR report computes it; DiffTokensPerOutputToken is the diff tokens over
//     the output tokens of the commits with data whose diff tokens are known.
//   - The review figures (MergeRate, ChangeRequestRate, MedianRounds,
//     MedianHoursToMerge) are over the PRs with a known outcome
//     (OutcomesKnown); time to merge also needs the PR's creation time.
//   - Rework is the tokens of the commits made after the PR's first review,
//     over the PRs where that can be told (ReworkPRs): a known first review
//     and the PR's own commits (not a squash commit or rebased copies, whose
//     commit times are the merge's).
//   - Agents and Models count the usage rows of that agent or model only;
//     their commits, lines and PRs are those the agent or model worked on
//     (so lines add up to more than the total across agents), and their
//     Coverage is nil.
//   - Weeks are ISO weeks of the merge (direct commits: of the commit), in
//     order, with the empty weeks between included.
//   - Totals are the PRs and the direct commits together.
func Compute(d Dataset) Metrics {
	var (
		total, direct = &acc{}, &acc{}
		authors       = groups{}
		agents        = groups{}
		models        = groups{}
		weeks         = groups{}
	)
	m := Metrics{PRs: make([]PRRow, 0, len(d.PRs))}
	for i := range d.PRs {
		pr := &d.PRs[i]
		own := &acc{}
		own.addPR(pr, nil)
		total.addPR(pr, nil)
		authors.get(nameOr(pr.Author)).addPR(pr, nil)
		weeks.get(isoWeek(pr.MergedAt)).addPR(pr, nil)
		for _, name := range rowNames(pr.Commits, agentOf) {
			agents.get(name).addPR(pr, byAgent(name))
		}
		for _, name := range rowNames(pr.Commits, modelOf) {
			models.get(name).addPR(pr, byModel(name))
		}
		state := ""
		if pr.Review != nil {
			state = pr.Review.State
		}
		m.PRs = append(m.PRs, PRRow{
			Number: pr.Number, Title: pr.Title, Author: pr.Author, Merge: pr.Merge,
			MergedAt: pr.MergedAt, Figures: own.figures(true), State: state, Reverted: pr.Reverted,
		})
	}
	for i := range d.Direct {
		c := &d.Direct[i]
		total.addCommit(c, nil, nil)
		direct.addCommit(c, nil, nil)
		authors.get(nameOr(c.Author)).addCommit(c, nil, nil)
		weeks.get(isoWeek(c.Time)).addCommit(c, nil, nil)
		one := []Commit{*c}
		for _, name := range rowNames(one, agentOf) {
			agents.get(name).addCommit(c, byAgent(name), nil)
		}
		for _, name := range rowNames(one, modelOf) {
			models.get(name).addCommit(c, byModel(name), nil)
		}
	}
	m.Totals = total.figures(true)
	m.Direct = direct.figures(true)
	m.Authors = authors.sorted(true)
	m.Agents = agents.sorted(false)
	m.Models = models.sorted(false)
	m.Weeks = weeks.weeks()
	m.Intensity = intensity(d.PRs, m.PRs)
	return m
}

// nameOr returns s, or "unknown" when empty.
func nameOr(s string) string {
	if strings.TrimSpace(s) == "" {
		return "unknown"
	}
	return s
}

// isoWeek returns the key "2026-W07" of t's ISO week (UTC).
func isoWeek(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// rowFilter selects the rows of a note that a group counts (nil: all).
type rowFilter func(attribution.Row) bool

func agentOf(r attribution.Row) string { return r.Agent }
func modelOf(r attribution.Row) string { return r.Model }

func byAgent(name string) rowFilter {
	return func(r attribution.Row) bool { return nameOr(r.Agent) == name }
}

func byModel(name string) rowFilter {
	return func(r attribution.Row) bool { return nameOr(r.Model) == name }
}

// rowNames lists the distinct names (agent or model) in the usage rows of
// the commits with data, in order of appearance.
func rowNames(commits []Commit, name func(attribution.Row) string) []string {
	var out []string
	for i := range commits {
		if commits[i].Source == "" {
			continue
		}
		for _, r := range commits[i].Usage.Rows {
			if n := nameOr(name(r)); !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// acc accumulates the figures of a set of PRs and commits.
type acc struct {
	prs, commits, withData int
	u                      attribution.Usage
	cost                   float64
	costUnknown            int

	added, deleted, excluded int64

	diffTokens, diffOutput int64
	diffKnown              bool

	outcomes, merged, changeReq int
	rounds, hours               []float64

	reverted  int
	rework    int64
	reworkPRs int
	prTokens  []float64
	prCosts   []float64
}

// part is what one commit (or its filtered rows) contributes.
type part struct {
	data   bool              // the commit has usage data (in the selected rows)
	u      attribution.Usage // the usage
	tokens int64             // u.Total()
	cost   float64           // the known cost
	costOK bool              // every row's cost is known
}

// commitPart returns commit c's usage restricted to the rows keep selects.
func commitPart(c *Commit, keep rowFilter) part {
	p := part{costOK: true}
	if c.Source == "" {
		return p
	}
	for _, r := range c.Usage.Rows {
		if keep != nil && !keep(r) {
			continue
		}
		p.data = true
		p.u = p.u.Add(r.Usage)
		if r.CostUSD == nil {
			p.costOK = false
		} else {
			p.cost += *r.CostUSD
		}
	}
	if keep == nil {
		p.data = true // a note without rows is data too: no AI usage
	}
	p.tokens = p.u.Total()
	return p
}

// addCommit adds one commit; it returns the commit's part. firstReview,
// when set, counts the commit's tokens as rework if made after it.
func (a *acc) addCommit(c *Commit, keep rowFilter, firstReview *time.Time) part {
	p := commitPart(c, keep)
	if keep != nil && !p.data {
		return p
	}
	a.commits++
	a.added += c.Code.Added
	a.deleted += c.Code.Deleted
	a.excluded += c.Excluded.Added + c.Excluded.Deleted
	if !p.data {
		return p
	}
	a.withData++
	a.u = a.u.Add(p.u)
	a.cost += p.cost // the known part
	if !p.costOK {
		a.costUnknown++
	}
	if c.DiffTokens >= 0 {
		a.diffTokens += c.DiffTokens
		a.diffOutput += p.u.Output
		a.diffKnown = true
	}
	if firstReview != nil && c.Time.After(*firstReview) {
		a.rework += p.tokens
	}
	return p
}

// reworkKnown reports whether the PR's commits tell when they were made
// relative to its first review.
func reworkKnown(pr *PR) bool {
	if pr.Review == nil || pr.Review.FirstReview == nil {
		return false
	}
	if pr.Merge == MergeCommit {
		return true
	}
	for i := range pr.Commits {
		if pr.Commits[i].SHA == pr.MergeSHA {
			return false // a squash commit or the rebased copies
		}
	}
	return len(pr.Commits) > 0
}

// addPR adds a pull request and its commits (their rows selected by keep).
func (a *acc) addPR(pr *PR, keep rowFilter) {
	var first *time.Time
	rework := reworkKnown(pr)
	if rework {
		first = pr.Review.FirstReview
		a.reworkPRs++
	}
	a.prs++
	var tokens, cost float64
	data, costOK := false, true
	for i := range pr.Commits {
		p := a.addCommit(&pr.Commits[i], keep, first)
		if p.data {
			data = true
			tokens += float64(p.tokens)
			cost += p.cost
			costOK = costOK && p.costOK
		}
	}
	if data {
		a.prTokens = append(a.prTokens, tokens)
		if costOK {
			a.prCosts = append(a.prCosts, cost)
		}
	}
	if pr.Reverted {
		a.reverted++
	}
	if o := pr.Review; o != nil {
		a.outcomes++
		if o.Merged || o.MergedAt != nil {
			a.merged++
		}
		if o.ChangeRequests > 0 || o.State == StateChangesRequested {
			a.changeReq++
		}
		a.rounds = append(a.rounds, float64(o.Rounds))
		if o.Created != nil {
			merged := pr.MergedAt
			if o.MergedAt != nil {
				merged = *o.MergedAt
			}
			if !merged.IsZero() && !merged.Before(*o.Created) {
				a.hours = append(a.hours, merged.Sub(*o.Created).Hours())
			}
		}
	}
}

// figures returns the accumulated figures; coverage is left nil for the
// agent and model groups, whose commits all have data by construction.
func (a *acc) figures(coverage bool) Figures {
	f := Figures{
		PRs: a.prs, Commits: a.commits, CommitsWithData: a.withData,
		Input: a.u.Input, Output: a.u.Output, CacheRead: a.u.CacheRead, CacheWrite: a.u.CacheWrite,
		Reasoning: a.u.Reasoning, Tokens: a.u.Total(),
		CostKnownUSD:       roundMicro(a.cost),
		CostUnknownCommits: a.costUnknown,
		LinesAdded:         a.added, LinesDeleted: a.deleted, LinesExcluded: a.excluded,
		OutcomesKnown: a.outcomes,
		Reverted:      a.reverted, ReworkTokens: a.rework, ReworkPRs: a.reworkPRs,
	}
	// Without commits the cost is known: nothing was spent. With commits
	// but no data it is unknown.
	if (a.withData > 0 || a.commits == 0) && a.costUnknown == 0 {
		f.CostUSD = ptr(roundMicro(a.cost))
	}
	if lines := a.added + a.deleted; lines > 0 && a.withData > 0 {
		f.TokensPerLine = ptr(float64(f.Tokens) / float64(lines))
	}
	if a.diffKnown && a.diffOutput > 0 {
		f.DiffTokensPerOutputToken = ptr(float64(a.diffTokens) / float64(a.diffOutput))
	}
	if coverage && a.commits > 0 {
		f.Coverage = ptr(float64(a.withData) / float64(a.commits))
	}
	if a.outcomes > 0 {
		f.MergeRate = ptr(float64(a.merged) / float64(a.outcomes))
		f.ChangeRequestRate = ptr(float64(a.changeReq) / float64(a.outcomes))
		f.MedianRounds = median(slices.Clone(a.rounds))
	}
	f.MedianHoursToMerge = median(slices.Clone(a.hours))
	f.MedianTokensPerPR = median(slices.Clone(a.prTokens))
	if m := median(slices.Clone(a.prCosts)); m != nil {
		f.MedianCostPerPR = ptr(roundMicro(*m))
	}
	return f
}

func ptr[T any](v T) *T { return &v }

func roundMicro(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// groups are accumulators by key.
type groups map[string]*acc

func (g groups) get(key string) *acc {
	a := g[key]
	if a == nil {
		a = &acc{}
		g[key] = a
	}
	return a
}

// sorted returns the groups, the most tokens first, then by key.
func (g groups) sorted(coverage bool) []Group {
	out := make([]Group, 0, len(g))
	for k, a := range g {
		out = append(out, Group{Key: k, Figures: a.figures(coverage)})
	}
	slices.SortFunc(out, func(a, b Group) int {
		if a.Figures.Tokens != b.Figures.Tokens {
			if a.Figures.Tokens > b.Figures.Tokens {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}

// maxWeekSpan bounds the weeks filled in between: a commit dated decades
// off (a wrong clock) must not make thousands of empty weeks.
const maxWeekSpan = 10 * 366 * 24 * time.Hour

// weeks returns the weekly groups in order, the empty weeks between the
// first and the last included when they span at most maxWeekSpan.
func (g groups) weeks() []Group {
	if len(g) == 0 {
		return []Group{}
	}
	keys := make([]string, 0, len(g))
	for k := range g {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	start, ok1 := weekStart(keys[0])
	end, ok2 := weekStart(keys[len(keys)-1])
	out := []Group{}
	if !ok1 || !ok2 || end.Sub(start) > maxWeekSpan {
		for _, k := range keys {
			out = append(out, Group{Key: k, Figures: g[k].figures(true)})
		}
		return out
	}
	for t := start; !t.After(end); t = t.AddDate(0, 0, 7) {
		k := isoWeek(t)
		a := g[k]
		if a == nil {
			a = &acc{}
		}
		out = append(out, Group{Key: k, Figures: a.figures(true)})
	}
	return out
}

// weekStart returns the Monday (UTC) that starts the ISO week key
// "2026-W07"; false for another key (or W53 of a year with 52 weeks).
func weekStart(key string) (time.Time, bool) {
	var y, w int
	if _, err := fmt.Sscanf(key, "%d-W%d", &y, &w); err != nil || w < 1 || w > 53 || key != fmt.Sprintf("%04d-W%02d", y, w) {
		return time.Time{}, false
	}
	// January 4th is always in week 1.
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(w-1)*7)
	if yy, ww := monday.ISOWeek(); yy != y || ww != w {
		return time.Time{}, false
	}
	return monday, true
}
