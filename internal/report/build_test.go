package report

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// TestBuildNormalTotals checks the sample pull request's figures against
// hand-derived numbers:
//
//	commit 1: 1,200 + 480,000 + 36,000 + 9,800            = 527,000  $1.2345
//	commit 2: 300 + 210,000 + 9,000 + 4,200 = 223,500
//	          + codex 5,000 + 20,000 + 3,000 = 28,000    = 251,500  $0.4921
//	commit 3: aider 8,000 + 1,500 (trailers)              =   9,500  $0.0465
//	commit 4: no data (Claude co-author trailer)
//	commit 5: 100 + 90,000 + 4,000 + 2,100                =  96,200  $0.1111
//	commit 6: empty note (merge)                          =       0  $0
//	total                                                   884,200  $1.8842
//	code lines +807 −92 (420+310+12+25+40, 37+4+9+2+40) = 899 changed
//	tokens per changed line 884,200 / 899 = 983.54
//	rework: first review at +3h12m; commits 5 and 6 are after: 96,200 tokens
func TestBuildNormalTotals(t *testing.T) {
	r := Build(normalInput())
	tt := r.Totals
	want := Figures{Input: 14600, Output: 20600, CacheRead: 800000, CacheWrite: 49000, Reasoning: 1200, Total: 884200, Requests: 90, PricedUSD: 1.8842}
	got := tt.Figures
	got.CostUSD = nil
	if got != want {
		t.Errorf("totals = %+v\nwant     %+v", got, want)
	}
	if tt.CostUSD == nil || math.Abs(*tt.CostUSD-1.8842) > 1e-9 {
		t.Errorf("cost = %v, want 1.8842", tt.CostUSD)
	}
	if l := tt.Lines; l == nil || l.Added != 807 || l.Deleted != 92 || l.Excluded != (Lines{1200, 30}) || l.UnknownCommits != 0 ||
		l.ExcludedBy["lock"] != (Lines{1000, 20}) || l.ExcludedBy["generated"] != (Lines{200, 10}) {
		t.Errorf("lines = %+v", tt.Lines)
	}
	if tt.TokensPerLine == nil || math.Abs(*tt.TokensPerLine-884200.0/899) > 1e-9 {
		t.Errorf("tokens per line = %v", tt.TokensPerLine)
	}
	if tt.DiffTokens == nil || *tt.DiffTokens != 5100+2900+180+300+800 || tt.DiffTokensUnknown != 0 {
		t.Errorf("diff tokens = %v (%d unknown)", tt.DiffTokens, tt.DiffTokensUnknown)
	}
	c := r.Coverage
	if c.Commits != 6 || c.WithData != 5 || c.FromNotes != 4 || c.FromTrailers != 1 || c.AICoAuthorWithoutData != 1 || c.Rejected != 0 ||
		c.Ratio == nil || *c.Ratio != 5.0/6 {
		t.Errorf("coverage = %+v", c)
	}
	if rw := r.Rework; rw == nil || rw.Before.Commits != 4 || rw.After.Commits != 2 || rw.Before.Total != 788000 || rw.After.Total != 96200 ||
		rw.AfterShare == nil || math.Abs(*rw.AfterShare-96200.0/884200) > 1e-12 {
		t.Errorf("rework = %+v", r.Rework)
	}
	if rv := r.Review; rv == nil || rv.State != ReviewApproved || *rv.TimeToFirstReview != 3*3600+12*60 || *rv.TimeToMerge != 28*3600+5*60 || !rv.Merged {
		t.Errorf("review = %+v", r.Review)
	}
	if len(r.Agents) != 3 || r.Agents[0].Agent != attribution.AgentClaudeCode || r.Agents[0].Total != 846700 ||
		r.Agents[0].Commits != 3 || r.Agents[0].Sessions != 2 || r.Agents[1].Agent != attribution.AgentCodex || r.Agents[2].Sessions != 0 {
		t.Errorf("agents = %+v", r.Agents)
	}
	if got := r.Commits[1].Agents; len(got) != 2 || got[0] != attribution.AgentClaudeCode || got[1] != attribution.AgentCodex {
		t.Errorf("commit 2 agents = %v", got)
	}
	if r.Commits[3].Usage != nil || !r.Commits[3].AICoAuthor || r.Commits[4].AfterFirstReview != true || r.Commits[0].AfterFirstReview {
		t.Errorf("commit rows = %+v", r.Commits)
	}
}

// TestBuildTotalsIndependent recomputes the totals a second way: merging
// every commit's note with attribution.Merge (the arithmetic squash
// rollups use) must give the same token vector, requests and cost.
func TestBuildTotalsIndependent(t *testing.T) {
	for name, in := range map[string]Input{"normal": normalInput(), "partial": partialInput(), "huge": hugeInput(500)} {
		merged := attribution.Note{V: attribution.NoteVersion}
		for _, c := range in.Commits {
			if c.Source != "" {
				merged = attribution.Merge(merged, c.Usage)
			}
		}
		r := Build(in)
		if r.Totals.Input != merged.Total.Input || r.Totals.Output != merged.Total.Output || r.Totals.CacheRead != merged.Total.CacheRead ||
			r.Totals.CacheWrite != merged.Total.CacheWrite || r.Totals.Reasoning != merged.Total.Reasoning || r.Totals.Total != merged.Total.Total {
			t.Errorf("%s: totals %+v, merged notes %+v", name, r.Totals.Figures, merged.Total)
		}
		var req int64
		for _, row := range merged.Rows {
			req += row.Requests
		}
		if r.Totals.Requests != req {
			t.Errorf("%s: requests %d, merged %d", name, r.Totals.Requests, req)
		}
		if (r.Totals.CostUSD == nil) != (merged.Total.CostUSD == nil) ||
			r.Totals.CostUSD != nil && math.Abs(*r.Totals.CostUSD-*merged.Total.CostUSD) > 1e-6 {
			t.Errorf("%s: cost %v, merged %v", name, r.Totals.CostUSD, merged.Total.CostUSD)
		}
	}
}

// TestBuildUnknowns: unknown inputs stay unknown (nil), never zero.
func TestBuildUnknowns(t *testing.T) {
	r := Build(Input{Commits: []Commit{
		{SHA: sha(1), Source: SourceNote, Usage: note(row("a", "m", "", attribution.Usage{Input: 10}, 1, -1)), LinesUnknown: true, DiffTokens: -1},
	}})
	if r.Totals.CostUSD != nil || r.Totals.UnpricedTokens != 10 {
		t.Errorf("cost = %v, unpriced %d", r.Totals.CostUSD, r.Totals.UnpricedTokens)
	}
	if r.Totals.Lines != nil || r.Totals.TokensPerLine != nil || r.Totals.DiffTokens != nil {
		t.Errorf("lines %v, per line %v, diff %v: want unknown", r.Totals.Lines, r.Totals.TokensPerLine, r.Totals.DiffTokens)
	}
	if r.Review != nil || r.Rework != nil || r.History != nil {
		t.Error("review, rework and history must be nil without input")
	}
	if r.Commits[0].Time != nil || r.Commits[0].Lines != nil || r.Commits[0].DiffTokens != nil {
		t.Errorf("commit row = %+v", r.Commits[0])
	}
	// No code line changed: tokens per line is unknown, not infinite.
	r = Build(Input{Commits: []Commit{{SHA: sha(2), Source: SourceNote, Usage: note(row("a", "m", "", attribution.Usage{Input: 10}, 1, 0.1)), Excluded: Lines{5, 0}}}})
	if r.Totals.TokensPerLine != nil || r.Totals.Lines == nil || r.Totals.Lines.Changed() != 0 {
		t.Errorf("no code lines: per line %v, lines %+v", r.Totals.TokensPerLine, r.Totals.Lines)
	}
	// No commits: zero lines and zero cost are known.
	r = Build(Input{})
	if r.Totals.Lines == nil || r.Totals.CostUSD == nil || *r.Totals.CostUSD != 0 || r.Coverage.Ratio != nil {
		t.Errorf("no commits: %+v", r.Totals)
	}
}

// TestBuildHostileNumbers: absurd or corrupt figures (negative, overflowing,
// NaN cost) neither panic nor wrap around, and the JSON still encodes.
func TestBuildHostileNumbers(t *testing.T) {
	huge := attribution.Usage{Input: math.MaxInt64, CacheRead: math.MaxInt64, Output: math.MaxInt64, Reasoning: math.MaxInt64}
	neg := attribution.Usage{Input: -5, Output: -1, Reasoning: -3}
	bad := row("a", "m", "", neg, -4, math.NaN())
	inf := row("a", "m", "", attribution.Usage{Input: 1}, 1, math.Inf(1))
	var commits []Commit
	for i := range 3 {
		commits = append(commits, Commit{SHA: sha(i), Source: SourceNote, Usage: attribution.Note{Rows: []attribution.Row{row("a", "m", "", huge, math.MaxInt64, 1e9), bad, inf}},
			Code: Lines{math.MaxInt64, -7}, Excluded: Lines{-1, math.MaxInt64}, DiffTokens: math.MaxInt64, Time: t0})
	}
	in := Input{Number: -3, Commits: commits, History: []HistoryPR{{Number: 1, Tokens: -1}, {Number: 2, Tokens: math.MaxInt64, CostUSD: ptr(math.NaN()), LinesChanged: 1}},
		Review: &Review{Approvals: -1, Created: ptr(t0), FirstReview: ptr(t0.Add(-time.Hour))}}
	r := Build(in)
	if r.Totals.Total != math.MaxInt64 || r.Totals.Input != math.MaxInt64 || r.Totals.Requests != math.MaxInt64 {
		t.Errorf("saturated totals = %+v", r.Totals.Figures)
	}
	if r.Totals.CostUSD != nil || r.Number != 0 || r.Review.Approvals != 0 || r.Review.TimeToFirstReview != nil {
		t.Errorf("cost %v, number %d, review %+v", r.Totals.CostUSD, r.Number, r.Review)
	}
	if r.Totals.Lines.Deleted != 0 || r.Totals.Lines.Added != math.MaxInt64 {
		t.Errorf("lines = %+v", r.Totals.Lines)
	}
	b, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatal("invalid JSON")
	}
	checkBody(t, r.Markdown(0), CommentLimit)
}

// TestBuildCleansText: Build keeps untrusted text on one line and bounded.
func TestBuildCleansText(t *testing.T) {
	r := Build(hostileInput())
	for _, c := range r.Commits {
		if strings.ContainsAny(c.Subject, "\n\r\u2028\u202e") || len([]rune(c.Subject)) > maxSubject || len([]rune(c.Author)) > maxAuthor {
			t.Errorf("subject not cleaned: %q", c.Subject)
		}
	}
	if got := r.Commits[5].Subject; got != "line one | injected | row | # Heading > quote sepgnp.exe" {
		t.Errorf("multi-line subject = %q", got)
	}
	if got := r.Commits[6].Subject; !strings.HasSuffix(got, "…") || len([]rune(got)) != maxSubject {
		t.Errorf("long subject = %d characters, ends %q", len([]rune(got)), got[len(got)-10:])
	}
}

// TestCompare checks the medians and ranks against hand-computed values.
func TestCompare(t *testing.T) {
	tot := Totals{Figures: Figures{Total: 500, CostUSD: ptr(2.0)}, TokensPerLine: ptr(5.0)}
	h := []HistoryPR{
		{Number: 1, Tokens: 100, CostUSD: ptr(1.0), LinesChanged: 10},  // 10 per line
		{Number: 2, Tokens: 900, CostUSD: ptr(3.0), LinesChanged: 300}, // 3 per line
		{Number: 3, Tokens: 300, LinesChanged: 0},
		{Number: 3, Tokens: 999999}, // a repeat: ignored
		{Number: 4, Tokens: -1},     // unknown: ignored
		{Number: 9, Tokens: 1e9},    // this PR: ignored
	}
	c := compare(9, h, tot)
	if c == nil || c.PRs != 3 {
		t.Fatalf("comparison = %+v", c)
	}
	check := func(name string, r Rank, median float64, pos, of int) {
		t.Helper()
		if r.Median == nil || *r.Median != median || r.Position != pos || r.Of != of {
			t.Errorf("%s: %+v (median %v), want median %v, %d of %d", name, r, deref(r.Median), median, pos, of)
		}
	}
	check("tokens", c.Tokens, 300, 2, 4)          // 100, 300, 900: this 500 is 2nd
	check("cost", c.CostUSD, 2, 2, 3)             // 1, 3: median 2; this 2 is 2nd
	check("per line", c.TokensPerLine, 6.5, 2, 3) // 10, 3: median 6.5; this 5 is 2nd
	if compare(1, []HistoryPR{{Number: 1, Tokens: 5}}, tot) != nil {
		t.Error("history of only this PR must give nil")
	}
	c = compare(9, h, Totals{})
	if c.CostUSD.This != nil || c.CostUSD.Position != 0 || c.TokensPerLine.This != nil {
		t.Errorf("unknown figures must not rank: %+v", c)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
