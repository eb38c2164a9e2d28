package demo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/numfmt"
)

type logLine struct {
	Commit  string            `json:"commit"`
	Subject string            `json:"subject"`
	Source  string            `json:"source"`
	Added   int64             `json:"lines_added"`
	Deleted int64             `json:"lines_deleted"`
	Note    *attribution.Note `json:"note"`
}

// Summary renders `tokenyield log --json` output as a short PR-style
// Markdown report: totals, per agent and model, per commit.
func Summary(logJSON []byte) (string, error) {
	var commits []logLine
	sc := bufio.NewScanner(bytes.NewReader(logJSON))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var l logLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return "", fmt.Errorf("read log: %w", err)
		}
		commits = append(commits, l)
	}
	var all attribution.Note
	var added, deleted int64
	with := 0
	for _, c := range commits {
		added += c.Added
		deleted += c.Deleted
		if c.Note != nil {
			with++
			all = attribution.Merge(all, *c.Note)
		}
	}
	var b strings.Builder
	t := all.Total
	fmt.Fprintf(&b, "### AI usage: %s tokens, %s, +%d/−%d lines\n\n", num(t.Total), usd(t.CostUSD), added, deleted)
	if changed := added + deleted; changed > 0 {
		fmt.Fprintf(&b, "%s tokens per changed line · %d of %d commits have usage data\n\n", num(t.Total/changed), with, len(commits))
	}
	b.WriteString("| Agent | Model | Input | Output | Cache read | Cache write | Cost |\n|---|---|--:|--:|--:|--:|--:|\n")
	type key struct{ agent, model string }
	sums := map[key]*attribution.Row{}
	var keys []key
	for _, r := range all.Rows {
		k := key{r.Agent, r.Model}
		if sums[k] == nil {
			rr := r
			sums[k] = &rr
			keys = append(keys, k)
			continue
		}
		s := sums[k]
		s.Usage = s.Usage.Add(r.Usage)
		if s.CostUSD != nil && r.CostUSD != nil {
			c := *s.CostUSD + *r.CostUSD
			s.CostUSD = &c
		} else {
			s.CostUSD = nil
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].agent+keys[i].model < keys[j].agent+keys[j].model })
	for _, k := range keys {
		r := sums[k]
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", k.agent, k.model, num(r.Input), num(r.Output), num(r.CacheRead), num(r.CacheWrite), usd(r.CostUSD))
	}
	b.WriteString("\n| Commit | Subject | Tokens | Cost | Lines |\n|---|---|--:|--:|--:|\n")
	for i := len(commits) - 1; i >= 0; i-- {
		c := commits[i]
		tokens, cost := "no data", "–"
		if c.Note != nil {
			tokens, cost = num(c.Note.Total.Total), usd(c.Note.Total.CostUSD)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | +%d/−%d |\n", c.Commit[:min(7, len(c.Commit))], escape(c.Subject), tokens, cost, c.Added, c.Deleted)
	}
	return b.String(), nil
}

func num(n int64) string { return numfmt.Thousands(n) }

func usd(c *float64) string {
	if c == nil {
		return "unknown"
	}
	return fmt.Sprintf("$%.2f", *c)
}

// escape keeps a commit subject from injecting Markdown, HTML or mentions.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#', '!', '(', ')', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '@':
			b.WriteString("@\u200b")
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
