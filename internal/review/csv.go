package review

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// CSV file names WriteCSV writes.
const (
	CSVPRs     = "prs.csv"
	CSVWeeks   = "weeks.csv"
	CSVAuthors = "authors.csv"
	CSVAgents  = "agents.csv"
	CSVModels  = "models.csv"
)

// WriteCSV writes the review as CSV files for BI tools into dir (created if
// missing) and returns their paths: prs.csv (one row per pull request,
// newest merge first), weeks.csv, authors.csv, agents.csv and models.csv
// (one row per group, with every Figures column). The first row names the
// columns (the JSON field names); an unknown figure is an empty cell, never
// 0; times are RFC 3339 UTC; a text cell that a spreadsheet would read as a
// formula (starting with = + - @, a tab or a carriage return) is prefixed
// with an apostrophe. Rows end in CRLF (RFC 4180).
func WriteCSV(dir string, d Dataset, m Metrics) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("review: CSV directory: %w", err)
	}
	files := []struct {
		name string
		rows [][]string
	}{
		{CSVPRs, prRows(d, m)},
		{CSVWeeks, groupRows("week", m.Weeks)},
		{CSVAuthors, groupRows("author", m.Authors)},
		{CSVAgents, groupRows("agent", m.Agents)},
		{CSVModels, groupRows("model", m.Models)},
	}
	paths := make([]string, 0, len(files))
	for _, f := range files {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.UseCRLF = true
		if err := w.WriteAll(f.rows); err != nil {
			return paths, fmt.Errorf("review: %s: %w", f.name, err)
		}
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			return paths, fmt.Errorf("review: %w", err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// usageColumns are the columns of the usage fields, in order.
var usageColumns = []string{
	"commits", "commits_with_data", "coverage",
	"tokens", "input", "output", "cache_read", "cache_write", "reasoning",
	"cost_usd", "cost_known_usd", "cost_unknown_commits",
	"lines_added", "lines_deleted", "lines_excluded",
	"tokens_per_line", "diff_tokens_per_output_token",
}

// usageCells returns the cells of usageColumns for f.
func usageCells(f Figures) []string {
	u := usageOut(f)
	return []string{
		itoa(u.Commits), itoa(u.CommitsWithData), fcell(u.Coverage),
		icell(u.Tokens), icell(u.Input), icell(u.Output), icell(u.CacheRead), icell(u.CacheWrite), icell(u.Reasoning),
		fcell(u.CostUSD), fcell(&u.CostKnownUSD), itoa(u.CostUnknownCommits),
		i64(u.LinesAdded), i64(u.LinesDeleted), i64(u.LinesExcluded),
		fcell(u.TokensPerLine), fcell(u.DiffTokensPerOutputToken),
	}
}

// prRows returns prs.csv.
func prRows(d Dataset, m Metrics) [][]string {
	head := append([]string{"number", "title", "author", "merge", "merge_sha", "merged_at", "state", "reverted"}, usageColumns...)
	head = append(head, "rework_tokens", "approvals", "change_requests", "rounds", "review_comments", "hours_to_merge")
	rows := [][]string{head}
	for i := range d.PRs {
		pr := &d.PRs[i]
		var f Figures
		if i < len(m.PRs) {
			f = m.PRs[i].Figures
		}
		row := []string{itoa(pr.Number), text(pr.Title), text(pr.Author), pr.Merge, pr.MergeSHA, tcell(pr.MergedAt)}
		state := ""
		if pr.Review != nil {
			state = text(pr.Review.State)
		}
		row = append(row, state, strconv.FormatBool(pr.Reverted))
		row = append(row, usageCells(f)...)
		row = append(row, icell(known(f.ReworkPRs > 0, f.ReworkTokens)))
		if o := pr.Review; o != nil {
			row = append(row, itoa(o.Approvals), itoa(o.ChangeRequests), itoa(o.Rounds), itoa(o.ReviewComments), fcell(r6(hoursToMerge(pr))))
		} else {
			row = append(row, "", "", "", "", "")
		}
		rows = append(rows, row)
	}
	return rows
}

// groupRows returns the rows of one grouping, its key column named key.
func groupRows(key string, gs []Group) [][]string {
	head := append([]string{key, "prs"}, usageColumns...)
	head = append(head, "outcomes_known", "merge_rate", "change_request_rate", "median_rounds", "median_hours_to_merge",
		"reverted", "rework_tokens", "rework_prs", "median_tokens_per_pr", "median_cost_per_pr")
	rows := [][]string{head}
	for _, g := range gs {
		f := figuresOut(g.Figures)
		row := append([]string{text(g.Key), itoa(f.PRs)}, usageCells(g.Figures)...)
		row = append(row, itoa(f.OutcomesKnown), fcell(f.MergeRate), fcell(f.ChangeRequestRate), fcell(f.MedianRounds),
			fcell(f.MedianHoursToMerge), itoa(f.Reverted), icell(f.ReworkTokens), itoa(f.ReworkPRs),
			fcell(f.MedianTokensPerPR), fcell(f.MedianCostPerPR))
		rows = append(rows, row)
	}
	return rows
}

func itoa(n int) string  { return strconv.Itoa(n) }
func i64(n int64) string { return strconv.FormatInt(n, 10) }
func icell(p *int64) string {
	if p == nil {
		return ""
	}
	return i64(*p)
}

// fcell formats a float without exponent or trailing zeros; nil is empty.
func fcell(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func tcell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// text makes user text safe for a spreadsheet: one line, and a leading
// character that would start a formula is defused with an apostrophe.
func text(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
