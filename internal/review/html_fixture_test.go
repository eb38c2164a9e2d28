package review

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/gitstat"
)

// Test data of the HTML report: a small hand-built Dataset and Metrics whose
// chart marks can be counted by hand (htmlFixture), and a realistic
// generated history whose Metrics come from Compute (htmlSample), used by
// the browser test and the README screenshot.

func htmlF(v float64) *float64 { return &v }

func htmlT(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// htmlHostileTitle tries every injection the report must neutralise: tags,
// an attribute break-out, a script URL, a plain URL, a bidi override and
// control characters.
const htmlHostileTitle = "Fix <img src=x onerror=alert(1)> \"quoted\" 'single' & <script>alert(2)</script> " +
	"see https://evil.example/p?q=1 and javascript:alert(3) \u202Egnp.exe\u202C line\nbreak\ttab"

// htmlFixture is a small review whose figures are written out by hand. The
// expected marks (htmlFixtureMarks) follow from it:
//   - weekly: token bars for W05 and W08 (W06 is empty, W07 has no data) and
//     one cost point (W05; W08's cost is unknown) = 3;
//   - scatter: #106, #105, #104 and #101 (#103 has no data, #102 no code
//     lines) = 4;
//   - outcomes: 4 quartiles × 2 rates, one rate unknown = 7;
//   - share-agents: 3 agents with tokens (a fourth has none) = 3;
//   - share-models: 3 models = 3.
func htmlFixture() (Dataset, Metrics) {
	d := Dataset{
		Repo: "acme/<payments>", Branch: "main", Tool: "tokenyield 0.0.0-test",
		Since: htmlT("2026-01-26T00:00:00Z"), Until: htmlT("2026-02-22T00:00:00Z"),
		Generated: htmlT("2026-02-23T09:30:00Z"),
		Partial:   []string{"PR #105: 312 commits, the API listed 250 <b>bold?</b>"},
		Direct: []Commit{
			{SHA: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", Subject: "Hotfix the build", Author: "alice", Time: htmlT("2026-02-02T10:00:00Z"),
				Source: "note", Usage: htmlNote("claude-code", "claude-sonnet-4-5", 2000, 8000, 1500, 500, htmlF(0.05)),
				Code: gitstat.Lines{Added: 3, Deleted: 1}, DiffTokens: 30},
			{SHA: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", Subject: "Bump version", Author: "bob", Time: htmlT("2026-02-03T10:00:00Z"),
				Code: gitstat.Lines{Added: 1, Deleted: 1}, DiffTokens: 5},
		},
	}
	for _, n := range []int{106, 105, 104, 103, 102, 101} {
		pr := PR{Number: n, Title: fmt.Sprintf("Change %d", n), Author: "alice", Merge: MergeSquash}
		if n == 101 {
			pr.Title = htmlHostileTitle
			pr.Author = "@org/team <b>"
		}
		d.PRs = append(d.PRs, pr)
	}
	d.PRs[0].Review = &Outcome{State: StateApproved, Approvals: 1, Rounds: 1, Merged: true}
	d.PRs[1].Review = &Outcome{State: StateChangesRequested, ChangeRequests: 2, Rounds: 3, Merged: true, FirstReview: htmlPtrTime(htmlT("2026-02-18T00:00:00Z"))}
	d.PRs[1].Reverted = true

	row := func(n int, title, author, state string, f Figures, reverted bool) PRRow {
		return PRRow{Number: n, Title: title, Author: author, Merge: MergeSquash, MergedAt: htmlT("2026-02-01T12:00:00Z").AddDate(0, 0, n-100),
			Figures: f, State: state, Reverted: reverted}
	}
	m := Metrics{
		Totals: Figures{
			PRs: 6, Commits: 12, CommitsWithData: 9,
			Input: 70_000, Output: 50_000, CacheRead: 1_000_000, CacheWrite: 50_000, Reasoning: 20_000, Tokens: 1_170_000,
			CostKnownUSD: 2.7, CostUnknownCommits: 1,
			LinesAdded: 1223, LinesDeleted: 224, LinesExcluded: 500,
			TokensPerLine: htmlF(1_170_000.0 / 1447), DiffTokensPerOutputToken: htmlF(0.42), Coverage: htmlF(0.75),
			OutcomesKnown: 5, MergeRate: htmlF(1), ChangeRequestRate: htmlF(0.2), MedianRounds: htmlF(1), MedianHoursToMerge: htmlF(30.5),
			Reverted: 1, ReworkTokens: 400_000, ReworkPRs: 1, MedianTokensPerPR: htmlF(75_000), MedianCostPerPR: htmlF(0.2),
		},
		PRs: []PRRow{
			row(106, "Change 106", "alice", StateApproved, Figures{PRs: 1, Commits: 3, CommitsWithData: 3, Tokens: 120_000, CostUSD: htmlF(0.9), LinesAdded: 250, LinesDeleted: 50, TokensPerLine: htmlF(400), MedianRounds: htmlF(1), MedianHoursToMerge: htmlF(20)}, false),
			row(105, "Change 105", "alice", StateChangesRequested, Figures{PRs: 1, Commits: 2, CommitsWithData: 1, Tokens: 900_000, CostKnownUSD: 1.5, CostUnknownCommits: 1, LinesAdded: 100, LinesDeleted: 50, TokensPerLine: htmlF(6000), MedianRounds: htmlF(3)}, true),
			row(104, "Change 104", "bob", StateCommented, Figures{PRs: 1, Commits: 1, CommitsWithData: 1, Tokens: 45_000, CostUSD: htmlF(0.2), LinesAdded: 800, LinesDeleted: 100, TokensPerLine: htmlF(50)}, false),
			row(103, "Change 103", "bob", "", Figures{PRs: 1, Commits: 2, LinesAdded: 60, LinesDeleted: 20}, false),
			row(102, "Change 102", "chen", StateApproved, Figures{PRs: 1, Commits: 1, CommitsWithData: 1, Tokens: 30_000, CostUSD: htmlF(0.1), LinesExcluded: 500}, false),
			row(101, htmlHostileTitle, "@org/team <b>", StateNone, Figures{PRs: 1, Commits: 1, CommitsWithData: 1, Tokens: 75_000, CostUSD: htmlF(0.1), LinesAdded: 10, LinesDeleted: 2, TokensPerLine: htmlF(6250)}, false),
		},
		Authors: []Group{
			{Key: "alice", Figures: Figures{PRs: 3, Commits: 6, CommitsWithData: 5, Tokens: 1_095_000, LinesAdded: 360, LinesDeleted: 102}},
			{Key: "bob", Figures: Figures{PRs: 2, Commits: 3, CommitsWithData: 1, Tokens: 45_000, CostUSD: htmlF(0.2)}},
		},
		Weeks: []Group{
			{Key: "2026-W05", Figures: Figures{PRs: 2, Commits: 5, CommitsWithData: 4, Tokens: 1_020_000, CostUSD: htmlF(3.1)}},
			{Key: "2026-W06"},
			{Key: "2026-W07", Figures: Figures{PRs: 2, Commits: 3}},
			{Key: "2026-W08", Figures: Figures{PRs: 2, Commits: 4, CommitsWithData: 3, Tokens: 975_000, CostKnownUSD: 1.5, CostUnknownCommits: 1}},
		},
		Agents: []Group{
			{Key: "claude-code", Figures: Figures{PRs: 4, Commits: 6, CommitsWithData: 6, Tokens: 1_000_000, CostUSD: htmlF(2.5)}},
			{Key: "codex", Figures: Figures{PRs: 1, Commits: 2, CommitsWithData: 2, Tokens: 170_000, CostUSD: htmlF(0.2)}},
			{Key: "gemini-cli", Figures: Figures{PRs: 1, Commits: 1, CommitsWithData: 1, Tokens: 12_000}},
			{Key: "idle-agent", Figures: Figures{PRs: 1, Commits: 1, CommitsWithData: 1}},
		},
		Models: []Group{
			{Key: "claude-sonnet-4-5", Figures: Figures{PRs: 4, Commits: 6, CommitsWithData: 6, Tokens: 900_000, CostUSD: htmlF(2.5)}},
			{Key: "gpt-5-codex", Figures: Figures{PRs: 1, Commits: 2, CommitsWithData: 2, Tokens: 170_000, CostUSD: htmlF(0.2)}},
			{Key: "gpt-5\"><svg onload=alert(1)>", Figures: Figures{PRs: 1, Commits: 1, CommitsWithData: 1, Tokens: 100_000}},
		},
		Direct: Figures{Commits: 2, CommitsWithData: 1, Tokens: 12_000, CostUSD: htmlF(0.05), LinesAdded: 4, LinesDeleted: 2},
		Intensity: Intensity{
			N: 9,
			Quartiles: []Quartile{
				{Label: "Q1 (fewest tokens/line)", PRs: 2, MinTPL: 300, MaxTPL: 400, ApprovalRate: htmlF(1), ChangeRequestRate: htmlF(0)},
				{Label: "Q2", PRs: 2, MinTPL: 500, MaxTPL: 900, ApprovalRate: htmlF(0.5), ChangeRequestRate: htmlF(0.5)},
				{Label: "Q3", PRs: 2, MinTPL: 1000, MaxTPL: 3000, ChangeRequestRate: htmlF(0.5)},
				{Label: "Q4 (most tokens/line)", PRs: 3, MinTPL: 4000, MaxTPL: 6250, ApprovalRate: htmlF(1.0 / 3), ChangeRequestRate: htmlF(2.0 / 3)},
			},
			Statement: "Over 9 pull requests with AI usage, changed code lines and a known review outcome: <em>made up</em>. A correlation, not a cause.",
		},
	}
	return d, m
}

// htmlFixtureMarks are the data marks per chart of htmlFixture, counted by
// hand in its doc comment.
var htmlFixtureMarks = map[string]int{"weekly": 3, "scatter": 4, "outcomes": 7, "share-agents": 3, "share-models": 3}

func htmlPtrTime(t time.Time) *time.Time { return &t }

// htmlNote is a one-row usage note.
func htmlNote(agent, model string, input, cacheRead, cacheWrite, output int64, cost *float64) attribution.Note {
	n := attribution.Note{Rows: []attribution.Row{{
		Agent: agent, Session: "s-" + agent, Model: model, Requests: 3,
		Usage:   attribution.Usage{Input: input, CacheRead: cacheRead, CacheWrite: cacheWrite, Output: output},
		CostUSD: cost,
	}}}
	n.Canonicalize()
	return n
}

// htmlPrice is a model's price per million tokens (input, cache read,
// cache write, output); the sample history's costs derive from it.
type htmlPrice struct{ in, read, write, out float64 }

// htmlSample is a realistic, deterministic three-month history of a team of
// five with three agents: 40 pull requests (merge, squash and rebase), two
// reverted, most with a known review outcome, a fifth of the commits without
// usage data, and a few direct commits. Its Metrics come from Compute.
func htmlSample() (Dataset, Metrics) {
	rng := rand.New(rand.NewPCG(6, 2026))
	models := []struct {
		agent, model string
		price        htmlPrice
		weight       float64
	}{
		{"claude-code", "claude-sonnet-4-5", htmlPrice{3, 0.3, 3.75, 15}, 0.55},
		{"claude-code", "claude-opus-4-1", htmlPrice{15, 1.5, 18.75, 75}, 0.1},
		{"codex", "gpt-5-codex", htmlPrice{1.25, 0.125, 0, 10}, 0.25},
		{"gemini-cli", "gemini-2.5-pro", htmlPrice{1.25, 0.31, 0, 10}, 0.1},
	}
	authors := []string{"alice", "bob", "chen", "dana", "eve"}
	titles := []string{
		"Add idempotency keys to the payment intents API", "Retry webhook deliveries with backoff",
		"Migrate ledger tables to partitioned storage", "Fix rounding of multi-currency refunds",
		"Rate-limit the public search endpoint", "Extract the fraud rules engine",
		"Upgrade the HTTP router", "Add OpenTelemetry spans to the checkout flow",
		"Document the settlement batch job", "Speed up the nightly reconciliation",
		"Validate IBANs on input", "Remove the legacy v1 invoices endpoint",
	}
	merges := []string{MergeSquash, MergeSquash, MergeCommit, MergeRebase}
	start := htmlT("2026-01-05T09:00:00Z")
	d := Dataset{
		Repo: "acme/payments-api", Branch: "main", Tool: "tokenyield 0.6.0",
		Since: start.Truncate(24 * time.Hour), Until: htmlT("2026-03-30T00:00:00Z"),
		Generated: htmlT("2026-03-30T07:00:00Z"),
		Partial:   []string{"Review outcomes of 4 pull requests are not cached yet (API rate limit reached); run again later."},
	}
	note := func(when time.Time, tokens float64) attribution.Note {
		var n attribution.Note
		k := 1 + rng.IntN(2)
		for range k {
			r := rng.Float64()
			i := 0
			for acc := models[0].weight; r > acc && i < len(models)-1; {
				i++
				acc += models[i].weight
			}
			mdl := models[i]
			t := tokens / float64(k)
			u := attribution.Usage{
				Input: int64(t * 0.045), CacheRead: int64(t * 0.86), CacheWrite: int64(t * 0.08), Output: int64(t * 0.015),
			}
			u.Reasoning = u.Output / 3
			p := mdl.price
			cost := (float64(u.Input)*p.in + float64(u.CacheRead)*p.read + float64(u.CacheWrite)*p.write + float64(u.Output)*p.out) / 1e6
			n.Rows = append(n.Rows, attribution.Row{Agent: mdl.agent, Model: mdl.model, Session: fmt.Sprintf("s%d", rng.IntN(1e6)),
				Usage: u, Requests: int64(5 + rng.IntN(60)), First: when.Add(-time.Hour), Last: when, CostUSD: &cost})
		}
		n.Canonicalize()
		return n
	}
	const prs = 40
	for i := range prs {
		n := 1180 + i
		merged := start.Add(time.Duration(float64(i)/prs*float64(83*24*time.Hour)) + time.Duration(rng.IntN(8))*time.Hour)
		pr := PR{Number: n, Title: titles[rng.IntN(len(titles))], Author: authors[rng.IntN(len(authors))],
			Merge: merges[rng.IntN(len(merges))], MergeSHA: fmt.Sprintf("%040x", n), MergedAt: merged}
		lines := math.Exp(3 + rng.NormFloat64()*1.1 + 1.5)
		tpl := math.Exp(math.Log(4000) + rng.NormFloat64()*0.9)
		commits := 1 + rng.IntN(4)
		created := merged.Add(-time.Duration(2+rng.IntN(96)) * time.Hour)
		for c := range commits {
			when := created.Add(time.Duration(c+1) * time.Hour)
			cl := int64(lines/float64(commits)) + 1
			cm := Commit{SHA: fmt.Sprintf("%038x%02x", n, c), Subject: pr.Title, Author: pr.Author, Time: when,
				Code: gitstat.Lines{Added: cl * 3 / 4, Deleted: cl / 4}, DiffTokens: cl * 8}
			if rng.Float64() < 0.2 {
				cm.Excluded = gitstat.Lines{Added: 40 + int64(rng.IntN(400)), Deleted: int64(rng.IntN(100))}
			}
			if rng.Float64() < 0.8 {
				cm.Source = "note"
				cm.Usage = note(when, tpl*float64(cl))
			}
			pr.Commits = append(pr.Commits, cm)
		}
		if rng.Float64() < 0.85 {
			o := &Outcome{Merged: true, Rounds: 1, Created: htmlPtrTime(created), MergedAt: htmlPtrTime(merged)}
			first := created.Add(time.Duration(1+rng.IntN(20)) * time.Hour)
			o.FirstReview = &first
			pChanges := 0.15 + 0.25*math.Min(1, tpl/12000)
			switch r := rng.Float64(); {
			case r < pChanges:
				o.State, o.ChangeRequests, o.Rounds, o.Approvals = StateApproved, 1+rng.IntN(2), 2+rng.IntN(2), 1
				if rng.Float64() < 0.3 {
					o.State = StateChangesRequested
				}
			case r < 0.9:
				o.State, o.Approvals = StateApproved, 1+rng.IntN(2)
			default:
				o.State = StateCommented
			}
			o.ReviewComments = rng.IntN(12)
			pr.Review = o
		}
		d.PRs = append(d.PRs, pr)
	}
	d.PRs[7].Reverted = true
	d.PRs[23].Reverted = true
	for i, j := 0, len(d.PRs)-1; i < j; i, j = i+1, j-1 {
		d.PRs[i], d.PRs[j] = d.PRs[j], d.PRs[i] // newest merge first
	}
	for i := range 5 {
		when := start.Add(time.Duration(i*17) * 24 * time.Hour)
		c := Commit{SHA: fmt.Sprintf("%040x", 0xd00+i), Subject: "Release v2." + fmt.Sprint(i), Author: "release-bot", Time: when,
			Code: gitstat.Lines{Added: 2, Deleted: 2}, DiffTokens: 10}
		if i%2 == 0 {
			c.Author, c.Subject, c.Source = "alice", "Hotfix: restore the payout cron schedule", "note"
			c.Usage = note(when, 60_000)
		}
		d.Direct = append(d.Direct, c)
	}
	return d, Compute(d)
}
