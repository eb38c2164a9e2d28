package review_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/gitstat/synth"
	"github.com/tokenyield/tokenyield/internal/ledger"
	"github.com/tokenyield/tokenyield/internal/review"
)

// rvBenchCommits is the size of the benchmark history:
// TOKENYIELD_BENCH_COMMITS, default 1,000 (TestCollectLarge takes
// TOKENYIELD_REVIEW_LARGE, e.g. 10000).
func rvBenchCommits(tb testing.TB, env string, def int) int {
	s := os.Getenv(env)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		tb.Fatalf("%s=%q: want a positive number", env, s)
	}
	return n
}

// rvPRStream rewrites a synth fast-import stream into a pull-request
// history: each merge of the side branch becomes "Merge pull request #N
// from synth/side-N" (with a title line), and every third commit made on
// main gets a " (#N)" squash suffix. It returns the numbers of PRs made.
func rvPRStream(dst io.Writer, src io.Reader) (int, error) {
	r := bufio.NewReaderSize(src, 1<<20)
	w := bufio.NewWriterSize(dst, 1<<20)
	inCommit, onMain := false, false
	number, mainCommits := 0, 0
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF && line == "" {
			break
		}
		if err != nil && err != io.EOF {
			return number, err
		}
		switch {
		case strings.HasPrefix(line, "commit "):
			inCommit, onMain = true, strings.TrimSpace(line) == "commit refs/heads/main"
		case strings.HasPrefix(line, "data "):
			n, perr := strconv.Atoi(strings.TrimSpace(line[5:]))
			if perr != nil {
				return number, fmt.Errorf("bad data line %q", line)
			}
			body := make([]byte, n)
			if _, err := io.ReadFull(r, body); err != nil {
				return number, err
			}
			if inCommit && onMain {
				msg := string(body)
				if strings.HasPrefix(msg, "Merge branch 'synth-side'") {
					number++
					msg = fmt.Sprintf("Merge pull request #%d from synth/side-%d\n\nSide work %d\n", number, number, number)
				} else if mainCommits++; mainCommits%3 == 0 {
					number++
					subject, rest, _ := strings.Cut(msg, "\n")
					msg = fmt.Sprintf("%s (#%d)\n%s", subject, number, rest)
				}
				body = []byte(msg)
			}
			inCommit = false
			fmt.Fprintf(w, "data %d\n", len(body))
			w.Write(body)
			continue
		}
		w.WriteString(line)
	}
	return number, w.Flush()
}

// rvBenchRepo returns a repository of n synthetic commits after the tag
// synth-base, grouped into pull requests (rvPRStream), with a note on
// every commit of synth-base..main but the merges, repacked as a clone
// would be. It is
// made once under the temporary directory and reused.
func rvBenchRepo(tb testing.TB, n int) (dir string, prs int) {
	tb.Helper()
	gittest.Isolate(tb)
	dir = filepath.Join(os.TempDir(), fmt.Sprintf("tokenyield-review-bench-c%d-v2", n))
	ready := filepath.Join(dir, ".git", "tokenyield-bench-ready")
	if b, err := os.ReadFile(ready); err == nil {
		prs, err = strconv.Atoi(strings.TrimSpace(string(b)))
		if err == nil {
			return dir, prs
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		tb.Fatal(err)
	}
	gittest.Git(tb, "", "init", "-q", "-b", "main", dir)
	var stream bytes.Buffer
	if _, err := synth.Write(&stream, synth.Options{Commits: n, Seed: 1}); err != nil {
		tb.Fatal(err)
	}
	var rewritten bytes.Buffer
	prs, err := rvPRStream(&rewritten, &stream)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := gittest.GitInput(dir, rewritten.Bytes(), "fast-import", "--quiet"); err != nil {
		tb.Fatal(err)
	}
	gittest.Git(tb, dir, "reset", "-q", "--hard", "main")
	shas := strings.Fields(gittest.Git(tb, dir, "rev-list", "--no-merges", "synth-base..main"))
	notes := make(map[plumbing.Hash]attribution.Note, len(shas))
	kinds := []struct{ agent, model string }{{"claude-code", "claude-sonnet-4-5"}, {"codex", "gpt-5"}, {"claude-code", "claude-opus-4-1"}}
	for i, sha := range shas {
		k := kinds[i%len(kinds)]
		cost := float64(i%1000) / 100
		if i%97 == 0 {
			cost = -1
		}
		notes[plumbing.NewHash(sha)] = rvNote(k.agent, fmt.Sprintf("s%d", i/7), k.model, int64(1000+i%5000), int64(200+i%3000), cost)
	}
	led, err := ledger.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	if err := led.WriteMany(notes); err != nil {
		tb.Fatal(err)
	}
	_ = led.Close()
	gittest.Git(tb, dir, "repack", "-adfq") // deltas as a server packs them for a clone
	gittest.Git(tb, dir, "prune")
	if err := os.WriteFile(ready, []byte(strconv.Itoa(prs)), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir, prs
}

// rvCollectBench runs Collect and Compute once over synth-base..main.
func rvCollectBench(tb testing.TB, dir string, diffTokens bool) (review.Dataset, review.Metrics) {
	tb.Helper()
	g, err := gitcli.New(dir)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := review.Collect(context.Background(), g, dir, review.CollectOptions{Branch: "main", DiffTokens: diffTokens})
	if err != nil {
		tb.Fatal(err)
	}
	return d, review.Compute(d)
}

// BenchmarkCollect times Collect + Compute over a synthetic history of
// TOKENYIELD_BENCH_COMMITS commits (default 1,000) with a note on each.
func BenchmarkCollect(b *testing.B) {
	n := rvBenchCommits(b, "TOKENYIELD_BENCH_COMMITS", 1000)
	dir, _ := rvBenchRepo(b, n)
	for _, diff := range []bool{false, true} {
		b.Run(fmt.Sprintf("diff-tokens=%v", diff), func(b *testing.B) {
			for b.Loop() {
				rvCollectBench(b, dir, diff)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "commits/s")
		})
	}
}

// TestCollectLarge reviews a synthetic history of TOKENYIELD_REVIEW_LARGE
// commits (skipped when unset; 10000 for the target: under 5 s and
// 300 MB) with a note on every commit, and logs the time and the peak
// memory. The history's base commit (its whole tree) is the only one
// outside the range, so every commit is counted: the PRs' commits and the
// direct ones add up to the range, and the notes' totals to the review's.
func TestCollectLarge(t *testing.T) {
	n := rvBenchCommits(t, "TOKENYIELD_REVIEW_LARGE", 0)
	if n == 0 {
		t.Skip("set TOKENYIELD_REVIEW_LARGE=10000 to review a large synthetic history")
	}
	dir, prs := rvBenchRepo(t, n)
	// Warm the page cache, as a repeated run has it.
	rvCollectBench(t, dir, false)
	runtime.GC()
	for _, diff := range []bool{false, true} {
		var before, after syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &before)
		start := time.Now()
		d, m := rvCollectBench(t, dir, diff)
		elapsed := time.Since(start)
		_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &after)
		var self syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		t.Logf("%d commits, %d PRs, %d direct, diff tokens %v: Collect+Compute %v; peak RSS of this process %d MB, largest git child %d MB; heap now %d MB, allocated %d MB in all",
			m.Totals.Commits, len(d.PRs), len(d.Direct), diff, elapsed.Round(time.Millisecond),
			self.Maxrss/1024, after.Maxrss/1024, ms.HeapAlloc>>20, ms.TotalAlloc>>20)
		if len(d.PRs) != prs {
			t.Errorf("%d PRs, want %d", len(d.PRs), prs)
		}
		// Every non-merge commit of the range (with data) and the base
		// commit (without), and no merge (no data), is counted once.
		merges := len(strings.Fields(gittest.Git(t, dir, "rev-list", "--merges", "synth-base..main")))
		if want := n - merges; m.Totals.Commits != want+1 || m.Totals.CommitsWithData != want {
			t.Errorf("commits %d (%d with data), want %d (%d)", m.Totals.Commits, m.Totals.CommitsWithData, want+1, want)
		}
	}
}
