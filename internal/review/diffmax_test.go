package review_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/review"
)

// DiffTokensMax skips the patch pass for a window of more commits, and says
// so; at or under it, diff tokens are counted.
func TestDiffTokensMax(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	gittest.Commit(t, dir, "a.go", "package a\n", "one\n\nAI-Tokens: codex gpt-5 in=1 out=1 cr=0 cw=0 rs=0 req=1 usd=?\n")
	gittest.Commit(t, dir, "b.go", "package b\n", "two\n\nAI-Tokens: codex gpt-5 in=1 out=1 cr=0 cw=0 rs=0 req=1 usd=?\n")
	g, err := gitcli.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		max     int
		counted bool
	}{{1, false}, {2, true}, {0, true}} {
		d, err := review.Collect(context.Background(), g, dir, review.CollectOptions{DiffTokens: true, DiffTokensMax: tt.max})
		if err != nil {
			t.Fatal(err)
		}
		note := strings.Contains(strings.Join(d.Partial, "\n"), "diff tokens: not counted")
		counted := false
		for _, c := range d.Direct {
			counted = counted || c.DiffTokens > 0
		}
		if counted != tt.counted || note == tt.counted {
			t.Errorf("max %d: counted %v, partial note %v; want counted %v", tt.max, counted, note, tt.counted)
		}
	}
}
