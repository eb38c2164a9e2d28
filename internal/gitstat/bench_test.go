package gitstat_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/tokenyield/tokenyield/internal/gitstat"
)

// benchCommits is the size of the benchmarks' range:
// TOKENYIELD_BENCH_COMMITS, default 1,000 (bench/numstat.sh measures
// 10,000).
func benchCommits(b *testing.B) int {
	if s := os.Getenv("TOKENYIELD_BENCH_COMMITS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("TOKENYIELD_BENCH_COMMITS=%q: want a positive number", s)
		}
		return n
	}
	return 1000
}

// BenchmarkLog times Log over a synthetic range (see package synth) next to
// what it must keep up with: git log --numstat --no-renames of the same
// range written to /dev/null. Both include starting git; Log also starts
// git rev-parse and git check-attr.
func BenchmarkLog(b *testing.B) {
	n := benchCommits(b)
	dir := synthRepo(b, n, 1)
	ctx := context.Background()
	g := gitAt(b, dir)
	rng := []string{"synth-base..main"}

	b.Run("gitstat", func(b *testing.B) {
		for b.Loop() {
			stats, err := gitstat.Log(ctx, g, rng)
			if err != nil || len(stats) != n {
				b.Fatalf("Log: %d commits, %v", len(stats), err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "commits/s")
	})
	b.Run("git-log-numstat", func(b *testing.B) {
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer null.Close()
		for b.Loop() {
			cmd := exec.Command(g.Path, "log", "--numstat", "--no-renames", rng[0])
			cmd.Dir = dir
			cmd.Stdout = null
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "commits/s")
	})
}
