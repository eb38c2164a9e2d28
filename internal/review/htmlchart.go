package review

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The report's four charts. Each returns an htmlFigure whose Chart is nil
// (with Empty saying why) when there is nothing honest to draw.

// Chart geometry, in viewBox units (the SVG scales to the page width).
const (
	svgWide      = 960.0 // full-width charts
	svgHalf      = 470.0 // the two share charts side by side
	svgMaxShares = 8     // share bars before the rest become "other"
)

// htmlWeekSlot is one ISO week on the weekly chart's axis; F is nil for a
// week without any merged pull request.
type htmlWeekSlot struct {
	Key, Week, Year string
	F               *Figures
}

// htmlWeekSlots puts the weeks in order and, when every key is an ISO week
// ("2026-W07") and they span at most ten years, fills the weeks in between
// so the axis is true to time; other keys are shown in key order.
func htmlWeekSlots(weeks []Group) []htmlWeekSlot {
	sorted := slices.Clone(weeks)
	slices.SortStableFunc(sorted, func(a, b Group) int { return strings.Compare(a.Key, b.Key) })
	byKey := map[string]*Figures{}
	var first, last time.Time
	parsed := 0
	for i := range sorted {
		byKey[sorted[i].Key] = &sorted[i].Figures
		if t, ok := weekStart(sorted[i].Key); ok {
			if parsed == 0 || t.Before(first) {
				first = t
			}
			if parsed == 0 || t.After(last) {
				last = t
			}
			parsed++
		}
	}
	var slots []htmlWeekSlot
	if parsed == len(sorted) && parsed > 0 && last.Sub(first) <= maxWeekSpan {
		for t := first; !t.After(last); t = t.AddDate(0, 0, 7) {
			y, w := t.ISOWeek()
			key := fmt.Sprintf("%04d-W%02d", y, w)
			slots = append(slots, htmlWeekSlot{Key: key, Week: fmt.Sprintf("W%02d", w), Year: strconv.Itoa(y), F: byKey[key]})
		}
		return slots
	}
	for i := range sorted {
		key := htmlText(sorted[i].Key, 40)
		slots = append(slots, htmlWeekSlot{Key: key, Week: htmlShorten(key, 10), F: &sorted[i].Figures})
	}
	return slots
}

// htmlWeekEmpty reports a week without any pull request or commit.
func htmlWeekEmpty(f *Figures) bool { return f == nil || (f.PRs == 0 && f.Commits == 0) }

// htmlWeeklyFigure draws tokens per week as bars and cost per week as a
// line below them, sharing the week axis. A week whose commits carry no
// usage data gets a "?" instead of a zero bar; the cost line breaks where
// the cost is unknown.
func htmlWeeklyFigure(weeks []Group) htmlFigure {
	fig := htmlFigure{
		ID:      "fig-weekly",
		Heading: "Tokens and cost per ISO week",
		Legend: []htmlLegend{
			{Class: "s-tokens", Text: "Tokens (bars)"},
			{Class: "line s-cost", Text: "Cost in USD (line; a gap means unknown)"},
			{Text: "\u201c?\u201d no usage data, or cost unknown"},
		},
		Caption: "Weeks run Monday to Sunday (ISO 8601, UTC): the week of the merge for pull requests, of the commit for direct commits. Weeks without any are left empty. Hover a bar or point for its figures.",
	}
	slots := htmlWeekSlots(weeks)
	if len(slots) == 0 {
		fig.Empty = "No merged pull request in this window."
		return fig
	}
	const (
		x0, x1     = 64.0, svgWide - 16
		tTop, tBot = 30.0, 200.0
		cTop, cBot = 246.0, 336.0
	)
	c := &svgChart{ID: "weekly", Title: "Tokens and cost per week", W: svgWide, H: 376}
	band := (x1 - x0) / float64(len(slots))
	barW := math.Min(56, math.Max(1, band*0.72))
	center := func(i int) float64 { return x0 + (float64(i)+0.5)*band }

	var maxTok, maxCost float64
	withData, withCost := 0, 0
	peak := ""
	for _, s := range slots {
		if htmlWeekEmpty(s.F) || !htmlHasData(*s.F) {
			continue
		}
		withData++
		if float64(s.F.Tokens) > maxTok {
			maxTok, peak = float64(s.F.Tokens), s.Key
		}
		if s.F.CostUSD != nil {
			withCost++
			maxCost = math.Max(maxCost, *s.F.CostUSD)
		}
	}

	c.text(x0, tTop-14, "Tokens", "panel-title", "start")
	ts := svgScale{d0: 0, r0: tBot, r1: tTop}
	ticks := svgLinearTicks(maxTok, 4)
	ts.d1 = ticks[len(ticks)-1]
	c.yAxis(ts, x0, x1, ticks, htmlShort)

	c.text(x0, cTop-14, "Cost (USD)", "panel-title", "start")
	cs := svgScale{d0: 0, r0: cBot, r1: cTop}
	cticks := svgLinearTicks(maxCost, 3)
	cs.d1 = cticks[len(cticks)-1]
	c.yAxis(cs, x0, x1, cticks, htmlUSDShort)
	if withCost == 0 {
		c.text((x0+x1)/2, (cTop+cBot)/2, "cost unknown in every week", "nodata", "middle")
	}

	var path strings.Builder
	segments := 0
	prev := false
	for i, s := range slots {
		cx := center(i)
		if htmlWeekEmpty(s.F) {
			prev = false
			continue
		}
		f := *s.F
		if !htmlHasData(f) {
			c.Texts = append(c.Texts, svgText{X: cx, Y: tBot - 4, Text: "?", Class: "nodata", Anchor: "middle",
				Title: fmt.Sprintf("%s: no usage data (%s commits, %s pull requests)", s.Key, htmlInt(int64(f.Commits)), htmlInt(int64(f.PRs)))})
			prev = false
			continue
		}
		if f.Tokens > 0 {
			y := ts.at(float64(f.Tokens))
			h := math.Max(1, tBot-y)
			c.markRect(svgRect{X: cx - barW/2, Y: tBot - h, W: barW, H: h, Class: "bar tokens",
				Title: fmt.Sprintf("%s: %s tokens in %s pull requests; coverage %s", s.Key, htmlInt(f.Tokens), htmlInt(int64(f.PRs)), htmlCoverageValue(f).Text)})
		}
		if f.CostUSD == nil {
			c.Texts = append(c.Texts, svgText{X: cx, Y: cBot - 4, Text: "?", Class: "nodata", Anchor: "middle",
				Title: s.Key + ": cost " + htmlCostValue(f).Text + " (a model's price is unknown)"})
			prev = false
			continue
		}
		y := cs.at(*f.CostUSD)
		if prev {
			path.WriteString(" L" + htmlCoord(cx) + " " + htmlCoord(y))
			segments++
		} else {
			path.WriteString(" M" + htmlCoord(cx) + " " + htmlCoord(y))
		}
		prev = true
		c.markCircle(svgCircle{CX: cx, CY: y, R: 3.5, Class: "point cost", Title: s.Key + ": " + htmlUSD(*f.CostUSD)})
	}
	if segments > 0 {
		c.Paths = append(c.Paths, svgPath{D: strings.TrimSpace(path.String()), Class: "cost-line"})
	}
	c.line(x0, tTop, x0, tBot, "axis")
	c.line(x0, cTop, x0, cBot, "axis")

	maxLabels := max(1, int(math.Floor((x1-x0)/52)))
	step := (len(slots) + maxLabels - 1) / maxLabels
	lastYear := ""
	for i := 0; i < len(slots); i += step {
		s := slots[i]
		c.text(center(i), cBot+16, s.Week, "tick", "middle")
		if s.Year != "" && s.Year != lastYear {
			c.text(center(i), cBot+30, s.Year, "tick", "middle")
			lastYear = s.Year
		}
	}

	c.Desc = fmt.Sprintf("Bar chart of AI tokens per ISO week from %s to %s: %d weeks, %d with usage data", slots[0].Key, slots[len(slots)-1].Key, len(slots), withData)
	if peak != "" {
		c.Desc += fmt.Sprintf("; the highest is %s with %s tokens", peak, htmlInt(int64(maxTok)))
	}
	c.Desc += fmt.Sprintf(". Below it, a line chart of the cost in US dollars per week, known for %d weeks.", withCost)
	fig.Chart = c
	return fig
}

// htmlScatterPoint is one pull request on the tokens-versus-lines chart.
type htmlScatterPoint struct {
	row           PRRow
	lines, tokens float64
}

// htmlScatterFigure plots each pull request's tokens against its changed
// code lines on log-log axes, coloured by review outcome, with the median
// tokens per line as a dashed reference line.
func htmlScatterFigure(rows []PRRow) htmlFigure {
	fig := htmlFigure{ID: "fig-scatter", Heading: "Tokens versus changed code lines, one dot per pull request"}
	var pts []htmlScatterPoint
	noData, noLines := 0, 0
	counts := map[string]int{}
	reverted := 0
	for _, r := range rows {
		f := r.Figures
		changed := f.LinesAdded + f.LinesDeleted
		switch {
		case !htmlHasData(f) || f.Tokens <= 0:
			noData++
		case changed <= 0:
			noLines++
		default:
			pts = append(pts, htmlScatterPoint{row: r, lines: float64(changed), tokens: float64(f.Tokens)})
			counts[htmlStateClass(r.State)]++
			if r.Reverted {
				reverted++
			}
		}
	}
	notShown := fmt.Sprintf("Not shown: %d without usage data, %d without changed code lines.", noData, noLines)
	if len(pts) == 0 {
		fig.Empty = "No pull request has both usage data and changed code lines. " + notShown
		return fig
	}
	for _, l := range []struct {
		class, text string
		n           int
	}{
		{"dot s-approved", "Approved", counts["approved"]},
		{"dot s-changes", "Changes requested at the end", counts["changes"]},
		{"dot s-other", "Commented or no review", counts["other"]},
		{"hollow", "Outcome unknown", counts["unknown"]},
		{"ring", "Reverted", reverted},
	} {
		if l.n > 0 {
			fig.Legend = append(fig.Legend, htmlLegend{Class: l.class, Text: fmt.Sprintf("%s (%d)", l.text, l.n)})
		}
	}
	fig.Caption = fmt.Sprintf("%d of %d pull requests; colours show the final review state. %s Both axes are logarithmic: each gridline label is ten times the previous one. Dots above the dashed line used more tokens per changed line than the median pull request shown.",
		len(pts), len(rows), notShown)

	const (
		x0, x1      = 78.0, svgWide - 20
		top, bottom = 12.0, 362.0
	)
	c := &svgChart{ID: "scatter", Title: "Tokens versus changed code lines per pull request", W: svgWide, H: 420}
	loX, hiX, loY, hiY := math.Inf(1), 0.0, math.Inf(1), 0.0
	tpl := make([]float64, 0, len(pts))
	for _, p := range pts {
		loX, hiX = math.Min(loX, p.lines), math.Max(hiX, p.lines)
		loY, hiY = math.Min(loY, p.tokens), math.Max(hiY, p.tokens)
		tpl = append(tpl, p.tokens/p.lines)
	}
	dx0, dx1, xticks := svgLogTicks(loX, hiX)
	dy0, dy1, yticks := svgLogTicks(loY, hiY)
	xs := svgScale{d0: dx0, d1: dx1, r0: x0, r1: x1, log: true}
	ys := svgScale{d0: dy0, d1: dy1, r0: bottom, r1: top, log: true}
	c.yAxis(ys, x0, x1, yticks, htmlShort)
	c.xAxisLog(xs, top, bottom, xticks)
	c.text((x0+x1)/2, bottom+40, "Changed code lines (added + deleted, log scale)", "axis-title", "middle")
	c.Texts = append(c.Texts, svgText{X: 16, Y: (top + bottom) / 2, Text: "Tokens (log scale)", Class: "axis-title", Anchor: "middle", Rotate: true})

	slices.Sort(tpl)
	k := htmlMedianSorted(tpl)
	if xa, xb := math.Max(dx0, dy0/k), math.Min(dx1, dy1/k); xa < xb {
		c.Paths = append(c.Paths, svgPath{Class: "ref-line",
			D: "M" + htmlCoord(xs.at(xa)) + " " + htmlCoord(ys.at(k*xa)) + " L" + htmlCoord(xs.at(xb)) + " " + htmlCoord(ys.at(k*xb))})
		fig.Legend = append(fig.Legend, htmlLegend{Class: "line s-ref", Text: "Median: " + htmlTPL(k) + " tokens per changed line"})
	}

	r := 4.5
	if len(pts) > 200 {
		r = 3
	}
	for _, p := range pts {
		class := "dot " + htmlStateClass(p.row.State)
		note := ""
		if p.row.Reverted {
			class += " reverted"
			note = "; reverted"
		}
		c.markCircle(svgCircle{CX: xs.at(p.lines), CY: ys.at(p.tokens), R: r, Class: class,
			Title: fmt.Sprintf("#%d %s: %s tokens, %s changed lines, %s tokens/line; review %s%s",
				p.row.Number, htmlShorten(htmlText(p.row.Title, 200), 80), htmlInt(int64(p.tokens)), htmlInt(int64(p.lines)),
				htmlTPL(p.tokens/p.lines), htmlStateText(p.row.State), note)})
	}
	c.Desc = fmt.Sprintf("Scatter plot on log-log axes of %d pull requests: changed code lines from %s to %s across, tokens from %s to %s up; the median is %s tokens per changed line. %d approved, %d with changes requested, %d commented or without review, %d with unknown outcome; %d reverted.",
		len(pts), htmlInt(int64(loX)), htmlInt(int64(hiX)), htmlInt(int64(loY)), htmlInt(int64(hiY)), htmlTPL(k),
		counts["approved"], counts["changes"], counts["other"], counts["unknown"], reverted)
	fig.Chart = c
	return fig
}

// htmlMedianSorted is the median of sorted, non-empty values.
func htmlMedianSorted(v []float64) float64 {
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// htmlOutcomeFigure draws approval and change-request rates per token
// intensity quartile, or says why there are no quartiles.
func htmlOutcomeFigure(in Intensity) htmlFigure {
	fig := htmlFigure{
		ID:      "fig-outcomes",
		Heading: "Review outcome by token intensity quartile",
		Legend: []htmlLegend{
			{Class: "s-approved", Text: "Approval rate"},
			{Class: "s-changes", Text: "Change-request rate"},
		},
	}
	if len(in.Quartiles) == 0 {
		fig.Legend = nil
		fig.Empty = fmt.Sprintf("No quartiles: %d pull requests have usage data, changed code lines and a known review outcome, and at least 8 are needed before comparing groups.", in.N)
		return fig
	}
	fig.Caption = fmt.Sprintf("The %d pull requests with usage data, changed code lines and a known review outcome, ranked by tokens per changed line and split into quartiles (Q1 the least intensive). Each group holds only a quarter of the sample: read differences of a few points as noise.", in.N)
	const (
		x0, x1     = 70.0, svgWide - 16
		top, base  = 28.0, 226.0
		groupInner = 0.62
	)
	c := &svgChart{ID: "outcomes", Title: "Approval and change-request rates by tokens-per-line quartile", W: svgWide, H: 290}
	ys := svgScale{d0: 0, d1: 1, r0: base, r1: top}
	c.yAxis(ys, x0, x1, []float64{0, 0.25, 0.5, 0.75, 1}, htmlPct)
	c.Texts = append(c.Texts, svgText{X: 14, Y: (top + base) / 2, Text: "Share of the quartile's PRs", Class: "axis-title", Anchor: "middle", Rotate: true})
	band := (x1 - x0) / float64(len(in.Quartiles))
	barW := band * groupInner / 2
	var desc []string
	for i, q := range in.Quartiles {
		cx := x0 + (float64(i)+0.5)*band
		label := htmlText(q.Label, 40)
		rng := htmlTPL(q.MinTPL) + "\u2013" + htmlTPL(q.MaxTPL) + " tokens/line"
		for j, bar := range []struct {
			rate        *float64
			class, name string
		}{{q.ApprovalRate, "bar approval", "approval"}, {q.ChangeRequestRate, "bar changes", "change requests"}} {
			x := cx - barW + float64(j)*barW
			if bar.rate == nil || math.IsNaN(*bar.rate) {
				c.text(x+barW/2, base-4, "?", "nodata", "middle")
				continue
			}
			y := ys.at(*bar.rate)
			h := math.Max(1, base-y)
			c.markRect(svgRect{X: x + 1, Y: base - h, W: barW - 2, H: h, Class: bar.class,
				Title: fmt.Sprintf("%s (%s, %d pull requests): %s %s", label, rng, q.PRs, bar.name, htmlPct(*bar.rate))})
			c.text(x+barW/2, base-h-5, htmlPct(*bar.rate), "value-label", "middle")
		}
		c.text(cx, base+17, label, "tick", "middle")
		c.text(cx, base+32, rng, "tick", "middle")
		c.text(cx, base+47, "n = "+strconv.Itoa(q.PRs), "tick", "middle")
		desc = append(desc, fmt.Sprintf("%s (%s, n=%d): approval %s, change requests %s", label, rng, q.PRs,
			htmlPctValue(q.ApprovalRate, "").Text, htmlPctValue(q.ChangeRequestRate, "").Text))
	}
	c.Desc = "Grouped bar chart. " + strings.Join(desc, "; ") + "."
	fig.Chart = c
	return fig
}

// htmlShareFigure draws each agent's or model's share of the tokens as
// horizontal bars, the largest first; beyond svgMaxShares the rest are one
// "other" bar.
func htmlShareFigure(id, what string, groups []Group) htmlFigure {
	fig := htmlFigure{ID: "fig-share-" + id, Heading: what + ": share of tokens"}
	type share struct {
		key    string
		tokens int64
		cost   *float64
		other  bool
	}
	var shares []share
	var sum int64
	for _, g := range groups {
		if g.Figures.Tokens > 0 {
			shares = append(shares, share{key: htmlText(g.Key, 200), tokens: g.Figures.Tokens, cost: g.Figures.CostUSD})
			sum += g.Figures.Tokens
		}
	}
	if sum == 0 {
		fig.Empty = "No usage data."
		return fig
	}
	slices.SortStableFunc(shares, func(a, b share) int {
		if a.tokens != b.tokens {
			if a.tokens > b.tokens {
				return -1
			}
			return 1
		}
		return strings.Compare(a.key, b.key)
	})
	if len(shares) > svgMaxShares+1 {
		rest := share{key: fmt.Sprintf("%d others", len(shares)-svgMaxShares), other: true}
		for _, s := range shares[svgMaxShares:] {
			rest.tokens += s.tokens
		}
		shares = append(shares[:svgMaxShares], rest)
	}
	const rowH, top, labelW = 38.0, 6.0, 92.0
	c := &svgChart{ID: "share-" + id, Title: what + ": share of tokens", W: svgHalf, H: top + rowH*float64(len(shares)) + 4}
	maxW := svgHalf - labelW
	var desc []string
	for i, s := range shares {
		y := top + float64(i)*rowH
		frac := float64(s.tokens) / float64(sum)
		w := math.Max(1, frac*maxW)
		class := "bar share"
		if s.other {
			class += " other-group"
		}
		cost := ""
		if s.cost != nil {
			cost = ", " + htmlUSD(*s.cost)
		}
		title := fmt.Sprintf("%s: %s tokens (%s)%s", s.key, htmlInt(s.tokens), htmlPct(frac), cost)
		c.Texts = append(c.Texts, svgText{X: 0, Y: y + 12, Text: htmlShorten(s.key, 48), Class: "share-label", Anchor: "start", Title: s.key})
		c.markRect(svgRect{X: 0, Y: y + 17, W: w, H: 12, Class: class, Title: title})
		c.text(w+6, y+27, htmlPct(frac)+" \u00b7 "+htmlShort(float64(s.tokens)), "value-label", "start")
		desc = append(desc, fmt.Sprintf("%s %s", s.key, htmlPct(frac)))
	}
	c.Desc = fmt.Sprintf("Horizontal bar chart of each %s's share of %s tokens: %s.", strings.ToLower(strings.TrimSuffix(what, "s")), htmlInt(sum), strings.Join(desc, ", "))
	fig.Caption = fmt.Sprintf("Share of the %s tokens recorded in this window. Hover a bar for tokens and cost.", htmlInt(sum))
	fig.Chart = c
	return fig
}
