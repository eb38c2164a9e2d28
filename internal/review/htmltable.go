package review

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Tables of the HTML report. Each is a list of columns and rows of cells;
// numeric cells carry their raw value in data-v so the inline script sorts
// by number, with unknown figures ("" in data-v) always last.

// Row limits keep the page usable on very long histories; the CSV and JSON
// outputs always hold every row.
const (
	htmlMaxPRRows     = 5000
	htmlMaxDirectRows = 1000
)

// htmlTable is one table of the report.
type htmlTable struct {
	// ID names the table (the element id is ID + "-table").
	ID string
	// Heading is the title shown above the table (group tables only).
	Heading string
	// Caption describes the table for screen readers and below it.
	Caption string
	// Sortable tables get clickable headers.
	Sortable bool
	// Narrow tables (few columns) do not stretch to the page width.
	Narrow bool
	Cols   []htmlCol
	Rows   [][]htmlCell
	// Note follows the table, e.g. "… 12 more rows not shown".
	Note string
}

// htmlCol is a column header; Num right-aligns it and sorts numerically.
type htmlCol struct {
	Label, Hint string
	Num         bool
}

// htmlCell is one cell; Head makes it the row's header (<th scope="row">).
type htmlCell struct {
	Text, Sort, Class, Title string
	Num, Head                bool
}

// htmlNumCell is a numeric cell from a formatted figure.
func htmlNumCell(v htmlValue) htmlCell {
	c := htmlCell{Text: v.Text, Sort: v.Sort, Title: v.Title, Num: true, Class: "num"}
	if v.Unknown {
		c.Class = "num unknown"
	}
	return c
}

// htmlTextCell is a text cell of user-controlled text cut to limit runes;
// the hover title holds the longer text when it was cut.
func htmlTextCell(s string, limit int, class string) htmlCell {
	full := htmlText(s, 1000)
	c := htmlCell{Text: htmlShorten(full, limit), Class: class}
	if c.Text != full {
		c.Title = full
	}
	return c
}

// htmlCols builds columns from labels; a leading "#" marks a numeric column.
func htmlCols(labels ...string) []htmlCol {
	cols := make([]htmlCol, len(labels))
	for i, l := range labels {
		if len(l) > 1 && l[0] == '#' {
			cols[i] = htmlCol{Label: l[1:], Num: true}
		} else {
			cols[i] = htmlCol{Label: l}
		}
	}
	return cols
}

// htmlMoreNote says how many rows a table leaves out.
func htmlMoreNote(more int, what string) string {
	if more <= 0 {
		return ""
	}
	return fmt.Sprintf("\u2026 %s more %s not shown here; the CSV and JSON outputs list them all.", htmlInt(int64(more)), what)
}

// htmlKindsTable splits the total tokens by kind.
func htmlKindsTable(t Figures) htmlTable {
	tbl := htmlTable{
		ID:      "kinds",
		Narrow:  true,
		Caption: "Tokens by kind. Input, cache write, cache read and output add up to the total; reasoning is part of output.",
		Cols:    htmlCols("Kind", "#Tokens", "#Share of total"),
	}
	data := htmlHasData(t)
	for _, k := range []struct {
		name string
		n    int64
	}{
		{"Input (uncached)", t.Input}, {"Cache write", t.CacheWrite}, {"Cache read", t.CacheRead},
		{"Output", t.Output}, {"of which reasoning", t.Reasoning}, {"Total", t.Tokens},
	} {
		tokens, share := htmlUnknown("no commit carries usage data"), htmlUnknown("no commit carries usage data")
		if data {
			tokens = htmlIntValue(k.n)
			share = htmlUnknown("no tokens")
			if t.Tokens > 0 {
				share = htmlValue{Text: htmlPct(float64(k.n) / float64(t.Tokens))}
			}
		}
		tbl.Rows = append(tbl.Rows, []htmlCell{{Text: k.name, Head: true}, htmlNumCell(tokens), htmlNumCell(share)})
	}
	return tbl
}

// htmlPRTable lists the pull requests, newest merge first.
func htmlPRTable(rows []PRRow) htmlTable {
	tbl := htmlTable{
		ID:       "prs",
		Sortable: true,
		Caption: fmt.Sprintf("%s merged pull requests, newest first. Commits read \u201cwith data / all\u201d when some carry no usage data; tokens and cost cover those with data; lines are code lines (generated, vendored and lock files excluded). Review is the final review state, and whether a later commit reverted the pull request.",
			htmlInt(int64(len(rows)))),
		Cols: htmlCols("#PR", "Title", "Author", "Merged", "Merge", "#Commits", "#Tokens", "#Cost", "#Lines +/\u2212",
			"#Tokens/line", "Review", "#Rounds", "#To merge"),
	}
	shown := rows[:min(len(rows), htmlMaxPRRows)]
	for _, r := range shown {
		f := r.Figures
		review := htmlStateText(r.State)
		if r.Reverted {
			review += ", reverted"
		}
		tbl.Rows = append(tbl.Rows, []htmlCell{
			{Text: "#" + strconv.Itoa(r.Number), Sort: strconv.Itoa(r.Number), Num: true, Head: true, Class: "num"},
			htmlTextCell(r.Title, 140, "title"),
			htmlTextCell(r.Author, 60, "key"),
			{Text: htmlDate(r.MergedAt), Class: "date"},
			{Text: htmlText(r.Merge, 20)},
			htmlNumCell(htmlCommitsValue(f)),
			htmlNumCell(htmlTokensValue(f)),
			htmlNumCell(htmlCostValue(f)),
			htmlNumCell(htmlLinesValue(f.LinesAdded, f.LinesDeleted)),
			htmlNumCell(htmlTPLValue(f)),
			{Text: review, Class: "state " + htmlStateClass(r.State)},
			htmlNumCell(htmlNumValue(f.MedianRounds, "no known review outcome")),
			htmlNumCell(htmlHoursValue(f.MedianHoursToMerge)),
		})
	}
	tbl.Note = htmlMoreNote(len(rows)-len(shown), "pull requests")
	if len(rows) == 0 {
		tbl.Note = "No merged pull request in this window."
	}
	return tbl
}

// htmlGroupTable lists the figures of authors or weeks.
func htmlGroupTable(id, heading, key string, groups []Group) htmlTable {
	tbl := htmlTable{
		ID:       id,
		Heading:  heading,
		Sortable: true,
		Caption:  heading + ". Commits read \u201cwith data / all\u201d when some carry no usage data. Rates and medians are over the group's pull requests with a known review outcome.",
		Cols: htmlCols(key, "#PRs", "#Commits", "#Tokens", "#Cost", "#Lines +/\u2212", "#Tokens/line",
			"#Merge rate", "#Change requests", "#Median rounds", "#Median time to merge", "#Reverted", "#Rework tokens"),
	}
	for _, g := range groups {
		f := g.Figures
		key := htmlTextCell(g.Key, 60, "key")
		key.Head = true
		tbl.Rows = append(tbl.Rows, []htmlCell{
			key,
			htmlNumCell(htmlIntValue(int64(f.PRs))),
			htmlNumCell(htmlCommitsValue(f)),
			htmlNumCell(htmlTokensValue(f)),
			htmlNumCell(htmlCostValue(f)),
			htmlNumCell(htmlLinesValue(f.LinesAdded, f.LinesDeleted)),
			htmlNumCell(htmlTPLValue(f)),
			htmlNumCell(htmlPctValue(f.MergeRate, "no known review outcome")),
			htmlNumCell(htmlPctValue(f.ChangeRequestRate, "no known review outcome")),
			htmlNumCell(htmlNumValue(f.MedianRounds, "no known review outcome")),
			htmlNumCell(htmlHoursValue(f.MedianHoursToMerge)),
			htmlNumCell(htmlIntValue(int64(f.Reverted))),
			htmlNumCell(htmlReworkValue(f)),
		})
	}
	if len(groups) == 0 {
		tbl.Note = "Nothing to show."
	}
	return tbl
}

// htmlUsageTable lists the tokens of agents or models by kind.
func htmlUsageTable(id, heading, key string, groups []Group) htmlTable {
	tbl := htmlTable{
		ID:       id,
		Heading:  heading,
		Sortable: true,
		Caption:  heading + ": tokens by kind. Output includes reasoning; the share is of all the groups' tokens.",
		Cols: htmlCols(key, "#PRs", "#Commits", "#Tokens", "#Share", "#Input", "#Cache write", "#Cache read",
			"#Output", "#Reasoning", "#Cost", "#Median tokens/PR"),
	}
	var sum int64
	for _, g := range groups {
		sum += g.Figures.Tokens
	}
	for _, g := range groups {
		f := g.Figures
		share := htmlUnknown("no tokens")
		if sum > 0 {
			s := float64(f.Tokens) / float64(sum)
			share = htmlValue{Text: htmlPct(s), Sort: htmlSortFloat(s)}
		}
		key := htmlTextCell(g.Key, 60, "key")
		key.Head = true
		tbl.Rows = append(tbl.Rows, []htmlCell{
			key,
			htmlNumCell(htmlIntValue(int64(f.PRs))),
			htmlNumCell(htmlCommitsValue(f)),
			htmlNumCell(htmlIntValue(f.Tokens)),
			htmlNumCell(share),
			htmlNumCell(htmlIntValue(f.Input)),
			htmlNumCell(htmlIntValue(f.CacheWrite)),
			htmlNumCell(htmlIntValue(f.CacheRead)),
			htmlNumCell(htmlIntValue(f.Output)),
			htmlNumCell(htmlIntValue(f.Reasoning)),
			htmlNumCell(htmlCostValue(f)),
			htmlNumCell(htmlTokensPtrValue(f.MedianTokensPerPR, true)),
		})
	}
	if len(groups) == 0 {
		tbl.Note = "No usage data."
	}
	return tbl
}

// htmlCommitsValue is a commit count, written "with data / all" when not
// every commit carries usage data.
func htmlCommitsValue(f Figures) htmlValue {
	v := htmlIntValue(int64(f.Commits))
	if f.CommitsWithData != f.Commits {
		v.Text = htmlInt(int64(f.CommitsWithData)) + " / " + v.Text
		v.Title = htmlInt(int64(f.CommitsWithData)) + " of " + htmlInt(int64(f.Commits)) + " commits carry usage data"
	}
	return v
}

// htmlDirectTable lists the commits outside any pull request, newest first.
func htmlDirectTable(commits []Commit, f Figures) htmlTable {
	sorted := slices.Clone(commits)
	slices.SortStableFunc(sorted, func(a, b Commit) int { return b.Time.Compare(a.Time) })
	shown := sorted[:min(len(sorted), htmlMaxDirectRows)]
	tbl := htmlTable{
		ID:       "direct",
		Sortable: true,
		Caption: fmt.Sprintf("%s commits pushed to the branch outside any pull request, newest first: %s tokens, %s.",
			htmlInt(int64(len(commits))), htmlTokensValue(f).Text, htmlCostValue(f).Text),
		Cols: htmlCols("Commit", "Subject", "Author", "Date", "#Tokens", "#Cost", "#Lines +/\u2212"),
	}
	for _, c := range shown {
		tokens, cost := htmlUnknown("no usage data"), htmlUnknown("no usage data")
		if c.Source != "" {
			total := c.Usage.Total.Usage.Total()
			tokens = htmlIntValue(total)
			cost = htmlCostPtrValue(c.Usage.Total.CostUSD, true)
		}
		sha := []rune(htmlText(c.SHA, 64))
		short := sha[:min(len(sha), 12)]
		tbl.Rows = append(tbl.Rows, []htmlCell{
			{Text: string(short), Title: string(sha), Head: true, Class: "sha"},
			htmlTextCell(c.Subject, 140, "title"),
			htmlTextCell(c.Author, 60, "key"),
			{Text: htmlDate(c.Time), Class: "date"},
			htmlNumCell(tokens),
			htmlNumCell(cost),
			htmlNumCell(htmlLinesValue(c.Code.Added, c.Code.Deleted)),
		})
	}
	tbl.Note = htmlMoreNote(len(commits)-len(shown), "direct commits")
	return tbl
}

// htmlDate is a UTC day, "" when unknown.
func htmlDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}
