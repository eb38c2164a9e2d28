// Command numstat is the Go side of bench/numstat.sh: it writes the
// synthetic history and times gitstat.Log against git log --numstat.
//
//	numstat gen -commits 10000 -seed 1 | git fast-import --quiet
//	numstat run -repo DIR -range synth-base..main -runs 7
//
// gen writes a git fast-import stream (package
// internal/gitstat/synth; the range synth-base..main holds exactly -commits
// commits) and prints its summary on stderr.
//
// run alternates, -runs times, the two sides on the same range, after one
// untimed warm-up of each: "git" runs `git log --numstat --no-renames
// <range>` with its output to /dev/null; "gitstat" calls gitstat.Log in this
// process (which starts git log, git rev-parse and git check-attr and parses
// the output). Both are wall-clock times from start to the end of git's
// output, and CPU time (user and system, git's and this process's, from
// getrusage on Unix); the order alternates each round and the Go heap is
// collected before each run. It prints every run, the median and minimum of
// each side, the ratio of the wall-clock medians (the figure checked
// against -target) and of the CPU medians; checks that gitstat.Log found the same
// commits, files and lines as a plain `git log --numstat` (one more untimed
// run, parsed as text); and exits 1 when the totals differ or the ratio is
// above -target.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitstat"
	"github.com/tokenyield/tokenyield/internal/gitstat/synth"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: numstat gen|run [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "run":
		err = run(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q (gen or run)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "numstat:", err)
		os.Exit(1)
	}
}

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	commits := fs.Int("commits", 10000, "commits in synth-base..main")
	seed := fs.Uint64("seed", 1, "history seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sum, err := synth.Write(os.Stdout, synth.Options{Commits: *commits, Seed: *seed})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "numstat gen: %d commits (%d merges, %d empty), %d blobs, %.0f MB of file versions\n",
		sum.Commits, sum.Merges, sum.Empty, sum.Blobs, float64(sum.Bytes)/1e6)
	return nil
}

// totals are what a range holds, as both sides must count it.
type totals struct {
	commits, files int
	lines          gitstat.Lines
}

func run(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	repo := fs.String("repo", ".", "repository")
	rng := fs.String("range", "", "revision range, e.g. base..head")
	runs := fs.Int("runs", 7, "timed runs of each side")
	target := fs.Float64("target", 1.5, "largest acceptable ratio gitstat/git of the medians")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rng == "" || *runs < 1 {
		return errors.New("run: -range is required and -runs must be positive")
	}
	ctx := context.Background()
	g, err := gitcli.New(*repo)
	if err != nil {
		return err
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer null.Close()

	gitSide := func() error {
		cmd := exec.CommandContext(ctx, g.Path, "log", "--numstat", "--no-renames", *rng)
		cmd.Dir = g.Dir
		cmd.Stdout = null
		cmd.Stderr = os.Stderr
		return cmd.Run()
	}
	var last []gitstat.CommitStat
	var allocMB float64
	statSide := func() error {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		stats, err := gitstat.Log(ctx, g, []string{*rng})
		runtime.ReadMemStats(&after)
		allocMB = float64(after.TotalAlloc-before.TotalAlloc) / 1e6
		last = stats
		return err
	}
	sides := []struct {
		name    string
		fn      func() error
		ms, cpu []float64
	}{{name: "git", fn: gitSide}, {name: "gitstat", fn: statSide}}

	// timeOne returns the wall-clock and CPU milliseconds of one run.
	timeOne := func(i int) (wall, cpu float64, err error) {
		runtime.GC()
		start, cpu0 := time.Now(), cpuTime()
		err = sides[i].fn()
		wall = float64(time.Since(start).Microseconds()) / 1000
		return wall, float64((cpuTime() - cpu0).Microseconds()) / 1000, err
	}
	for i := range sides { // warm-up: page cache, git's own start-up files
		if _, _, err := timeOne(i); err != nil {
			return fmt.Errorf("%s warm-up: %w", sides[i].name, err)
		}
	}
	for r := range *runs {
		order := []int{0, 1}
		if r%2 == 1 {
			order = []int{1, 0}
		}
		for _, i := range order {
			ms, cpu, err := timeOne(i)
			if err != nil {
				return fmt.Errorf("%s run %d: %w", sides[i].name, r+1, err)
			}
			sides[i].ms = append(sides[i].ms, ms)
			sides[i].cpu = append(sides[i].cpu, cpu)
			fmt.Printf("run %d %-8s %9.1f ms wall %9.1f ms CPU\n", r+1, sides[i].name, ms, cpu)
		}
	}

	got := totalsOf(last)
	want, err := plainTotals(ctx, g, *rng)
	if err != nil {
		return err
	}
	gitMed, statMed := median(sides[0].ms), median(sides[1].ms)
	ratio := statMed / gitMed
	fmt.Printf("\nrange %s: %d commits, %d files changed, +%d -%d lines\n", *rng, got.commits, got.files, got.lines.Added, got.lines.Deleted)
	code, excluded := gitstat.Totals(last)
	fmt.Printf("gitstat split: code +%d -%d", code.Added, code.Deleted)
	for _, c := range gitstat.ExcludedClasses() {
		if l, ok := excluded[c]; ok {
			fmt.Printf(", %s +%d -%d", c, l.Added, l.Deleted)
		}
	}
	fmt.Printf("; %.0f MB allocated per gitstat.Log\n\n", allocMB)
	fmt.Printf("%-8s %12s %12s %16s\n", "side", "median ms", "min ms", "median CPU ms")
	for _, s := range sides {
		fmt.Printf("%-8s %12.1f %12.1f %16.1f\n", s.name, median(s.ms), slices.Min(s.ms), median(s.cpu))
	}
	if c := median(sides[0].cpu); c > 0 {
		fmt.Printf("CPU ratio gitstat/git (medians): %.3fx (less sensitive to a busy machine than wall time)\n", median(sides[1].cpu)/c)
	}
	verdict := "PASS"
	if ratio > *target {
		verdict = "FAIL"
	}
	fmt.Printf("ratio gitstat/git (medians): %.3fx, target <= %.2fx: %s\n", ratio, *target, verdict)

	var problems []string
	if got != want {
		problems = append(problems, fmt.Sprintf("totals differ: gitstat.Log %+v, git log --numstat %+v", got, want))
	} else {
		fmt.Println("totals: equal to plain git log --numstat (commits, files, lines)")
	}
	if verdict == "FAIL" {
		problems = append(problems, "ratio above target")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// totalsOf sums what gitstat.Log returned, every class together.
func totalsOf(stats []gitstat.CommitStat) totals {
	t := totals{commits: len(stats)}
	for _, s := range stats {
		t.files += s.Files
		t.lines = t.lines.Add(s.Code).Add(s.ExcludedLines())
	}
	return t
}

// plainTotals counts the range from the text of a plain git log --numstat:
// one "\x02" line per commit, then "added\tdeleted\tpath" lines ("-" for
// binary files).
func plainTotals(ctx context.Context, g *gitcli.Git, rng string) (totals, error) {
	out, err := g.Run(ctx, "log", "--numstat", "--no-renames", "--format=%x02", rng)
	if err != nil {
		return totals{}, err
	}
	var t totals
	for line := range bytes.SplitSeq(out, []byte{'\n'}) {
		if string(line) == "\x02" {
			t.commits++
			continue
		}
		f := strings.SplitN(string(line), "\t", 3)
		if len(f) != 3 {
			continue
		}
		t.files++
		a, _ := strconv.ParseInt(f[0], 10, 64) // "-" (binary) counts 0
		d, _ := strconv.ParseInt(f[1], 10, 64)
		t.lines = t.lines.Add(gitstat.Lines{Added: a, Deleted: d})
	}
	return t, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
