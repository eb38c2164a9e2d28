package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
	"github.com/tokenyield/tokenyield/internal/numfmt"
	"github.com/tokenyield/tokenyield/internal/pricing"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// UsageReport is the stable JSON printed by `tokenyield usage --json`.
type UsageReport struct {
	Totals UsageFigures `json:"totals"`
	Rows   []UsageRow   `json:"rows"`
}

// UsageFigures are the token counts, request count and cost of a group.
type UsageFigures struct {
	Input      int64    `json:"input"`
	Output     int64    `json:"output"`
	CacheRead  int64    `json:"cache_read"`
	CacheWrite int64    `json:"cache_write"`
	Reasoning  int64    `json:"reasoning"`
	Total      int64    `json:"total"`
	Requests   int64    `json:"requests"`
	CostUSD    *float64 `json:"cost_usd"`
	// Estimated and LowerBound flag groups whose figures are estimated or
	// known to under-count.
	Estimated  bool `json:"estimated,omitempty"`
	LowerBound bool `json:"lower_bound,omitempty"`
}

// UsageRow is one group of `tokenyield usage`.
type UsageRow struct {
	Key   string `json:"key"`
	Agent string `json:"agent"`
	Model string `json:"model"`
	UsageFigures
}

// usageMaxIdentities bounds the de-dup memory of one pass of `usage`
// (about 100 bytes each): past it the logs are read in more passes.
var usageMaxIdentities = 600_000

type usageOptions struct {
	since, until string
	by           string
	repo         string
	json         bool
	tz           string
	agents       string
	verbose      bool
}

func runUsage(env *Env, args []string) error {
	var o usageOptions
	fs := newFlags(env, "usage", "[--since D] [--until D] [--by day|session|model|agent|repo] [--repo PATH] [--json]")
	fs.StringVar(&o.since, "since", "", "first day to include (YYYY-MM-DD, YYYYMMDD or RFC 3339)")
	fs.StringVar(&o.until, "until", "", "last day to include (YYYY-MM-DD, YYYYMMDD or RFC 3339)")
	fs.StringVar(&o.by, "by", "day", "group rows by `day|session|model|agent|repo`")
	fs.StringVar(&o.repo, "repo", "", "only usage whose working directory is inside this repository or directory")
	fs.BoolVar(&o.json, "json", false, "print JSON (schema in README)")
	fs.StringVar(&o.tz, "tz", "", "time zone for days and dates (default: local)")
	fs.StringVar(&o.agents, "agent", "", "comma-separated agents to read (default: all)")
	fs.BoolVar(&o.verbose, "v", false, "list every problem met while reading logs")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	loc := time.Local
	if o.tz != "" {
		l, err := time.LoadLocation(o.tz)
		if err != nil {
			return fmt.Errorf("%w: --tz: %w", errUsage, err)
		}
		loc = l
	}
	since, err := parseDay(o.since, loc, false)
	if err != nil {
		return fmt.Errorf("%w: --since: %w", errUsage, err)
	}
	until, err := parseDay(o.until, loc, true)
	if err != nil {
		return fmt.Errorf("%w: --until: %w", errUsage, err)
	}
	groupKey, err := grouping(o.by, loc)
	if err != nil {
		return err
	}
	root := ""
	if o.repo != "" {
		if root, err = filepath.Abs(o.repo); err != nil {
			return fmt.Errorf("--repo: %w", err)
		}
		if r, err := filepath.EvalSymlinks(root); err == nil {
			root = r
		}
	}
	var names []string
	if o.agents != "" {
		names = strings.Split(o.agents, ",")
	}
	sources, unknown := agents.Named(names)
	// Names no reader has may be agents of open-format records: read those
	// and keep only the named agents' events.
	wanted := map[string]bool{}
	for _, n := range names {
		wanted[n] = true
	}
	if len(unknown) > 0 {
		custom, _ := agents.Named([]string{attribution.AgentCustom})
		if !slices.ContainsFunc(sources, func(s tail.Source) bool { return s.Agent == attribution.AgentCustom }) {
			sources = append(sources, custom...)
		}
	}
	var seenMu sync.Mutex // keep runs on the scan's workers
	seenAgent := map[string]bool{}
	prices, err := pricing.LoadDefault(env.Agents.Get, env.homeOf())
	if err != nil {
		return err
	}

	keep := func(e attribution.Event) bool {
		if len(wanted) > 0 && !wanted[e.Agent] {
			return false
		}
		if len(unknown) > 0 {
			seenMu.Lock()
			seenAgent[e.Agent] = true
			seenMu.Unlock()
		}
		if !since.IsZero() && e.Time.Before(since) {
			return false
		}
		if !until.IsZero() && !e.Time.Before(until) {
			return false
		}
		return true
	}
	// Per-repository logs (Aider's chat history) are read for --repo, or
	// else for the repository of the working directory.
	agentEnv := env.Agents
	if root != "" {
		agentEnv.Repos = []string{repoRoot(root)}
	} else if wd, err := os.Getwd(); err == nil {
		if r := repoRoot(wd); r != "" {
			agentEnv.Repos = []string{r}
		}
	}
	w := attribution.Window{Root: root}
	var agg *usageAggregate
	maxIDs := usageMaxIdentities
	if v, err := strconv.Atoi(env.Agents.Get("TOKENYIELD_MAX_IDENTITIES")); err == nil && v > 0 {
		maxIDs = v // a tuning knob, and how bench/ shows memory staying bounded
	}
	each := func(e attribution.Event) {
		if root == "" || w.Contains(e) {
			agg.add(e)
		}
	}
	// One pass normally; more when the de-dup memory would outgrow maxIDs
	// (many GB of logs), so that memory stays bounded.
	res, shards := scan.Bounded(context.Background(), agentEnv, sources,
		scan.Options{Keep: keep, Each: each, MaxIdentities: maxIDs},
		func() { agg = newUsageAggregate(groupKey, prices.Memo()) })
	if shards > 1 && o.verbose {
		fmt.Fprintf(env.Stderr, "read the logs in %d passes to keep memory bounded\n", shards)
	}
	for _, n := range unknown {
		if !seenAgent[n] {
			return fmt.Errorf("%w: unknown agent %q: no reader has that name and no open-format record names it (see tokenyield agents)", errUsage, n)
		}
	}
	report := agg.report()
	warnSkipped(env.Stderr, res, o.verbose)
	if o.json {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	printUsage(env.Stdout, report, o.by)
	return nil
}

// groupFunc returns a row's key, and whether the row keeps the agent and the
// model apart.
type groupFunc func(e attribution.Event) (key string, byAgent, byModel bool)

func grouping(by string, loc *time.Location) (groupFunc, error) {
	switch by {
	case "day":
		// Events arrive mostly in order: remember the last day's bounds
		// instead of formatting every event's date.
		var from, to time.Time
		var day string
		return func(e attribution.Event) (string, bool, bool) {
			if e.Time.Before(from) || !e.Time.Before(to) {
				t := e.Time.In(loc)
				from = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
				to = from.AddDate(0, 0, 1)
				day = from.Format("2006-01-02")
			}
			return day, true, true
		}, nil
	case "session":
		return func(e attribution.Event) (string, bool, bool) { return e.Session, true, true }, nil
	case "model":
		return func(e attribution.Event) (string, bool, bool) { return e.Model, true, true }, nil
	case "agent":
		return func(e attribution.Event) (string, bool, bool) { return e.Agent, true, false }, nil
	case "repo":
		roots := map[string]string{}
		return func(e attribution.Event) (string, bool, bool) {
			r, ok := roots[e.Cwd]
			if !ok {
				r = repoRoot(e.Cwd)
				roots[e.Cwd] = r
			}
			return r, true, false
		}, nil
	}
	return nil, fmt.Errorf("%w: --by must be day, session, model, agent or repo, not %q", errUsage, by)
}

// repoRoot returns the nearest directory at or above dir that holds .git,
// dir itself when there is none, or "(unknown)" for an empty dir.
func repoRoot(dir string) string {
	if dir == "" {
		return "(unknown)"
	}
	for d := filepath.Clean(dir); ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return filepath.Clean(dir)
		}
		d = parent
	}
}

// usageAggregate sums events into rows as they stream out of a scan.
type usageAggregate struct {
	group  groupFunc
	pricer attribution.Pricer
	rows   map[[3]string]*usageAcc
	total  usageAcc
}

type usageAcc struct {
	row      UsageRow
	cost     float64
	unpriced bool
}

func newUsageAggregate(group groupFunc, pricer attribution.Pricer) *usageAggregate {
	return &usageAggregate{group: group, pricer: pricer, rows: map[[3]string]*usageAcc{}}
}

func (a *usageAcc) add(e attribution.Event, cost float64, priced bool) {
	f := &a.row.UsageFigures
	f.Input += e.Usage.Input
	f.Output += e.Usage.Output
	f.CacheRead += e.Usage.CacheRead
	f.CacheWrite += e.Usage.CacheWrite
	f.Reasoning += e.Usage.Reasoning
	f.Total += e.Usage.Total()
	if !e.Increment {
		f.Requests++
	}
	f.Estimated = f.Estimated || e.Estimated
	f.LowerBound = f.LowerBound || e.LowerBound
	a.cost += cost
	a.unpriced = a.unpriced || !priced
}

func (a *usageAcc) figures() UsageFigures {
	if !a.unpriced && a.row.Total > 0 {
		c := roundCents(a.cost)
		a.row.CostUSD = &c
	}
	return a.row.UsageFigures
}

func (u *usageAggregate) add(e attribution.Event) {
	key, byAgent, byModel := u.group(e)
	k := [3]string{key, "", ""}
	if byAgent {
		k[1] = e.Agent
	}
	if byModel {
		k[2] = e.Model
	}
	acc := u.rows[k]
	if acc == nil {
		acc = &usageAcc{row: UsageRow{Key: key, Agent: k[1], Model: k[2]}}
		u.rows[k] = acc
	}
	c, ok := u.pricer.Cost(e.Model, e.Usage)
	acc.add(e, c, ok)
	u.total.add(e, c, ok)
}

func (u *usageAggregate) report() UsageReport {
	rep := UsageReport{Rows: []UsageRow{}}
	for _, acc := range u.rows {
		acc.row.UsageFigures = acc.figures()
		rep.Rows = append(rep.Rows, acc.row)
	}
	sort.Slice(rep.Rows, func(i, j int) bool {
		a, b := rep.Rows[i], rep.Rows[j]
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		if a.Agent != b.Agent {
			return a.Agent < b.Agent
		}
		return a.Model < b.Model
	})
	rep.Totals = u.total.figures()
	if u.total.row.Total == 0 {
		zero := 0.0
		rep.Totals.CostUSD = &zero
	}
	return rep
}

func roundCents(f float64) float64 { return float64(int64(f*1e4+0.5)) / 1e4 }

func printUsage(w io.Writer, rep UsageReport, by string) {
	if len(rep.Rows) == 0 {
		fmt.Fprintln(w, "No AI usage found. Run 'tokenyield usage -v' to see where tokenyield looked.")
		return
	}
	showAgent := by != "agent"
	showModel := by != "model" && by != "agent" && by != "repo"
	header := []string{strings.ToUpper(by[:1]) + by[1:]}
	numeric := []bool{false}
	if showAgent {
		header, numeric = append(header, "Agent"), append(numeric, false)
	}
	if showModel {
		header, numeric = append(header, "Model"), append(numeric, false)
	}
	header = append(header, "Input", "Output", "Cache read", "Cache write", "Total", "Requests", "Cost USD")
	numeric = append(numeric, true, true, true, true, true, true, true)
	t := newTable(header, numeric)
	line := func(key, agent, model string, f UsageFigures) {
		mark := ""
		if f.LowerBound {
			mark = "≥"
		}
		if f.Estimated {
			mark = "~"
		}
		cells := []string{key}
		if showAgent {
			cells = append(cells, agent)
		}
		if showModel {
			cells = append(cells, model)
		}
		cells = append(cells, thousands(f.Input), mark+thousands(f.Output), thousands(f.CacheRead),
			thousands(f.CacheWrite), thousands(f.Total), thousands(f.Requests), money(f.CostUSD))
		t.add(cells...)
	}
	for _, r := range rep.Rows {
		line(r.Key, r.Agent, r.Model, r.UsageFigures)
	}
	line("Total", "", "", rep.Totals)
	t.write(w)
	if rep.Totals.LowerBound {
		fmt.Fprintln(w, "≥ a lower bound: the agent's log under-counts (Claude Code before 2.1.97 logged streaming snapshots; Copilot CLI logs input only at session end; see README).")
	}
	if rep.Totals.Estimated {
		fmt.Fprintln(w, "~ estimated figures (e.g. Aider's chat history rounds to thousands).")
	}
	if rep.Totals.CostUSD == nil {
		fmt.Fprintln(w, "Cost ? = a model without a known price; totals with unknown parts are shown as ?.")
	}
}

// thousands formats n with comma separators.
func thousands(n int64) string { return numfmt.Thousands(n) }

func money(c *float64) string {
	if c == nil {
		return "?"
	}
	return fmt.Sprintf("%.2f", *c)
}

// warnSkipped prints one line when logs had unusable parts.
func warnSkipped(w io.Writer, res scan.Result, verbose bool) {
	var skipped, long int64
	var errs int
	var where []string
	for agent, s := range res.Stats {
		if s.Skipped+s.LongLines > 0 || s.Errors > 0 {
			where = append(where, agent)
		}
		skipped += s.Skipped
		long += s.LongLines
		errs += s.Errors
	}
	sort.Strings(where)
	if skipped+long > 0 || errs > 0 || len(res.Problems) > 0 {
		fmt.Fprintf(w, "tokenyield: warning: skipped %d unusable lines, %d over-long lines and %d unreadable files (%s)",
			skipped, long, errs, strings.Join(where, ", "))
		if !verbose {
			fmt.Fprint(w, "; run with -v for details")
		}
		fmt.Fprintln(w)
	}
	if verbose {
		agentsSeen := make([]string, 0, len(res.Stats))
		for a := range res.Stats {
			agentsSeen = append(agentsSeen, a)
		}
		sort.Strings(agentsSeen)
		for _, a := range agentsSeen {
			s := res.Stats[a]
			fmt.Fprintf(w, "%s: roots %s; %d files, %d bytes, %d lines, %d events, %d skipped\n",
				a, strings.Join(res.Roots[a], ", "), s.Files, s.Bytes, s.Lines, s.Events, s.Skipped)
		}
		for _, p := range res.Problems {
			fmt.Fprintln(w, "  problem:", p)
		}
	}
}

// parseDay parses a day or timestamp in loc. With end set, a bare day means
// the end of that day (exclusive bound: the next midnight).
func parseDay(s string, loc *time.Location, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02", "20060102"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			if end {
				t = t.AddDate(0, 0, 1)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD, YYYYMMDD or RFC 3339)", s)
}
