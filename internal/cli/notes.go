package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/ledger"
	"github.com/tokenyield/tokenyield/internal/tokenize"
)

// resolveCommit turns a revision into a commit hash and message.
func resolveCommit(ctx context.Context, g *gitcli.Git, rev string) (plumbing.Hash, string, error) {
	out, err := g.Run(ctx, "log", "-1", "--no-walk", "--format=%H%x00%B", "--end-of-options", rev, "--")
	if err != nil {
		return plumbing.ZeroHash, "", fmt.Errorf("%q is not a commit: %w", rev, err)
	}
	h, msg, _ := strings.Cut(string(out), "\x00")
	return plumbing.NewHash(h), msg, nil
}

// leadingArg splits off a positional argument written before the flags
// (`show REV --json`), or returns def.
func leadingArg(args []string, def string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return def, args
}

func cwdGit() (*gitcli.Git, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("working directory: %w", err)
	}
	return gitcli.New(dir)
}

func runShow(env *Env, args []string) error {
	fs := newFlags(env, "show", "[REV] [--json]")
	asJSON := fs.Bool("json", false, "print the note itself (nothing when the commit has no data)")
	rev, args := leadingArg(args, "HEAD")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ctx := context.Background()
	g, err := cwdGit()
	if err != nil {
		return err
	}
	h, msg, err := resolveCommit(ctx, g, rev)
	if err != nil {
		return err
	}
	led, err := ledger.Open(g.Dir)
	if err != nil {
		return err
	}
	defer func() { _ = led.Close() }()
	cu := led.Usage(h, msg)
	if cu.Problem != "" {
		fmt.Fprintf(env.Stderr, "tokenyield: warning: %s: %s\n", h.String()[:12], cu.Problem)
	}
	if *asJSON {
		if cu.Source == "" {
			return nil
		}
		b, err := cu.Note.Encode()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(env.Stdout, "%s\n", b)
		return err
	}
	subject, _, _ := strings.Cut(msg, "\n")
	fmt.Fprintf(env.Stdout, "commit %s  %s\n", h.String()[:12], oneLine(subject, 72))
	if cu.Source == "" {
		fmt.Fprintln(env.Stdout, "no AI usage recorded")
		return nil
	}
	if cu.Source == "trailers" {
		fmt.Fprintln(env.Stdout, "(from the commit's AI-Tokens trailers: no note)")
	}
	printNote(env.Stdout, cu.Note)
	if st, err := codeTokens(ctx, g, h.String()); err == nil && st.Lines > 0 {
		unit := "lines"
		if st.Lines == 1 {
			unit = "line"
		}
		fmt.Fprintf(env.Stdout, "code added: %s %s, ~%s tokens (%s: what the added code would cost as model output)\n",
			thousands(int64(st.Lines)), unit, thousands(int64(st.Tokens)), tokenize.O200K)
	}
	return nil
}

// codeTokens counts the lines commit sha added (against its first parent)
// and their tokens, reading the diff as git writes it.
func codeTokens(ctx context.Context, g *gitcli.Git, sha string) (tokenize.DiffStats, error) {
	enc, err := tokenize.Get(tokenize.O200K)
	if err != nil {
		return tokenize.DiffStats{}, err
	}
	var st tokenize.DiffStats
	err = g.RunStream(ctx, func(r io.Reader) error {
		var err error
		st, err = enc.DiffTokens(r)
		return err
	}, "show", "--format=", "--no-color", "--no-ext-diff", "--no-textconv", "-U0", "--no-renames", "--diff-merges=first-parent", sha)
	return st, err
}

// printNote prints a note's rows as an aligned table.
func printNote(w io.Writer, n attribution.Note) {
	if len(n.Rows) == 0 {
		fmt.Fprintln(w, "no AI usage (an empty note: trailers in the message were copied from another commit)")
		return
	}
	t := newTable([]string{"Agent", "Model", "Session", "Input", "Output", "Cache read", "Cache write", "Total", "Requests", "Cost USD"},
		[]bool{false, false, false, true, true, true, true, true, true, true})
	for _, r := range n.Rows {
		t.add(r.Agent, r.Model, r.Session, thousands(r.Input), markOut(r.Estimated, r.LowerBound)+thousands(r.Output),
			thousands(r.CacheRead), thousands(r.CacheWrite), thousands(r.Usage.Total()), thousands(r.Requests), money(r.CostUSD))
	}
	t.add("Total", "", "", thousands(n.Total.Input), thousands(n.Total.Output), thousands(n.Total.CacheRead),
		thousands(n.Total.CacheWrite), thousands(n.Total.Total), "", money(n.Total.CostUSD))
	t.write(w)
}

func markOut(est, lb bool) string {
	switch {
	case est:
		return "~"
	case lb:
		return "≥"
	}
	return ""
}

// oneLine shortens s to n runes and removes control characters.
func oneLine(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// logEntry is one line of `tokenyield log`.
type logEntry struct {
	Commit   string            `json:"commit"`
	Subject  string            `json:"subject"`
	Source   string            `json:"source"`
	Tokens   *int64            `json:"tokens"`
	CostUSD  *float64          `json:"cost_usd"`
	Added    int64             `json:"lines_added"`
	Deleted  int64             `json:"lines_deleted"`
	Note     *attribution.Note `json:"note,omitempty"`
	Problems string            `json:"problem,omitempty"`
}

func runLog(env *Env, args []string) error {
	fs := newFlags(env, "log", "[RANGE] [-n N] [--json]")
	asJSON := fs.Bool("json", false, "print JSON lines, one commit each")
	limit := fs.Int("n", 20, "at most this many commits (0 = all)")
	rng, args := leadingArg(args, "HEAD")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ctx := context.Background()
	g, err := cwdGit()
	if err != nil {
		return err
	}
	entries, err := logEntries(ctx, g, rng, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		for _, e := range entries {
			if err := enc.Encode(e); err != nil {
				return fmt.Errorf("encode log: %w", err)
			}
		}
		return nil
	}
	printLog(env.Stdout, entries)
	return nil
}

func printLog(w io.Writer, entries []logEntry) {
	t := newTable([]string{"Commit", "Subject", "Tokens", "Cost USD", "Lines"}, []bool{false, false, true, true, true})
	var with int
	for _, e := range entries {
		tokens, cost := "-", "-"
		if e.Tokens != nil {
			with++
			tokens = thousands(*e.Tokens)
			cost = money(e.CostUSD)
			if e.Source == "trailers" {
				tokens += "*"
			}
		}
		t.add(e.Commit[:min(8, len(e.Commit))], oneLine(e.Subject, 50), tokens, cost, fmt.Sprintf("+%d/-%d", e.Added, e.Deleted))
	}
	t.write(w)
	fmt.Fprintf(w, "%d of %d commits have AI usage data (- = no data; * = from trailers only).\n", with, len(entries))
}

// logEntries lists commits of rng with their usage and line counts.
func logEntries(ctx context.Context, g *gitcli.Git, rng string, limit int) ([]logEntry, error) {
	args := []string{"log", "--no-color", "--no-renames", "--format=%x01%H%x00%s%x00%B%x00", "--numstat"}
	if limit > 0 {
		args = append(args, "-n", strconv.Itoa(limit))
	}
	out, err := g.Run(ctx, append(args, rng, "--")...)
	if err != nil {
		return nil, fmt.Errorf("git log %s: %w", rng, err)
	}
	led, err := ledger.Open(g.Dir)
	if err != nil {
		return nil, err
	}
	defer func() { _ = led.Close() }()
	var entries []logEntry
	for _, rec := range strings.Split(string(out), "\x01")[1:] {
		parts := strings.SplitN(rec, "\x00", 4)
		if len(parts) < 4 {
			return nil, errors.New("unexpected git log output")
		}
		e := logEntry{Commit: parts[0], Subject: parts[1]}
		for _, l := range strings.Split(parts[3], "\n") {
			f := strings.SplitN(l, "\t", 3)
			if len(f) != 3 {
				continue
			}
			a, _ := strconv.ParseInt(f[0], 10, 64) // "-" for binary files counts 0
			d, _ := strconv.ParseInt(f[1], 10, 64)
			e.Added += a
			e.Deleted += d
		}
		cu := led.Usage(plumbing.NewHash(e.Commit), parts[2])
		e.Source, e.Problems = cu.Source, cu.Problem
		if cu.Source != "" {
			tot := cu.Note.Total.Total
			e.Tokens, e.CostUSD = &tot, cu.Note.Total.CostUSD
			n := cu.Note
			e.Note = &n
		}
		entries = append(entries, e)
	}
	return entries, nil
}
