package gitstat_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitstat"
)

// A long history is shown by several git processes at once; the result
// must be exactly the single process's: the same commits in the same order
// with the same lines and classes.
func TestLogParallelEqualsSerial(t *testing.T) {
	dir := synthRepo(t, 600, 3)
	g, err := gitcli.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	restore := gitstat.SetParallelMin(1 << 30)
	serial, err := gitstat.Log(ctx, g, []string{"synth-base..main"})
	restore()
	if err != nil {
		t.Fatal(err)
	}
	defer gitstat.SetParallelMin(10)()
	parallel, err := gitstat.Log(ctx, g, []string{"synth-base..main"})
	if err != nil {
		t.Fatal(err)
	}
	if len(serial) != 600 || !reflect.DeepEqual(serial, parallel) {
		t.Fatalf("parallel log differs: %d vs %d commits", len(parallel), len(serial))
	}
	// A revision git rejects fails the same way in both.
	if _, err := gitstat.Log(ctx, g, []string{"no-such-rev..main"}); err == nil {
		t.Fatal("a bad revision was accepted")
	}
}

// RevList lists a range in git log's order, and LogCommits of that list is
// Log of the range, split between processes or not.
func TestLogCommitsEqualsLog(t *testing.T) {
	dir := synthRepo(t, 300, 3)
	g, err := gitcli.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rng := []string{"main", "^synth-base"}
	want, err := gitstat.Log(ctx, g, rng)
	if err != nil {
		t.Fatal(err)
	}
	shas, err := gitstat.RevList(ctx, g, rng)
	if err != nil {
		t.Fatal(err)
	}
	out, err := g.Run(ctx, "rev-list", "main", "^synth-base")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(string(out)); !slices.Equal(shas, got) {
		t.Fatalf("RevList listed %d commits, git rev-list %d (or in another order)", len(shas), len(got))
	}
	for _, from := range []int{1 << 30, 10} {
		restore := gitstat.SetParallelMin(from)
		got, err := gitstat.LogCommits(ctx, g, shas)
		restore()
		if err != nil {
			t.Fatal(err)
		}
		if len(want) != 300 || !reflect.DeepEqual(got, want) {
			t.Errorf("parallel from %d: LogCommits gave %d commits, Log %d, or they differ", from, len(got), len(want))
		}
	}
	if got, err := gitstat.LogCommits(ctx, g, nil); err != nil || len(got) != 0 {
		t.Errorf("LogCommits of nothing: %d commits, %v", len(got), err)
	}
	for _, bad := range [][]string{{"--all"}, {""}, {"main\n--all"}} {
		if _, err := gitstat.RevList(ctx, g, bad); err == nil {
			t.Errorf("RevList accepted %q", bad)
		}
		if _, err := gitstat.LogCommits(ctx, g, bad); err == nil {
			t.Errorf("LogCommits accepted %q", bad)
		}
	}
}
