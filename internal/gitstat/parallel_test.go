package gitstat_test

import (
	"context"
	"reflect"
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
