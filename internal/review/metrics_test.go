package review_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/gitstat"
	"github.com/tokenyield/tokenyield/internal/review"
)

// rvCommit builds a commit; n is nil for a commit without data.
func rvCommit(sha string, at time.Time, n *attribution.Note, added, deleted int64) review.Commit {
	c := review.Commit{SHA: sha, Subject: "commit " + sha, Author: "Ada", Time: at,
		Code: gitstat.Lines{Added: added, Deleted: deleted}, DiffTokens: -1}
	if n != nil {
		c.Usage, c.Source = *n, "note"
	}
	return c
}

// rvUsageNote is a note of one row with the given kinds; cost < 0 unknown.
func rvUsageNote(agent, model string, in, out, cr, cw, rs int64, cost float64) *attribution.Note {
	row := attribution.Row{Agent: agent, Model: model,
		Usage: attribution.Usage{Input: in, Output: out, CacheRead: cr, CacheWrite: cw, Reasoning: rs}, Requests: 1}
	if cost >= 0 {
		row.CostUSD = &cost
	}
	n := attribution.Note{V: attribution.NoteVersion, Rows: []attribution.Row{row}}
	n.Canonicalize()
	return &n
}

// rvT0 is the small dataset's clock: Monday 2026-03-02 (ISO week 10).
var rvT0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func rvAt(h float64) time.Time { return rvT0.Add(time.Duration(h * float64(time.Hour))) }

// rvSmall is a dataset small enough to derive every figure by hand.
func rvSmall() review.Dataset {
	c1 := rvCommit("c1", rvAt(1), rvUsageNote("claude-code", "claude-sonnet-4-5", 100, 200, 1000, 50, 50, 1.0), 10, 2)
	c1.Excluded = gitstat.Lines{Added: 5}
	c2 := rvCommit("c2", rvAt(3), nil, 3, 1)
	c3 := rvCommit("c3", rvAt(2), rvUsageNote("codex", "gpt-5", 10, 20, 0, 0, 5, -1), 1, 0)
	c4 := rvCommit("c4", rvAt(8*24), nil, 50, 50)
	c5 := rvCommit("c5", rvAt(22*24), rvUsageNote("claude-code", "claude-haiku-4-5", 1, 1, 0, 0, 0, 0.01), 1, 1)
	c5.Author = "Bob"
	return review.Dataset{
		Repo: "acme/widgets", Branch: "main",
		PRs: []review.PR{
			{Number: 12, Title: "Big squash", Author: "Cy", Merge: review.MergeSquash, MergeSHA: "c4", MergedAt: rvAt(8 * 24),
				Commits: []review.Commit{c4}, Reverted: true},
			{Number: 11, Title: "Codex change", Author: "Ada", Merge: review.MergeCommit, MergeSHA: "m11", MergedAt: rvAt(25),
				Commits: []review.Commit{c3},
				Review: &review.Outcome{State: review.StateChangesRequested, ChangeRequests: 2, Rounds: 3,
					Created: rvTime(rvAt(0)), FirstReview: rvTime(rvAt(1)), Merged: true}},
			{Number: 10, Title: "Claude change", Author: "Ada", Merge: review.MergeCommit, MergeSHA: "m10", MergedAt: rvAt(5),
				Commits: []review.Commit{c1, c2},
				Review: &review.Outcome{State: review.StateApproved, Approvals: 1, Rounds: 1,
					Created: rvTime(rvAt(0)), FirstReview: rvTime(rvAt(2)), MergedAt: rvTime(rvAt(5)), Merged: true}},
		},
		Direct: []review.Commit{c5},
	}
}

// TestComputeSmall checks every figure of the small dataset against hand
// derivations.
func TestComputeSmall(t *testing.T) {
	m := review.Compute(rvSmall())
	f := m.Totals
	// Tokens: c1 100+200+1000+50 = 1350, c3 10+20 = 30, c5 1+1 = 2.
	ints := []struct {
		name      string
		got, want int64
	}{
		{"PRs", int64(f.PRs), 3}, {"commits", int64(f.Commits), 5}, {"with data", int64(f.CommitsWithData), 3},
		{"input", f.Input, 111}, {"output", f.Output, 221}, {"cache read", f.CacheRead, 1000},
		{"cache write", f.CacheWrite, 50}, {"reasoning", f.Reasoning, 55}, {"tokens", f.Tokens, 1382},
		{"added", f.LinesAdded, 65}, {"deleted", f.LinesDeleted, 54}, {"excluded", f.LinesExcluded, 5},
		{"outcomes", int64(f.OutcomesKnown), 2}, {"reverted", int64(f.Reverted), 1},
		// Rework: #10's first review at 2 h, c1 at 1 h (before), c2 at 3 h
		// (no data); #11's first review at 1 h, c3 at 2 h: 30 tokens. #12
		// has no outcome.
		{"rework", f.ReworkTokens, 30}, {"rework PRs", int64(f.ReworkPRs), 2},
		{"cost unknown commits", int64(f.CostUnknownCommits), 1},
	}
	for _, c := range ints {
		if c.got != c.want {
			t.Errorf("totals %s = %d, want %d", c.name, c.got, c.want)
		}
	}
	floats := []struct {
		name      string
		got, want *float64
	}{
		{"cost", f.CostUSD, nil}, // c3's model has no price
		{"cost known", &f.CostKnownUSD, rvF(1.01)},
		{"tokens per line", f.TokensPerLine, rvF(1382.0 / 119)},
		{"coverage", f.Coverage, rvF(3.0 / 5)},
		{"merge rate", f.MergeRate, rvF(1)},
		{"change-request rate", f.ChangeRequestRate, rvF(0.5)},
		{"median rounds", f.MedianRounds, rvF(2)},               // 1 and 3
		{"median hours", f.MedianHoursToMerge, rvF(15)},         // 5 h and 25 h
		{"median tokens per PR", f.MedianTokensPerPR, rvF(690)}, // 1350 and 30; #12 has no data
		{"median cost per PR", f.MedianCostPerPR, rvF(1)},       // #10 only: #11's cost is unknown
		{"diff tokens per output token", f.DiffTokensPerOutputToken, nil},
	}
	for _, c := range floats {
		if !rvClose(c.got, c.want) {
			t.Errorf("totals %s = %s, want %s", c.name, rvFmt(c.got), rvFmt(c.want))
		}
	}

	// Per PR, in dataset order.
	if len(m.PRs) != 3 || m.PRs[0].Number != 12 || m.PRs[2].Number != 10 {
		t.Fatalf("PR rows %+v", m.PRs)
	}
	p12, p11, p10 := m.PRs[0].Figures, m.PRs[1].Figures, m.PRs[2].Figures
	if p12.CommitsWithData != 0 || p12.TokensPerLine != nil || p12.CostUSD != nil || p12.Coverage == nil || *p12.Coverage != 0 {
		t.Errorf("#12 (no data): %+v", p12)
	}
	if p10.Tokens != 1350 || !rvClose(p10.TokensPerLine, rvF(1350.0/16)) || !rvClose(p10.Coverage, rvF(0.5)) || !rvClose(p10.CostUSD, rvF(1)) {
		t.Errorf("#10: tokens %d tpl %s coverage %s cost %s", p10.Tokens, rvFmt(p10.TokensPerLine), rvFmt(p10.Coverage), rvFmt(p10.CostUSD))
	}
	if p11.ReworkTokens != 30 || p11.CostUSD != nil || m.PRs[1].State != review.StateChangesRequested {
		t.Errorf("#11: rework %d cost %s state %q", p11.ReworkTokens, rvFmt(p11.CostUSD), m.PRs[1].State)
	}
	if !m.PRs[0].Reverted || m.PRs[0].State != "" {
		t.Errorf("#12: reverted %v state %q", m.PRs[0].Reverted, m.PRs[0].State)
	}

	// Direct bucket: c5 alone.
	if d := m.Direct; d.Commits != 1 || d.Tokens != 2 || d.PRs != 0 || !rvClose(d.CostUSD, rvF(0.01)) {
		t.Errorf("direct %+v", d)
	}

	// Groups.
	groups := func(gs []review.Group) string {
		var b strings.Builder
		for _, g := range gs {
			fmt.Fprintf(&b, "%s:%d/%d/%d;", g.Key, g.Figures.PRs, g.Figures.Commits, g.Figures.Tokens)
		}
		return b.String()
	}
	tests := []struct {
		name string
		got  []review.Group
		want string
	}{
		// Ada: #11 and #10 (3 commits, 1380 tokens); Cy: #12; Bob: c5.
		{"authors", m.Authors, "Ada:2/3/1380;Bob:0/1/2;Cy:1/1/0;"},
		// Agents count only the commits they worked on.
		{"agents", m.Agents, "claude-code:1/2/1352;codex:1/1/30;"},
		{"models", m.Models, "claude-sonnet-4-5:1/1/1350;gpt-5:1/1/30;claude-haiku-4-5:0/1/2;"},
		// W10: #10, #11; W11: #12 (8 days on); W12: nothing; W13: c5 (22 days on).
		{"weeks", m.Weeks, "2026-W10:2/3/1380;2026-W11:1/1/0;2026-W12:0/0/0;2026-W13:0/1/2;"},
	}
	for _, tt := range tests {
		if got := groups(tt.got); got != tt.want {
			t.Errorf("%s = %s\nwant %s", tt.name, got, tt.want)
		}
	}
	for _, g := range m.Agents {
		if g.Figures.Coverage != nil {
			t.Errorf("agent %s has a coverage", g.Key)
		}
		if g.Key == "codex" && g.Figures.CostUSD != nil {
			t.Errorf("codex cost %s, want unknown", rvFmt(g.Figures.CostUSD))
		}
	}
	if in := m.Intensity; in.N != 2 || len(in.Quartiles) != 0 || in.Spearman != nil || !strings.HasPrefix(in.Statement, "Not enough data (N=2)") {
		t.Errorf("intensity %+v", in)
	}
}

// TestComputeEmpty checks an empty dataset: nothing was spent (cost 0),
// and the ratios are undefined (nil), not zero.
func TestComputeEmpty(t *testing.T) {
	m := review.Compute(review.Dataset{})
	f := m.Totals
	if !rvClose(f.CostUSD, rvF(0)) || f.TokensPerLine != nil || f.Coverage != nil || f.MergeRate != nil || f.MedianTokensPerPR != nil {
		t.Errorf("empty totals %+v", f)
	}
	if len(m.Weeks) != 0 || m.Intensity.N != 0 || !strings.Contains(m.Intensity.Statement, "no review outcome is known") {
		t.Errorf("empty: weeks %d intensity %+v", len(m.Weeks), m.Intensity)
	}
}

// rvIntensity builds n PRs with tokens per line 10·(i+1) (tokens 100·(i+1),
// 10 lines each) and the change requests, rounds and states given.
func rvIntensity(crs, rounds []int, states []string) review.Dataset {
	var d review.Dataset
	for i := range crs {
		tokens := int64(100 * (i + 1))
		c := rvCommit(fmt.Sprintf("c%d", i), rvAt(float64(i)), rvUsageNote("claude-code", "m", tokens, 0, 0, 0, 0, 0), 5, 5)
		d.PRs = append(d.PRs, review.PR{Number: i + 1, Merge: review.MergeCommit, MergedAt: rvAt(float64(i) + 1),
			Commits: []review.Commit{c},
			Review:  &review.Outcome{State: states[i], ChangeRequests: crs[i], Rounds: rounds[i], Merged: true}})
	}
	// A PR without an outcome and one without lines are not in the sample.
	d.PRs = append(d.PRs,
		review.PR{Number: 100, Commits: []review.Commit{rvCommit("x", rvAt(0), rvUsageNote("a", "m", 5, 0, 0, 0, 0, 0), 1, 0)}},
		review.PR{Number: 101, Commits: []review.Commit{rvCommit("y", rvAt(0), rvUsageNote("a", "m", 5, 0, 0, 0, 0, 0), 0, 0)},
			Review: &review.Outcome{State: review.StateApproved}})
	return d
}

// TestComputeIntensity checks the sample-size rules, the quartiles and the
// rank correlation against the no-ties formula 1 − 6Σd²/(n(n²−1)).
func TestComputeIntensity(t *testing.T) {
	const A, C = review.StateApproved, review.StateChangesRequested
	same := func(n, v int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	states := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = A
			if i%3 == 2 {
				out[i] = C
			}
		}
		return out
	}

	// 12 PRs, change requests a permutation of 0..11 (no ties).
	crs := []int{1, 0, 3, 2, 5, 4, 7, 6, 9, 11, 8, 10}
	m := review.Compute(rvIntensity(crs, same(12, 1), states(12)))
	in := m.Intensity
	var d2 float64
	for i, c := range crs {
		d := float64(i - c) // rank of x is i+1, of y c+1
		d2 += d * d
	}
	want := 1 - 6*d2/(12*(144-1))
	if in.N != 12 || in.Spearman == nil || math.Abs(*in.Spearman-want) > 1e-12 || in.SpearmanOf != "change requests" || in.SpearmanP == nil {
		t.Fatalf("N=%d spearman %s of %q, want %v", in.N, rvFmt(in.Spearman), in.SpearmanOf, want)
	}
	// Quartiles of 3: tokens per line 10·(i+1); Q1 = PRs 1–3 (states A A C:
	// approval 2/3, change requests on all but PR 2 (cr 0): 2/3).
	if len(in.Quartiles) != 4 {
		t.Fatalf("quartiles %+v", in.Quartiles)
	}
	q1, q4 := in.Quartiles[0], in.Quartiles[3]
	if q1.PRs != 3 || q1.MinTPL != 10 || q1.MaxTPL != 30 || !rvClose(q1.ApprovalRate, rvF(2.0/3)) || !rvClose(q1.ChangeRequestRate, rvF(2.0/3)) {
		t.Errorf("Q1 %+v", q1)
	}
	if q4.PRs != 3 || q4.MinTPL != 100 || q4.MaxTPL != 120 || !rvClose(q4.ChangeRequestRate, rvF(1)) {
		t.Errorf("Q4 %+v", q4)
	}
	for _, part := range []string{"Over 12 pull requests", "3 PRs, 100–120 tokens/line", "Spearman's rank correlation", "N=12", "A correlation, not a cause."} {
		if !strings.Contains(in.Statement, part) {
			t.Errorf("statement lacks %q:\n%s", part, in.Statement)
		}
	}

	tests := []struct {
		name      string
		n         int
		crs       []int
		rounds    []int
		quartiles int
		spearman  bool
		of        string
		says      string
	}{
		{"7: no claim", 7, same(7, 1), same(7, 1), 0, false, "", "Not enough data (N=7)"},
		{"8: quartiles only", 8, same(8, 1), same(8, 1), 4, false, "", "Too few pull requests for a rank correlation (N=8"},
		{"10: rounds when change requests are constant", 10, same(10, 0), []int{1, 2, 1, 3, 2, 4, 3, 5, 4, 6}, 4, true, "review rounds", "review rounds"},
		{"10: nothing varies", 10, same(10, 0), same(10, 1), 4, false, "", "do not vary"},
	}
	for _, tt := range tests {
		in := review.Compute(rvIntensity(tt.crs, tt.rounds, states(tt.n))).Intensity
		if in.N != tt.n || len(in.Quartiles) != tt.quartiles || (in.Spearman != nil) != tt.spearman || in.SpearmanOf != tt.of || !strings.Contains(in.Statement, tt.says) {
			t.Errorf("%s: N=%d quartiles %d spearman %s of %q\n%s", tt.name, in.N, len(in.Quartiles), rvFmt(in.Spearman), in.SpearmanOf, in.Statement)
		}
	}
}
