package report

import (
	"sort"
	"time"
)

// Build derives the report from the input. It trusts nothing: text is
// cleaned and bounded, negative counts count as zero, sums saturate, and an
// invalid cost counts as unknown. It never fails.
func Build(in Input) Report {
	r := Report{
		Schema:   Schema,
		Version:  Version,
		Tool:     clean(in.Tool, maxName),
		Repo:     clean(in.Repo, maxName*2),
		Number:   max(in.Number, 0),
		Title:    clean(in.Title, maxTitle),
		URL:      clean(in.URL, maxNote),
		BaseSHA:  clean(in.BaseSHA, 64),
		HeadSHA:  clean(in.HeadSHA, 64),
		Commits:  make([]CommitRow, 0, len(in.Commits)),
		Agents:   []AgentRow{},
		Partial:  cleanAll(in.Partial, maxNote),
		Problems: []Problem{},
		Breaches: []Breach{},
		Review:   buildReview(in.Review),
	}
	if len(r.Partial) > maxPartial {
		r.Partial = r.Partial[:maxPartial]
	}
	var firstReview *time.Time
	if r.Review != nil {
		firstReview = r.Review.FirstReviewAt
	}

	var total figuresAcc
	var lines LineTotals
	var diff int64
	var before, after figuresAcc
	var beforeN, afterN int
	agents := newAgentAcc()
	for i, c := range in.Commits {
		row := commitRow(c)
		if row.Usage != nil {
			total.addFigures(*row.Usage)
			agents.add(i, c)
		}
		r.Coverage.count(row)
		if row.Problem != "" {
			r.Problems = append(r.Problems, Problem{SHA: row.SHA, Problem: row.Problem})
		}
		if row.Lines != nil {
			lines.Added = satAdd(lines.Added, row.Lines.Added)
			lines.Deleted = satAdd(lines.Deleted, row.Lines.Deleted)
			lines.Excluded = satLines(lines.Excluded, *row.Excluded)
			for kind, l := range c.ExcludedBy {
				if lines.ExcludedBy == nil {
					lines.ExcludedBy = map[string]Lines{}
				}
				k := clean(kind, 32)
				if k == "" {
					k = "other"
				}
				lines.ExcludedBy[k] = satLines(lines.ExcludedBy[k], l)
			}
		} else {
			lines.UnknownCommits++
		}
		if row.DiffTokens != nil {
			diff = satAdd(diff, *row.DiffTokens)
		} else {
			r.Totals.DiffTokensUnknown++
		}
		if firstReview != nil {
			row.AfterFirstReview = row.Time != nil && row.Time.After(*firstReview)
			part, n := &before, &beforeN
			if row.AfterFirstReview {
				part, n = &after, &afterN
			}
			*n++
			if row.Usage != nil {
				part.addFigures(*row.Usage)
			}
		}
		r.Commits = append(r.Commits, row)
	}

	r.Totals.Figures = total.figures()
	if n := len(in.Commits); n == 0 || lines.UnknownCommits < n {
		r.Totals.Lines = &lines
		if lines.UnknownCommits == 0 && lines.Changed() > 0 {
			tpl := float64(r.Totals.Total) / float64(lines.Changed())
			r.Totals.TokensPerLine = &tpl
		}
	}
	if n := len(in.Commits); n == 0 || r.Totals.DiffTokensUnknown < n {
		r.Totals.DiffTokens = &diff
	}
	if c := &r.Coverage; c.Commits > 0 {
		ratio := float64(c.WithData) / float64(c.Commits)
		c.Ratio = &ratio
	}
	r.Agents = agents.rows()
	if firstReview != nil {
		r.Rework = &Rework{
			FirstReviewAt: *firstReview,
			Before:        ReworkPart{Commits: beforeN, Figures: before.figures()},
			After:         ReworkPart{Commits: afterN, Figures: after.figures()},
		}
		if sum := r.Rework.Before.Total + r.Rework.After.Total; sum > 0 {
			share := float64(r.Rework.After.Total) / float64(sum)
			r.Rework.AfterShare = &share
		}
	}
	r.History = compare(in.Number, in.History, r.Totals)
	return r
}

// commitRow builds one commit's row.
func commitRow(c Commit) CommitRow {
	row := CommitRow{
		SHA:            clean(c.SHA, 64),
		Subject:        clean(c.Subject, maxSubject),
		Author:         clean(c.Author, maxAuthor),
		Time:           utcPtr(&c.Time),
		Source:         clean(c.Source, 16),
		Problem:        clean(c.Problem, maxNote),
		Agents:         []string{},
		Models:         []string{},
		Merge:          c.Merge,
		AICoAuthor:     c.AICoAuthor || len(c.CoAuthorAgents) > 0,
		CoAuthorAgents: cleanAll(c.CoAuthorAgents, 32),
	}
	if len(row.CoAuthorAgents) == 0 {
		row.CoAuthorAgents = nil
	}
	if row.Source != "" {
		var acc figuresAcc
		acc.addNote(c.Usage)
		f := acc.figures()
		row.Usage = &f
		row.Agents, row.Models = names(c)
	}
	if !c.LinesUnknown {
		code := Lines{nonNeg(c.Code.Added), nonNeg(c.Code.Deleted)}
		excl := Lines{nonNeg(c.Excluded.Added), nonNeg(c.Excluded.Deleted)}
		row.Lines, row.Excluded = &code, &excl
	}
	if c.DiffTokens >= 0 {
		d := c.DiffTokens
		row.DiffTokens = &d
	}
	return row
}

// names lists the distinct agents and models of a commit's usage, the ones
// with the most tokens first.
func names(c Commit) (agents, models []string) {
	agentTok, modelTok := map[string]int64{}, map[string]int64{}
	for _, r := range c.Usage.Rows {
		t := satAdd(satAdd(satAdd(nonNeg(r.Input), r.Output), r.CacheRead), r.CacheWrite)
		a, m := cleanName(r.Agent), cleanName(r.Model)
		agentTok[a] = satAdd(agentTok[a], t)
		modelTok[m] = satAdd(modelTok[m], t)
	}
	return byTokens(agentTok), byTokens(modelTok)
}

// cleanName cleans an agent or model name; an empty one is "unknown".
func cleanName(s string) string {
	if s = clean(s, maxName); s == "" {
		return "unknown"
	}
	return s
}

// byTokens returns the keys of m, the largest value first, then by name.
func byTokens(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

func satLines(a, b Lines) Lines { return Lines{satAdd(a.Added, b.Added), satAdd(a.Deleted, b.Deleted)} }

// count adds one commit to the coverage.
func (c *Coverage) count(row CommitRow) {
	c.Commits++
	switch row.Source {
	case SourceNote:
		c.FromNotes++
	case SourceTrailers:
		c.FromTrailers++
	}
	if row.Usage != nil {
		c.WithData++
	} else if row.AICoAuthor {
		c.AICoAuthorWithoutData++
	}
	if row.Problem != "" {
		c.Rejected++
	}
}

// agentAcc sums usage per (agent, model) over commits.
type agentAcc struct {
	sums map[[2]string]*agentSum
}

type agentSum struct {
	acc        figuresAcc
	commits    int
	lastCommit int
	sessions   map[string]bool
}

func newAgentAcc() *agentAcc { return &agentAcc{sums: map[[2]string]*agentSum{}} }

// add adds the rows of commit number i.
func (a *agentAcc) add(i int, c Commit) {
	for _, r := range c.Usage.Rows {
		k := [2]string{cleanName(r.Agent), cleanName(r.Model)}
		s := a.sums[k]
		if s == nil {
			s = &agentSum{lastCommit: -1, sessions: map[string]bool{}}
			a.sums[k] = s
		}
		s.acc.addRow(r)
		if s.lastCommit != i {
			s.commits++
			s.lastCommit = i
		}
		if r.Session != "" && len(s.sessions) < 100000 {
			s.sessions[clean(r.Session, maxName)] = true
		}
	}
}

// rows returns the sums, the most tokens first, then by agent and model.
func (a *agentAcc) rows() []AgentRow {
	out := make([]AgentRow, 0, len(a.sums))
	for k, s := range a.sums {
		out = append(out, AgentRow{Agent: k[0], Model: k[1], Commits: s.commits, Sessions: len(s.sessions), Figures: s.acc.figures()})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		if out[i].Agent != out[j].Agent {
			return out[i].Agent < out[j].Agent
		}
		return out[i].Model < out[j].Model
	})
	return out
}
