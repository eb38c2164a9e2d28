package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tokenyield/tokenyield/internal/numfmt"
)

// Marker starts every report body: the sticky comment is found by it.
const Marker = "<!-- tokenyield:pr-report -->"

// Size limits for Markdown, in UTF-8 bytes. GitHub rejects comment bodies
// over 65,536 characters; bytes are never fewer than characters, so a body
// within CommentLimit bytes is always accepted. A job summary may hold
// 1 MiB per step; SummaryLimit leaves room for other steps' lines.
const (
	CommentLimit = 65000
	SummaryLimit = 1000000
	// MinLimit is the smallest limit Markdown honours; smaller ones are
	// raised to it.
	MinLimit = 2048
)

// Display bounds, in characters of the cleaned text or in rows.
const (
	cellSubject   = 72
	cellName      = 40
	cellNotice    = 300
	maxAgentRows  = 15
	maxNotices    = 5
	maxSHAs       = 10
	collapseAbove = 10 // commit tables with more rows start collapsed
)

// footer says in one line how the figures are made and what the marks mean.
const footer = "<sub>tokenyield · tokens from each commit's git note or AI-Tokens trailer, recorded from the agents' local logs · cost at list API prices · lines exclude generated, vendored and lock files · ~ estimated · ≥ lower bound · – unknown</sub>\n"

// Markdown renders the report as the body of the sticky pull request
// comment (and of the job summary): the Marker, a one-line headline, notices,
// then compact tables (commits, agents and models, review, rework, recent
// pull requests) and a one-line footer. Every piece of text that did not
// come from tokenyield is escaped (see escape).
//
// The body is at most limit UTF-8 bytes (CommentLimit when limit <= 0,
// MinLimit at least). When it would be larger, the commit table keeps the
// commits with the most tokens, in their order, and says how many it left
// out. When even a short commit table would not fit, the other sections are
// dropped in this order: history, review, agents, the detail line, notices,
// the footer; the marker and the headline always stay.
func (r Report) Markdown(limit int) string {
	if limit <= 0 {
		limit = CommentLimit
	}
	limit = max(limit, MinLimit)
	head := Marker + "\n" + r.headline() + "\n"
	type section struct {
		text string
		drop int // drop order when space runs out: 1 first; 0 never
	}
	sections := []section{
		{r.detailLine(), 4},
		{r.notices(), 5},
		{"", 0}, // the commit table, sized last
		{r.agentTable(), 3},
		{r.reviewSection(), 2},
		{r.historyTable(), 1},
		{footer, 6},
	}
	const commitsAt = 2
	size := func() int {
		n := len(head)
		for _, s := range sections {
			if s.text != "" {
				n += len(s.text) + 1
			}
		}
		return n
	}
	// Give the commit table what is left, dropping sections while that is
	// too little for a useful table.
	const usefulTable = 1200
	want := min(usefulTable, len(r.commitTable(-1)))
	for drop := 1; drop <= 6 && limit-size()-1 < want; drop++ {
		for i := range sections {
			if sections[i].drop == drop {
				sections[i].text = ""
			}
		}
	}
	sections[commitsAt].text = r.commitTable(limit - size() - 1)
	var b strings.Builder
	b.WriteString(head)
	for _, s := range sections {
		if s.text != "" {
			b.WriteString("\n")
			b.WriteString(s.text)
		}
	}
	out := b.String()
	if len(out) > limit { // cannot happen with MinLimit; a last guard
		out = CutUTF8(out, limit)
	}
	return out
}

// headline is the one-line summary: tokens, cost, lines, tokens per changed
// line and coverage.
func (r Report) headline() string {
	t, c := r.Totals, r.Coverage
	if c.Commits == 0 {
		return "### AI usage: no commits"
	}
	var parts []string
	if c.WithData == 0 {
		parts = append(parts, "no usage data")
	} else {
		parts = append(parts, tokens(t.Figures)+" tokens")
		switch {
		case t.CostUSD != nil:
			parts = append(parts, mark(t.Figures)+money(*t.CostUSD))
		case t.PricedUSD > 0:
			parts = append(parts, "≥"+money(t.PricedUSD)+" (some models unpriced)")
		default:
			parts = append(parts, "cost unknown")
		}
	}
	switch l := t.Lines; {
	case l == nil:
		parts = append(parts, "lines unknown")
	case l.UnknownCommits > 0:
		parts = append(parts, "≥ "+lines(Lines{l.Added, l.Deleted})+" lines")
	default:
		parts = append(parts, lines(Lines{l.Added, l.Deleted})+" lines")
	}
	switch {
	case t.TokensPerLine != nil && c.WithData > 0:
		parts = append(parts, mark(t.Figures)+perLine(*t.TokensPerLine)+" tokens per changed line")
	case t.Lines != nil && t.Lines.UnknownCommits == 0 && t.Lines.Changed() == 0:
		parts = append(parts, "no code lines changed")
	}
	parts = append(parts, fmt.Sprintf("data for %s of %s", numfmt.Thousands(int64(c.WithData)), plural(int64(c.Commits), "commit")))
	return "### AI usage: " + strings.Join(parts, " · ")
}

// detailLine breaks the tokens down by kind and gives the diff tokens and
// the excluded lines.
func (r Report) detailLine() string {
	t := r.Totals
	var parts []string
	if r.Coverage.WithData > 0 {
		parts = append(parts,
			"Input "+numfmt.Thousands(t.Input),
			"output "+numfmt.Thousands(t.Output)+reasoning(t.Figures),
			"cache read "+numfmt.Thousands(t.CacheRead),
			"cache write "+numfmt.Thousands(t.CacheWrite),
			plural(t.Requests, "request"))
	}
	if t.DiffTokens != nil && r.Coverage.Commits > 0 {
		s := "diff text " + numfmt.Thousands(*t.DiffTokens) + " tokens"
		if t.DiffTokensUnknown > 0 {
			s = "diff text ≥" + numfmt.Thousands(*t.DiffTokens) + " tokens"
		}
		parts = append(parts, s)
	}
	if l := t.Lines; l != nil && (l.Excluded.Added > 0 || l.Excluded.Deleted > 0) {
		s := "generated, vendored and lock files " + lines(l.Excluded)
		if len(l.ExcludedBy) > 0 {
			kinds := make([]string, 0, len(l.ExcludedBy))
			for k := range l.ExcludedBy {
				kinds = append(kinds, k)
			}
			sort.Strings(kinds)
			var by []string
			for _, k := range kinds {
				by = append(by, escape(k, 20)+" "+lines(l.ExcludedBy[k]))
			}
			s += " (" + joinMax(by, 6) + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return ""
	}
	if r.Coverage.WithData == 0 {
		parts[0] = strings.ToUpper(parts[0][:1]) + parts[0][1:]
	}
	return strings.Join(parts, " · ") + "\n"
}

func reasoning(f Figures) string {
	if f.Reasoning == 0 {
		return ""
	}
	return " (reasoning " + numfmt.Thousands(f.Reasoning) + ")"
}

// notices lists, as bullets: gate breaches, partial figures, AI co-authors
// without data, rejected data, and a hint when no commit has data.
func (r Report) notices() string {
	var items []string
	for i, b := range r.Breaches {
		if i == maxNotices {
			items = append(items, fmt.Sprintf("… %s more gate results", numfmt.Thousands(int64(len(r.Breaches)-i))))
			break
		}
		icon := "❌"
		if b.Unknown {
			icon = "⚠️"
		}
		items = append(items, icon+" "+escape(b.Message, cellNotice))
	}
	for i, p := range r.Partial {
		if i == maxNotices {
			items = append(items, fmt.Sprintf("… %s more partial figures (see the report JSON)", numfmt.Thousands(int64(len(r.Partial)-i))))
			break
		}
		items = append(items, "⚠️ Partial: "+escape(p, cellNotice))
	}
	var coAuthored []string
	for _, c := range r.Commits {
		if c.Usage == nil && c.AICoAuthor {
			coAuthored = append(coAuthored, shortSHA(c.SHA))
		}
	}
	if n := len(coAuthored); n > 0 {
		verb := "has"
		if n > 1 {
			verb = "have"
		}
		items = append(items, fmt.Sprintf("⚠️ %s %s an AI co-author trailer but no usage data: %s", plural(int64(n), "commit"), verb, joinMax(coAuthored, maxSHAs)))
	}
	if n := len(r.Problems); n > 0 {
		var ps []string
		for i, p := range r.Problems {
			if i == maxNotices {
				break
			}
			ps = append(ps, shortSHA(p.SHA)+" ("+escape(p.Problem, 120)+")")
		}
		s := fmt.Sprintf("⚠️ Usage data ignored in %s (malformed or implausible; not counted): %s", plural(int64(n), "commit"), strings.Join(ps, "; "))
		if n > maxNotices {
			s += fmt.Sprintf("; and %s more", numfmt.Thousands(int64(n-maxNotices)))
		}
		items = append(items, s)
	}
	if r.Coverage.Commits > 0 && r.Coverage.WithData == 0 {
		items = append(items, "ℹ️ No commit has a tokenyield note or AI-Tokens trailer: usage is recorded by tokenyield's git hook on the machine where the agent ran.")
	}
	if len(items) == 0 {
		return ""
	}
	return "- " + strings.Join(items, "\n- ") + "\n"
}

// commitCells renders one commit as table cells.
func commitCells(c CommitRow) []string {
	agent, tok, usd := unknown, unknown, unknown
	switch {
	case c.Usage != nil:
		tok, usd = tokens(*c.Usage), cost(*c.Usage)
		agent = "none"
		if len(c.Agents) > 0 {
			agent = names3(c.Agents)
		}
	case c.Problem != "":
		agent = "⚠️ data ignored"
	case c.AICoAuthor:
		agent = "AI co-author, no data"
		if len(c.CoAuthorAgents) > 0 {
			agent = names3(c.CoAuthorAgents) + " co-author, no data"
		}
	}
	ln := unknown
	switch {
	case c.Merge && c.Lines != nil && c.Lines.Changed() == 0:
		ln = "merge"
	case c.Lines != nil:
		ln = lines(*c.Lines)
		if c.Excluded != nil && c.Excluded.Changed() > 0 {
			ln += " · excl. " + lines(*c.Excluded)
		}
	}
	return []string{shortSHA(c.SHA), escape(c.Subject, cellSubject), agent, tok, usd, ln}
}

// names3 escapes and joins up to three names, counting the rest.
func names3(list []string) string {
	esc := make([]string, 0, min(len(list), 3))
	for _, n := range list[:min(len(list), 3)] {
		esc = append(esc, escape(n, cellName))
	}
	s := strings.Join(esc, ", ")
	if len(list) > 3 {
		s += fmt.Sprintf(" +%d", len(list)-3)
	}
	return s
}

var commitHeader = []string{"Commit", "Subject", "Agent", "Tokens", "Cost", "Lines"}
var commitRight = []bool{false, false, false, true, true, true}

// commitTable renders the commits within budget bytes (a negative budget:
// no limit). When not all fit, it keeps those with the most tokens (then
// the most changed lines), shown in their order, and says how many it left
// out. Tables of more than collapseAbove rows start collapsed.
func (r Report) commitTable(budget int) string {
	n := len(r.Commits)
	if n == 0 {
		return ""
	}
	rows := make([]string, n)
	for i, c := range r.Commits {
		rows[i] = tableRow(commitCells(c))
	}
	opening, closing := "", ""
	if n > collapseAbove {
		opening = fmt.Sprintf("<details><summary>Commits (%s)</summary>\n\n", numfmt.Thousands(int64(n)))
		closing = "\n</details>\n"
	}
	head := tableHead(commitHeader, commitRight)
	full := len(opening) + len(head) + len(closing)
	for _, row := range rows {
		full += len(row)
	}
	if budget < 0 || full <= budget {
		return opening + head + strings.Join(rows, "") + closing
	}

	omitNote := func(k int) string {
		return fmt.Sprintf("\n… %s not shown to keep this report within its size limit (those with the fewest tokens); the report JSON lists every commit.\n", plural(int64(k), "more commit"))
	}
	left := budget - len(opening) - len(head) - len(closing) - len(omitNote(n))
	if left < 0 {
		if note := strings.TrimPrefix(omitNote(n), "\n"); len(note) <= budget {
			return note
		}
		return ""
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ca, cb := r.Commits[order[a]], r.Commits[order[b]]
		if ta, tb := commitTokens(ca), commitTokens(cb); ta != tb {
			return ta > tb
		}
		return commitChanged(ca) > commitChanged(cb)
	})
	keep := make([]bool, n)
	kept := 0
	for _, i := range order {
		if len(rows[i]) > left {
			break
		}
		left -= len(rows[i])
		keep[i] = true
		kept++
	}
	var b strings.Builder
	b.WriteString(opening)
	b.WriteString(head)
	for i, row := range rows {
		if keep[i] {
			b.WriteString(row)
		}
	}
	b.WriteString(omitNote(n - kept))
	b.WriteString(closing)
	return b.String()
}

func commitTokens(c CommitRow) int64 {
	if c.Usage == nil {
		return -1
	}
	return c.Usage.Total
}

func commitChanged(c CommitRow) int64 {
	if c.Lines == nil {
		return -1
	}
	return c.Lines.Changed()
}

// agentTable renders the usage per agent and model.
func (r Report) agentTable() string {
	if len(r.Agents) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(tableHead(
		[]string{"Agent", "Model", "Requests", "Input", "Output", "Cache read", "Cache write", "Tokens", "Cost"},
		[]bool{false, false, true, true, true, true, true, true, true}))
	for i, a := range r.Agents {
		if i == maxAgentRows {
			fmt.Fprintf(&b, "\n… %s more agent and model pairs (see the report JSON).\n", numfmt.Thousands(int64(len(r.Agents)-i)))
			break
		}
		m := mark(a.Figures)
		b.WriteString(tableRow([]string{
			escape(a.Agent, cellName), escape(a.Model, cellName),
			numfmt.Thousands(a.Requests), marked(m, a.Input), marked(m, a.Output),
			marked(m, a.CacheRead), marked(m, a.CacheWrite), tokens(a.Figures), cost(a.Figures),
		}))
	}
	return b.String()
}

// marked formats a count with the row's mark, except zero: a count the log
// does not have is not an estimate.
func marked(m string, v int64) string {
	if v == 0 {
		return "0"
	}
	return m + numfmt.Thousands(v)
}

// reviewSection renders the review outcome and the rework split.
func (r Report) reviewSection() string {
	rv := r.Review
	if rv == nil {
		return "Review outcome unknown (no review data).\n"
	}
	first := "not yet"
	switch {
	case rv.TimeToFirstReview != nil:
		first = "after " + duration(*rv.TimeToFirstReview)
	case rv.FirstReviewAt != nil:
		first = rv.FirstReviewAt.Format("2006-01-02 15:04 UTC")
	}
	merged := "no"
	switch {
	case rv.TimeToMerge != nil:
		merged = "after " + duration(*rv.TimeToMerge)
	case rv.Merged:
		merged = "yes"
	}
	var b strings.Builder
	b.WriteString(tableHead(
		[]string{"Review", "Approvals", "Change requests", "Rounds", "Review comments", "First review", "Merged"},
		[]bool{false, true, true, true, true, false, false}))
	b.WriteString(tableRow([]string{
		reviewState(rv.State),
		numfmt.Thousands(int64(rv.Approvals)), numfmt.Thousands(int64(rv.ChangeRequests)),
		numfmt.Thousands(int64(rv.Rounds)), numfmt.Thousands(int64(rv.ReviewComments)), first, merged,
	}))
	if rw := r.Rework; rw != nil {
		b.WriteString("\n")
		b.WriteString(tableHead([]string{"Rework", "Commits", "Tokens", "Share", "Cost"}, []bool{false, true, true, true, true}))
		share := func(after bool) string {
			if rw.AfterShare == nil {
				return unknown
			}
			if after {
				return percent(*rw.AfterShare)
			}
			return percent(1 - *rw.AfterShare)
		}
		part := func(name string, p ReworkPart, after bool) {
			b.WriteString(tableRow([]string{name, numfmt.Thousands(int64(p.Commits)), tokens(p.Figures), share(after), cost(p.Figures)}))
		}
		part("Before the first review", rw.Before, false)
		part("After the first review", rw.After, true)
	}
	return b.String()
}

// reviewState names a review state for people.
func reviewState(s string) string {
	switch s {
	case ReviewApproved:
		return "✅ approved"
	case ReviewChangesRequested:
		return "changes requested"
	case ReviewCommented:
		return "commented"
	case ReviewDismissed:
		return "dismissed"
	case ReviewNone:
		return "not reviewed yet"
	case "":
		return "unknown"
	}
	return escape(strings.ToLower(s), 32)
}

// historyTable compares this pull request with recent ones.
func (r Report) historyTable() string {
	h := r.History
	if h == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(tableHead(
		[]string{"Compared with " + plural(int64(h.PRs), "recent PR"), "This PR", "Median", "Rank (1 = highest)"},
		[]bool{false, true, true, true}))
	row := func(name string, rk Rank, format func(float64) string) {
		this, med, pos := unknown, unknown, unknown
		if rk.This != nil {
			this = format(*rk.This)
			pos = fmt.Sprintf("%s of %s", numfmt.Thousands(int64(rk.Position)), numfmt.Thousands(int64(rk.Of)))
		}
		if rk.Median != nil {
			med = format(*rk.Median)
		}
		b.WriteString(tableRow([]string{name, this, med, pos}))
	}
	row("Tokens", h.Tokens, func(v float64) string { return numfmt.Thousands(int64(min(v, 9e18))) })
	row("Cost", h.CostUSD, money)
	row("Tokens per changed line", h.TokensPerLine, perLine)
	return b.String()
}

// tableHead renders a table's header and alignment rows.
func tableHead(cells []string, right []bool) string {
	align := make([]string, len(cells))
	for i := range cells {
		align[i] = ":--"
		if right[i] {
			align[i] = "--:"
		}
	}
	return tableRow(cells) + tableRow(align)
}

// tableRow renders one row; the cells must already be escaped.
func tableRow(cells []string) string { return "| " + strings.Join(cells, " | ") + " |\n" }

// CutUTF8 cuts s to at most n bytes without splitting a character.
func CutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
