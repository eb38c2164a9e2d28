package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
	"github.com/tokenyield/tokenyield/internal/numfmt"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// AgentsReport is `tokenyield agents --json`.
type AgentsReport struct {
	Agents      []AgentInfo       `json:"agents"`
	Unsupported []UnsupportedInfo `json:"unsupported"`
}

// AgentInfo is what tokenyield found of one supported agent.
type AgentInfo struct {
	Agent string `json:"agent"`
	// Found is true when any of the agent's log locations exists.
	Found bool `json:"found"`
	// LookedIn lists every location checked; Roots the existing ones.
	LookedIn []string `json:"looked_in"`
	Roots    []string `json:"roots"`
	// Files and Bytes are the log files read and their size.
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
	// Requests and Usage sum the de-duplicated usage found.
	Requests int64             `json:"requests"`
	Usage    attribution.Usage `json:"usage"`
	// Newest is the time of the most recent usage (null when none).
	Newest *time.Time `json:"newest"`
	// Unreadable counts files that could not be read, Skipped lines that
	// should have carried usage but could not be used; Problems says why.
	Unreadable int      `json:"unreadable_files"`
	Skipped    int64    `json:"skipped_lines"`
	Problems   []string `json:"problems"`
}

// UnsupportedInfo is an AI tool tokenyield does not read.
type UnsupportedInfo struct {
	Agent  string   `json:"agent"`
	Found  []string `json:"found"`
	Reason string   `json:"reason"`
}

// runAgents reads every supported agent's logs once (as `usage` does) and
// reports, per agent, where they are and what they hold, then the tools
// tokenyield knows but does not read.
func runAgents(env *Env, args []string) error {
	var asJSON bool
	fs := newFlags(env, "agents", "[--json]")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rep := collectAgents(env)
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printAgents(env.Stdout, rep, env.Agents.Home)
	return nil
}

func collectAgents(env *Env) AgentsReport {
	sources := agents.All()
	agentEnv := env.Agents
	if wd, err := os.Getwd(); err == nil {
		if r := repoRoot(wd); r != "" {
			agentEnv.Repos = []string{r}
		}
	}
	infos := make([]AgentInfo, len(sources))
	index := map[string]int{}
	for i, src := range sources {
		infos[i] = AgentInfo{Agent: src.Agent, LookedIn: []string{}, Roots: []string{}, Problems: []string{}}
		index[src.Agent] = i
		for _, r := range src.Roots(agentEnv) {
			if r != "" {
				infos[i].LookedIn = append(infos[i].LookedIn, r)
			}
		}
		if src.Files != nil {
			for _, f := range src.Files(agentEnv) {
				if f == "" {
					continue
				}
				infos[i].LookedIn = append(infos[i].LookedIn, f)
				if _, err := os.Stat(f); err == nil {
					infos[i].Roots = append(infos[i].Roots, f)
				}
			}
		}
	}
	customAt := index[attribution.AgentCustom]
	each := func(e attribution.Event) {
		i, ok := index[e.Agent]
		if !ok {
			i = customAt // records of the open format carry their own agent names
		}
		in := &infos[i]
		in.Usage = in.Usage.Add(e.Usage)
		if !e.Increment {
			in.Requests++
		}
		if in.Newest == nil || e.Time.After(*in.Newest) {
			t := e.Time
			in.Newest = &t
		}
	}
	res, _ := scan.Bounded(context.Background(), agentEnv, sources, scan.Options{Each: each, MaxIdentities: usageMaxIdentities}, func() {
		for i := range infos { // the totals of an attempt that ran out of memory
			infos[i].Usage, infos[i].Requests, infos[i].Newest = attribution.Usage{}, 0, nil
		}
	})
	for agent, roots := range res.Roots {
		if i, ok := index[agent]; ok {
			infos[i].Roots = append(roots, infos[i].Roots...)
		}
	}
	for agent, s := range res.Stats {
		if i, ok := index[agent]; ok {
			infos[i].Files, infos[i].Bytes = s.Files, fileBytes(infos[i].Roots, sources[i])
			infos[i].Unreadable, infos[i].Skipped = s.Errors, s.Skipped
		}
	}
	for _, p := range res.Problems {
		agent, _, _ := strings.Cut(p, ":")
		if i, ok := index[agent]; ok {
			infos[i].Problems = append(infos[i].Problems, p)
		}
	}
	for i := range infos {
		infos[i].Found = len(infos[i].Roots) > 0
	}
	rep := AgentsReport{Agents: infos, Unsupported: []UnsupportedInfo{}}
	for _, u := range agents.UnsupportedAgents(env.Agents) {
		found := u.Found
		if found == nil {
			found = []string{}
		}
		rep.Unsupported = append(rep.Unsupported, UnsupportedInfo{Agent: u.Agent, Found: found, Reason: u.Reason})
	}
	return rep
}

// fileBytes sums the sizes of src's log files below roots (and of roots that
// are files).
func fileBytes(roots []string, src tail.Source) int64 {
	var n int64
	seen := map[string]bool{}
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || seen[path] {
				return nil //nolint:nilerr // an unreadable entry is reported by the scan, not here
			}
			rel, _ := filepath.Rel(root, path)
			if rel != "." && src.Match != nil && !src.Match(filepath.ToSlash(rel)) {
				return nil
			}
			seen[path] = true
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
			return nil
		})
	}
	return n
}

// tilde shortens paths below home for display.
func tilde(p, home string) string {
	if home != "" && (p == home || strings.HasPrefix(p, home+string(filepath.Separator))) {
		return "~" + p[len(home):]
	}
	return p
}

func printAgents(w io.Writer, rep AgentsReport, home string) {
	t := newTable([]string{"Agent", "Status", "Files", "Size", "Requests", "Tokens", "Newest", "Where"},
		[]bool{false, false, true, true, true, true, false, false})
	var problems []string
	for _, a := range rep.Agents {
		if !a.Found {
			var where []string
			for i, p := range a.LookedIn {
				if i == 2 && len(a.LookedIn) > 3 {
					where = append(where, fmt.Sprintf("and %d more (--json lists them)", len(a.LookedIn)-2))
					break
				}
				where = append(where, tilde(p, home))
			}
			t.add(a.Agent, "not found", "", "", "", "", "", "looked in "+strings.Join(where, ", "))
			continue
		}
		status := "found"
		if a.Unreadable > 0 || a.Skipped > 0 {
			status = "problems"
		}
		newest := "-"
		if a.Newest != nil {
			newest = a.Newest.Local().Format("2006-01-02")
		}
		where := make([]string, len(a.Roots))
		for i, p := range a.Roots {
			where[i] = tilde(p, home)
		}
		t.add(a.Agent, status, numfmt.Thousands(int64(a.Files)), byteSize(a.Bytes), numfmt.Thousands(a.Requests),
			numfmt.Thousands(a.Usage.Total()), newest, strings.Join(where, ", "))
		if a.Unreadable > 0 {
			problems = append(problems, fmt.Sprintf("%s: %d file(s) could not be read", a.Agent, a.Unreadable))
		}
		if a.Skipped > 0 {
			problems = append(problems, fmt.Sprintf("%s: %d line(s) with usage could not be used", a.Agent, a.Skipped))
		}
		problems = append(problems, a.Problems...)
	}
	t.write(w)
	if len(problems) > 0 {
		sort.Strings(problems)
		fmt.Fprintln(w, "\nProblems:")
		for _, p := range problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	fmt.Fprintln(w, "\nNot read:")
	u := newTable([]string{"Tool", "On this machine", "Why"}, []bool{false, false, false})
	for _, x := range rep.Unsupported {
		found := "no"
		if len(x.Found) > 0 {
			where := make([]string, len(x.Found))
			for i, p := range x.Found {
				where[i] = tilde(p, home)
			}
			found = strings.Join(where, ", ")
		}
		u.add(x.Agent, found, x.Reason)
	}
	u.write(w)
}

// byteSize formats a size in B, KB, MB or GB (powers of 1000).
func byteSize(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f KB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
