package review

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"
	"time"
)

// The HTML report is one self-contained file: the stylesheet, the sorting
// script and the page template are embedded, the charts are inline SVG drawn
// here, and a Content-Security-Policy allows nothing but the embedded style
// and script (by hash), so the page can make no network request even if
// some hostile text slipped through the escaping. Every piece of text goes
// through html/template, which escapes it for its context.

//go:embed assets/report.html.tmpl assets/report.css assets/report.js
var htmlAssets embed.FS

// htmlPageAssets are the parsed page template, the embedded stylesheet and
// script, and the Content-Security-Policy that admits exactly those two.
type htmlPageAssets struct {
	tmpl *template.Template
	css  template.CSS
	js   template.JS
	csp  string
}

// htmlAssetsOnce parses the assets on first use, not at start-up: every
// tokenyield process (each commit hook) links this package, and parsing
// the template costs about 0.4 ms.
var htmlAssetsOnce = sync.OnceValue(mustHTMLAssets)

// mustHTMLAssets parses the embedded template and computes the policy; the
// assets are compiled in, so a failure is a build defect and panics.
func mustHTMLAssets() htmlPageAssets {
	css, err := htmlAssets.ReadFile("assets/report.css")
	if err != nil {
		panic(err)
	}
	js, err := htmlAssets.ReadFile("assets/report.js")
	if err != nil {
		panic(err)
	}
	t := template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
		"f": htmlCoord,
	}).ParseFS(htmlAssets, "assets/report.html.tmpl"))
	csp := "default-src 'none'; style-src " + htmlHashSource(css) + "; script-src " + htmlHashSource(js) +
		"; img-src 'none'; base-uri 'none'; form-action 'none'"
	return htmlPageAssets{tmpl: t, css: template.CSS(css), js: template.JS(js), csp: csp}
}

// htmlHashSource is a CSP source expression admitting exactly one inline
// element whose content is b.
func htmlHashSource(b []byte) string {
	sum := sha256.Sum256(b)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// WriteHTML writes the review as one self-contained HTML page for
// engineering leads: summary figures, SVG charts (tokens and cost per week,
// tokens versus changed lines per pull request, review outcomes by token
// intensity quartile, share of tokens per agent and model), sortable tables
// of pull requests, authors, weeks, agents, models and direct commits, and a
// short "how to read this" section.
//
// The page loads nothing: no fonts, scripts, images or styles from the
// network (a Content-Security-Policy enforces it), it reads well without
// JavaScript (tables keep their order) and prints on paper. Figures that are
// not known are written "unknown", never 0. Nothing is written to w when
// rendering fails.
func WriteHTML(w io.Writer, d Dataset, m Metrics) error {
	var buf bytes.Buffer
	if err := htmlAssetsOnce().tmpl.Execute(&buf, buildHTMLPage(d, m)); err != nil {
		return fmt.Errorf("review: render HTML: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("review: write HTML: %w", err)
	}
	return nil
}

// htmlPage is everything the page template shows, already formatted.
type htmlPage struct {
	// The head and frame: title, meta line (branch, window, generated),
	// producing tool, the policy, the embedded style and script, footer.
	Title  string
	Meta   []string
	Tool   string
	CSP    string
	CSS    template.CSS
	JS     template.JS
	Footer string

	// The summary: incomplete figures, notes on coverage and outcomes,
	// headline cards and tokens by kind.
	Partial []string
	Notes   []string
	Cards   []htmlCard
	Kinds   htmlTable

	// The charts, the intensity statement and the tables.
	Weekly                            htmlFigure
	Statement                         string
	IntensityNotes                    []string
	Scatter, Outcomes, Agents, Models htmlFigure
	PRs                               htmlTable
	Groups                            []htmlTable
	Direct                            *htmlTable
}

// htmlCard is one headline figure of the summary.
type htmlCard struct {
	Label, Value, Sub string
	Unknown           bool
}

// htmlFigure is one chart with its heading, legend and caption; Chart is nil
// when there is nothing to draw, and Empty then says why.
type htmlFigure struct {
	ID, Heading string
	Legend      []htmlLegend
	Chart       *svgChart
	Empty       string
	Caption     string
}

// htmlLegend is one legend entry: a swatch class and its text.
type htmlLegend struct {
	Class, Text string
}

// buildHTMLPage formats everything the page shows; every user-controlled
// string passes through htmlText here, and html/template escapes it later.
func buildHTMLPage(d Dataset, m Metrics) htmlPage {
	t := m.Totals
	assets := htmlAssetsOnce()
	repo := htmlText(d.Repo, 200)
	title := "AI usage review"
	if repo != "" {
		title += ": " + repo
	}
	p := htmlPage{
		Title:  title,
		Meta:   htmlMeta(d),
		Tool:   htmlText(d.Tool, 100),
		CSP:    assets.csp,
		CSS:    assets.css,
		JS:     assets.js,
		Footer: htmlFooter(d),
		Cards:  htmlCards(m),
		Kinds:  htmlKindsTable(t),
	}
	for _, s := range d.Partial {
		p.Partial = append(p.Partial, htmlText(s, 500))
	}
	p.Notes = htmlNotes(d, m)
	p.Weekly = htmlWeeklyFigure(m.Weeks)
	p.Statement, p.IntensityNotes = htmlIntensityText(m.Intensity)
	p.Scatter = htmlScatterFigure(m.PRs)
	p.Outcomes = htmlOutcomeFigure(m.Intensity)
	p.Agents = htmlShareFigure("agents", "Agents", m.Agents)
	p.Models = htmlShareFigure("models", "Models", m.Models)
	p.PRs = htmlPRTable(m.PRs)
	p.Groups = []htmlTable{
		htmlGroupTable("authors", "By author", "Author", m.Authors),
		htmlGroupTable("weeks", "By ISO week", "Week", m.Weeks),
		htmlUsageTable("agents", "By agent", "Agent", m.Agents),
		htmlUsageTable("models", "By model", "Model", m.Models),
	}
	if len(d.Direct) > 0 {
		tbl := htmlDirectTable(d.Direct, m.Direct)
		p.Direct = &tbl
	}
	return p
}

// htmlMeta is the line under the title: branch, window and generation time.
func htmlMeta(d Dataset) []string {
	var meta []string
	if d.Branch != "" {
		meta = append(meta, "Branch "+htmlText(d.Branch, 200))
	}
	meta = append(meta, htmlWindow(d.Since, d.Until))
	if !d.Generated.IsZero() {
		meta = append(meta, "Generated "+d.Generated.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return meta
}

// htmlWindow describes the review window, "all history" when unbounded.
func htmlWindow(since, until time.Time) string {
	const day = "2006-01-02"
	switch {
	case since.IsZero() && until.IsZero():
		return "All history"
	case since.IsZero():
		return "Merged until " + until.UTC().Format(day)
	case until.IsZero():
		return "Merged since " + since.UTC().Format(day)
	default:
		return "Merged " + since.UTC().Format(day) + " to " + until.UTC().Format(day)
	}
}

// htmlFooter says what made the page and what it holds.
func htmlFooter(d Dataset) string {
	by := "tokenyield"
	if d.Tool != "" {
		by = htmlText(d.Tool, 100)
	}
	return "Made by " + by + " from git notes and commit trailers. " +
		"This file holds counts and names only (no code, no prompts) and makes no network request."
}

// flaggedNote says how many commits carry estimated usage and how many a
// lower bound, naming only what occurs.
func flaggedNote(estimated, lower int) string {
	var parts []string
	if estimated > 0 {
		parts = append(parts, plural(int64(estimated), "commit")+carries(estimated)+"estimated usage")
	}
	if lower > 0 {
		parts = append(parts, plural(int64(lower), "commit")+carries(lower)+"usage known to be a lower bound (their agents do not log every figure)")
	}
	verdict := "the totals are lower bounds"
	if estimated > 0 {
		verdict = "the totals are approximate"
	}
	return strings.Join(parts, " and ") + ": " + verdict + "."
}

// carries is the verb for n commits.
func carries(n int) string {
	if n == 1 {
		return " carries "
	}
	return " carry "
}

// htmlNotes are the information callouts of the summary: coverage and
// unknown review outcomes, said once in words rather than left to guess.
func htmlNotes(d Dataset, m Metrics) []string {
	var notes []string
	t := m.Totals
	switch {
	case t.Commits == 0:
		notes = append(notes, "No commit in this window: there is nothing to review.")
	case t.CommitsWithData == 0:
		notes = append(notes, fmt.Sprintf("None of the %s commits carries usage data (no tokenyield note or trailers), so tokens and cost are unknown. Lines and review outcomes are still shown.", htmlInt(int64(t.Commits))))
	case t.CommitsWithData < t.Commits:
		notes = append(notes, fmt.Sprintf("%s of %s commits carry usage data (%s coverage). Tokens and cost describe those commits only: the others have no data, which is not the same as zero usage.",
			htmlInt(int64(t.CommitsWithData)), htmlInt(int64(t.Commits)), htmlPct(float64(t.CommitsWithData)/float64(t.Commits))))
	}
	if estimated, lower := htmlFlagged(d); estimated+lower > 0 {
		notes = append(notes, flaggedNote(estimated, lower))
	}
	known, prs := t.OutcomesKnown, t.PRs
	if prs > 0 && known == 0 {
		notes = append(notes, "Review outcomes are unknown for every pull request (no API token was given and none is cached), so merge and change-request rates, review rounds, rework and the intensity analysis are unavailable.")
	} else if known < prs {
		notes = append(notes, fmt.Sprintf("Review outcomes are known for %s of %s pull requests; rates and medians are over those.", htmlInt(int64(known)), htmlInt(int64(prs))))
	}
	return notes
}

// htmlFlagged counts the commits whose usage is estimated, or known to be a
// lower bound, as their notes say.
func htmlFlagged(d Dataset) (estimated, lower int) {
	count := func(c *Commit) {
		if c.Source == "" {
			return
		}
		est, low := c.Usage.Estimated, false
		for _, r := range c.Usage.Rows {
			est = est || r.Estimated
			low = low || r.LowerBound
		}
		if est {
			estimated++
		}
		if low {
			lower++
		}
	}
	for i := range d.PRs {
		for j := range d.PRs[i].Commits {
			count(&d.PRs[i].Commits[j])
		}
	}
	for i := range d.Direct {
		count(&d.Direct[i])
	}
	return estimated, lower
}

// htmlCards are the headline figures.
func htmlCards(m Metrics) []htmlCard {
	t := m.Totals
	data := htmlHasData(t)
	noOutcome := "no known review outcome"
	costSub := ""
	if t.MedianCostPerPR != nil && data {
		costSub = "median " + htmlUSD(*t.MedianCostPerPR) + " per pull request"
	}
	return []htmlCard{
		htmlCardOf("Tokens", htmlTokensValue(t),
			fmt.Sprintf("%s of %s commits with data", htmlInt(int64(t.CommitsWithData)), htmlInt(int64(t.Commits)))),
		htmlCardOf("Cost", htmlCostValue(t), costSub),
		htmlCardOf("Pull requests", htmlIntValue(int64(t.PRs)),
			fmt.Sprintf("%s commits in all; %s direct commits outside pull requests", htmlInt(int64(t.Commits)), htmlInt(int64(m.Direct.Commits)))),
		htmlCardOf("Code lines changed", htmlIntValue(t.LinesAdded+t.LinesDeleted),
			htmlLinesValue(t.LinesAdded, t.LinesDeleted).Text+"; "+htmlInt(t.LinesExcluded)+" generated, vendored or lock lines excluded"),
		htmlCardOf("Tokens per changed line", htmlTPLValue(t), "all tokens / code lines added + deleted"),
		htmlCardOf("Coverage", htmlCoverageValue(t), "commits carrying usage data"),
		htmlCardOf("Diff tokens per AI output token", htmlRatioValue(t.DiffTokensPerOutputToken, data), "tokens of added code / generated tokens"),
		htmlCardOf("Merge rate", htmlPctValue(t.MergeRate, noOutcome), htmlOverPRs("", t.OutcomesKnown)),
		htmlCardOf("Change-request rate", htmlPctValue(t.ChangeRequestRate, noOutcome), htmlOverPRs("with changes requested", t.OutcomesKnown)),
		htmlCardOf("Median review rounds", htmlNumValue(t.MedianRounds, noOutcome), htmlOverPRs("", t.OutcomesKnown)),
		htmlCardOf("Median time to merge", htmlHoursValue(t.MedianHoursToMerge), "from opening to merge"),
		htmlCardOf("Reverted pull requests", htmlIntValue(int64(t.Reverted)), "reverted by a later commit"),
		htmlCardOf("Rework tokens", htmlReworkValue(t), htmlOverPRs("tokens of commits after the first review", t.ReworkPRs)),
		htmlCardOf("Median tokens per pull request", htmlTokensPtrValue(t.MedianTokensPerPR, data), ""),
		htmlCardOf("Median cost per pull request", htmlCostPtrValue(t.MedianCostPerPR, data), ""),
	}
}

// htmlOverPRs is a card's sub-line naming the pull requests a figure is
// over: "what, over 12 pull requests", or what alone when there are none.
func htmlOverPRs(what string, n int) string {
	if n == 0 {
		return what
	}
	over := "over " + htmlInt(int64(n)) + " pull requests"
	if n == 1 {
		over = "over 1 pull request"
	}
	if what == "" {
		return over
	}
	return what + ", " + over
}

// htmlCardOf makes a headline card from a formatted value and a sub-line.
func htmlCardOf(label string, v htmlValue, sub string) htmlCard {
	return htmlCard{Label: label, Value: v.Text, Sub: sub, Unknown: v.Unknown}
}

// htmlReworkValue is the rework tokens, unknown when no pull request tells
// which commits came after its first review.
func htmlReworkValue(f Figures) htmlValue {
	switch {
	case !htmlHasData(f):
		return htmlUnknown("no usage data")
	case f.ReworkPRs == 0:
		return htmlUnknown("no pull request with a known first review and its own commits")
	}
	v := htmlIntValue(f.ReworkTokens)
	v.Title = "over " + htmlInt(int64(f.ReworkPRs)) + " pull requests with a known first review"
	return v
}

// htmlIntensityText is the plain-language statement about token intensity
// and review outcomes (Compute words it, with its sample sizes) and a note
// on the thresholds below which no claim is made.
func htmlIntensityText(in Intensity) (string, []string) {
	statement := htmlText(in.Statement, 2000)
	if statement == "" {
		statement = fmt.Sprintf("Not enough data (N=%d): no claim is made.", in.N)
	}
	note := fmt.Sprintf("Sample: %s pull requests with usage data, changed code lines and a known review outcome. Quartiles are compared from %d such pull requests and a rank correlation is given from %d; below that the report makes no claim.",
		htmlInt(int64(in.N)), MinQuartileN, MinSpearmanN)
	return statement, []string{note}
}
