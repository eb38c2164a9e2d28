package review

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/internal/numfmt"
	"github.com/tokenyield/tokenyield/internal/report"
)

// Row limits of the Markdown tables (GitHub caps a job summary at 1 MiB);
// the JSON and CSV outputs have every row.
const (
	mdMaxPRs    = 100
	mdMaxGroups = 30
	mdMaxWeeks  = 104
)

// unknown is how every output writes a figure the data cannot tell.
const unknown = "unknown"

// WriteMarkdown writes the review as GitHub-flavoured Markdown, for a job
// summary or a wiki page: the totals, the token intensity statement and
// quartiles, tables by week, author, agent and model, the pull requests
// (newest first, at most 100) and the direct commits bucket, then a short
// "how to read this". Every piece of user text (titles, names) is escaped:
// no HTML, no Markdown, no mention, reference or link survives.
func WriteMarkdown(w io.Writer, d Dataset, m Metrics) error {
	b := bufio.NewWriter(w)
	md := mdWriter{b: b}
	md.header(d, m)
	md.totals(m.Totals)
	md.intensity(m.Intensity)
	md.groupTable("By week", "Week", m.Weeks, mdMaxWeeks, true)
	md.groupTable("By author", "Author", m.Authors, mdMaxGroups, false)
	md.groupTable("By agent", "Agent", m.Agents, mdMaxGroups, false)
	md.groupTable("By model", "Model", m.Models, mdMaxGroups, false)
	md.prs(m.PRs)
	md.direct(m.Direct)
	md.howTo()
	if err := b.Flush(); err != nil {
		return fmt.Errorf("review: write Markdown: %w", err)
	}
	return nil
}

// mdWriter writes the Markdown sections.
type mdWriter struct{ b *bufio.Writer }

func (w mdWriter) p(format string, args ...any) { fmt.Fprintf(w.b, format, args...) }

func (w mdWriter) header(d Dataset, m Metrics) {
	w.p("# AI usage review: %s (%s)\n\n", mdText(nameOr(d.Repo), 100), mdText(d.Branch, 100))
	w.p("%s · %s · %s", mdWindow(d.Since, d.Until), plural(int64(m.Totals.PRs), "pull request"), plural(int64(m.Direct.Commits), "direct commit"))
	if !d.Generated.IsZero() {
		w.p(" · generated %s", d.Generated.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if d.Tool != "" {
		w.p(" by %s", mdText(d.Tool, 60))
	}
	w.p("\n\n")
	if len(d.Partial) > 0 {
		w.p("> [!WARNING]\n> Some figures are incomplete:\n")
		for _, s := range d.Partial {
			w.p("> - %s\n", mdText(s, 300))
		}
		w.p("\n")
	}
}

// mdWindow describes the review window.
func mdWindow(since, until time.Time) string {
	day := func(t time.Time) string { return t.UTC().Format("2006-01-02") }
	switch {
	case since.IsZero() && until.IsZero():
		return "All history"
	case since.IsZero():
		return "Up to " + day(until)
	case until.IsZero():
		return "Since " + day(since)
	}
	return day(since) + " – " + day(until)
}

func (w mdWriter) totals(f Figures) {
	w.p("## Totals\n\n| Figure | Value |\n|---|---|\n")
	row := func(k, v string) { w.p("| %s | %s |\n", k, v) }
	prs := plural(int64(f.PRs), "pull request")
	if f.Reverted > 0 {
		prs += fmt.Sprintf(" (%s reverted)", numfmt.Thousands(int64(f.Reverted)))
	}
	row("Pull requests", prs)
	row("Commits", fmt.Sprintf("%s, %s with usage data (coverage %s)", numfmt.Thousands(int64(f.Commits)),
		numfmt.Thousands(int64(f.CommitsWithData)), pctOr(f.Coverage)))
	row("Tokens", mdTokensDetail(f))
	row("Cost", mdCost(f))
	row("Lines changed (code)", mdLines(f)+fmt.Sprintf("; generated, vendored and lock files apart: %s", numfmt.Thousands(f.LinesExcluded)))
	row("Tokens per changed line", ratioOr(f.TokensPerLine))
	row("Diff tokens per AI output token", ratioOr(f.DiffTokensPerOutputToken))
	row("Median tokens per PR", tokensOr(f.MedianTokensPerPR))
	row("Median cost per PR", usdOr(f.MedianCostPerPR))
	row("Review outcomes known", fmt.Sprintf("%s of %s", numfmt.Thousands(int64(f.OutcomesKnown)), plural(int64(f.PRs), "PR")))
	row("Merge rate", pctOr(f.MergeRate))
	row("Change-request rate", pctOr(f.ChangeRequestRate))
	row("Median review rounds", ratioOr(f.MedianRounds))
	row("Median time to merge", hoursOr(f.MedianHoursToMerge))
	row("Rework tokens (after the first review)", mdRework(f))
	w.p("\n")
}

func (w mdWriter) intensity(in Intensity) {
	w.p("## Token intensity and review outcomes\n\n%s\n\n", strings.Join(strings.Fields(in.Statement), " "))
	if len(in.Quartiles) == 0 {
		return
	}
	w.p("| Quartile | PRs | Tokens per line | Approved | Changes requested |\n|---|---:|---|---:|---:|\n")
	for _, q := range in.Quartiles {
		w.p("| %s | %d | %s–%s | %s | %s |\n", mdText(q.Label, 40), q.PRs, tpl(q.MinTPL), tpl(q.MaxTPL), pctOr(q.ApprovalRate), pctOr(q.ChangeRequestRate))
	}
	w.p("\n")
}

// groupTable writes one grouping; tail keeps the last rows (weeks) rather
// than the first (the largest). The agent and model tables have no
// coverage column: their commits all have data by construction.
func (w mdWriter) groupTable(title, key string, gs []Group, limit int, tail bool) {
	w.p("## %s\n\n", title)
	if len(gs) == 0 {
		w.p("No data.\n\n")
		return
	}
	shown := gs
	if len(gs) > limit {
		if tail {
			shown = gs[len(gs)-limit:]
		} else {
			shown = gs[:limit]
		}
	}
	coverage := key != "Agent" && key != "Model"
	w.p("| %s | PRs | Commits | Tokens | Cost | Lines +/− | Tokens/line |", key)
	if coverage {
		w.p(" Coverage |")
	}
	w.p("\n|---|---:|---:|---:|---:|---:|---:|")
	if coverage {
		w.p("---:|")
	}
	w.p("\n")
	for _, g := range shown {
		f := g.Figures
		label := mdText(g.Key, 80)
		if start, ok := weekStart(g.Key); ok && key == "Week" {
			label += start.Format(" (Jan 2)")
		}
		w.p("| %s | %s | %s | %s | %s | %s | %s |", label, numfmt.Thousands(int64(f.PRs)),
			numfmt.Thousands(int64(f.Commits)), mdTokens(f), mdCost(f), mdLines(f), mdTPL(f))
		if coverage {
			w.p(" %s |", mdCoverage(f))
		}
		w.p("\n")
	}
	if n := len(gs) - len(shown); n > 0 {
		which := "smaller"
		if tail {
			which = "earlier"
		}
		w.p("\n… %s more not shown (see the JSON or CSV output).\n", plural(int64(n), which+" row"))
	}
	w.p("\n")
}

func (w mdWriter) prs(rows []PRRow) {
	w.p("## Pull requests\n\n")
	if len(rows) == 0 {
		w.p("No pull request found in this history.\n\n")
		return
	}
	shown := rows[:min(len(rows), mdMaxPRs)]
	w.p("| PR | Title | Author | Merge | Merged | Review | Tokens | Cost | Lines +/− | Tokens/line | Coverage |\n|---:|---|---|---|---|---|---:|---:|---:|---:|---:|\n")
	for _, r := range shown {
		f := r.Figures
		review := mdState(r.State)
		if r.Reverted {
			review += ", reverted"
		}
		w.p("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.Number, mdText(r.Title, 120), mdText(nameOr(r.Author), 60),
			r.Merge, r.MergedAt.UTC().Format("2006-01-02"), review, mdTokens(f), mdCost(f), mdLines(f), mdTPL(f), mdCoverage(f))
	}
	if n := len(rows) - len(shown); n > 0 {
		w.p("\n… %s not shown (see the JSON or CSV output).\n", plural(int64(n), "older pull request"))
	}
	w.p("\n")
}

func (w mdWriter) direct(f Figures) {
	w.p("## Direct commits (outside any pull request)\n\n")
	if f.Commits == 0 {
		w.p("None.\n\n")
		return
	}
	w.p("%s, %s with usage data: %s tokens, cost %s, lines %s, %s tokens per changed line.\n\n",
		plural(int64(f.Commits), "commit"), numfmt.Thousands(int64(f.CommitsWithData)), mdTokens(f), mdCost(f), mdLines(f), mdTPL(f))
}

func (w mdWriter) howTo() {
	w.p(`## How to read this

- **Tokens** are what the AI agents used while the commits were made, read from each commit's tokenyield note or AI-Tokens trailers (as ` + "`tokenyield show`" + ` does), each commit counted once; a pull request is counted once however it was merged. Commits without data count in **coverage**, not as zero.
- **Lines** are code lines added and deleted; generated, vendored and lock files are counted apart. **Tokens per changed line** divides the tokens by those lines.
- **Diff tokens per AI output token** compares the tokens of the code that landed with the tokens the models wrote.
- **By agent** and **by model**: each row has exactly its own tokens and cost, but a commit made with several agents or models counts with its pull request and its lines in each of their rows, so those columns add up to more than the totals.
- **Review** figures come from the GitHub API where available; **rework tokens** are those of commits made after a pull request's first review.
- **unknown** means the data cannot tell (no usage data, a model without a price, no review outcome): it is never zero; **—** marks a group without commits (an empty week). Correlations describe these pull requests, not causes.
`)
}

// none is what a table shows for a ratio of an empty group (no commit).
const none = "—"

// mdTokens is a set's total tokens, unknown when it has commits but none
// with data.
func mdTokens(f Figures) string {
	if f.Commits > 0 && f.CommitsWithData == 0 {
		return unknown
	}
	return numfmt.Thousands(f.Tokens)
}

// mdTPL is a set's tokens per changed line.
func mdTPL(f Figures) string {
	if f.Commits == 0 {
		return none
	}
	return ratioOr(f.TokensPerLine)
}

// mdCoverage is a set's coverage.
func mdCoverage(f Figures) string {
	if f.Commits == 0 {
		return none
	}
	return pctOr(f.Coverage)
}

// mdTokensDetail is the total with its kinds.
func mdTokensDetail(f Figures) string {
	if f.Commits > 0 && f.CommitsWithData == 0 {
		return unknown + " (no commit with usage data)"
	}
	return fmt.Sprintf("%s (input %s, output %s of which reasoning %s, cache read %s, cache write %s)",
		numfmt.Thousands(f.Tokens), numfmt.Thousands(f.Input), numfmt.Thousands(f.Output),
		numfmt.Thousands(f.Reasoning), numfmt.Thousands(f.CacheRead), numfmt.Thousands(f.CacheWrite))
}

// mdCost is a set's cost: unknown when any commit with data is unpriced,
// with the priced part as a lower bound.
func mdCost(f Figures) string {
	switch {
	case f.CostUSD != nil:
		return usd(*f.CostUSD)
	case f.CommitsWithData == 0:
		return unknown
	case f.CostKnownUSD > 0:
		return fmt.Sprintf("unknown (≥ %s)", usd(f.CostKnownUSD))
	}
	return unknown
}

func mdLines(f Figures) string {
	return fmt.Sprintf("+%s −%s", numfmt.Thousands(f.LinesAdded), numfmt.Thousands(f.LinesDeleted))
}

func mdRework(f Figures) string {
	if f.ReworkPRs == 0 {
		return unknown + " (needs review outcomes and the PRs' own commits)"
	}
	return fmt.Sprintf("%s over %s", numfmt.Thousands(f.ReworkTokens), plural(int64(f.ReworkPRs), "PR"))
}

// mdState names a review state for a table.
func mdState(s string) string {
	switch s {
	case "":
		return unknown
	case StateApproved:
		return "approved"
	case StateChangesRequested:
		return "changes requested"
	case StateCommented:
		return "commented"
	case StateNone:
		return "no review"
	}
	return mdText(strings.ToLower(s), 30)
}

func pctOr(p *float64) string {
	if p == nil {
		return unknown
	}
	return pct(*p)
}

// ratioOr formats a ratio with up to 2 decimals (grouped when large).
func ratioOr(p *float64) string {
	if p == nil {
		return unknown
	}
	return ratio(*p)
}

func ratio(f float64) string {
	if math.Abs(f) >= 100 {
		return numfmt.Thousands(int64(math.Round(f)))
	}
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

func tokensOr(p *float64) string {
	if p == nil {
		return unknown
	}
	return numfmt.Thousands(int64(math.Round(*p)))
}

func usdOr(p *float64) string {
	if p == nil {
		return unknown
	}
	return usd(*p)
}

// usd formats dollars with cents, grouped; a non-zero cost under a cent is
// "<$0.01".
func usd(v float64) string {
	if v > 0 && v < 0.005 {
		return "<$0.01"
	}
	cents := int64(math.Round(v * 100))
	return fmt.Sprintf("$%s.%02d", numfmt.Thousands(cents/100), cents%100)
}

// hoursOr formats a duration in hours (days from 48 h).
func hoursOr(p *float64) string {
	if p == nil {
		return unknown
	}
	if *p >= 48 {
		return fmt.Sprintf("%.1f days", *p/24)
	}
	return fmt.Sprintf("%.1f h", *p)
}

// plural writes "1 commit" / "2 commits".
func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return numfmt.Thousands(n) + " " + unit + "s"
}

// mdText renders untrusted text for inline Markdown, table cells included:
// report.EscapeMarkdown, the escaper of the pull request comment (one line,
// no control or format characters, at most limit characters, no HTML, no
// cell split, no Markdown syntax, no mention, reference or autolink).
func mdText(s string, limit int) string { return report.EscapeMarkdown(s, limit) }
