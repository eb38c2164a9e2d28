package attribution

import (
	"testing"
	"time"
)

func TestWindowContains(t *testing.T) {
	commit := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w := Window{
		Root:    "/home/u/repo",
		Exclude: []string{"/home/u/repo/vendor/nested", "/home/u/repo/.worktrees/b"},
		After:   commit.Add(-time.Hour),
		Until:   commit,
		Horizon: DefaultHorizon,
	}
	at := commit.Add(-time.Minute)
	tests := []struct {
		name string
		cwd  string
		at   time.Time
		want bool
	}{
		{"root", "/home/u/repo", at, true},
		{"subdirectory", "/home/u/repo/pkg/x", at, true},
		{"trailing slash", "/home/u/repo/", at, true},
		{"sibling with common prefix", "/home/u/repo-other", at, false},
		{"nested repository", "/home/u/repo/vendor/nested/x", at, false},
		{"other worktree", "/home/u/repo/.worktrees/b", at, false},
		{"outside", "/home/u", at, false},
		{"no cwd", "", at, false},
		{"at the previous cut-off", "/home/u/repo", commit.Add(-time.Hour), false},
		{"after the commit", "/home/u/repo", commit.Add(time.Second), false},
		{"exactly at the commit", "/home/u/repo", commit, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := w.Contains(Event{Cwd: tt.cwd, Time: tt.at}); got != tt.want {
				t.Fatalf("Contains(%q) = %v, want %v", tt.cwd, got, tt.want)
			}
		})
	}
}

func TestHorizon(t *testing.T) {
	commit := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w := Window{Root: "/r", Until: commit, Horizon: DefaultHorizon}
	if w.Contains(Event{Cwd: "/r", Time: commit.Add(-25 * time.Hour)}) {
		t.Fatal("event beyond the horizon was taken")
	}
	if !w.Contains(Event{Cwd: "/r", Time: commit.Add(-23 * time.Hour)}) {
		t.Fatal("event inside the horizon was not taken")
	}
	w.FoldCase = true
	if !w.Contains(Event{Cwd: "/R/x", Time: commit.Add(-time.Hour)}) {
		t.Fatal("FoldCase did not fold")
	}
}

func TestAttribute(t *testing.T) {
	ev := sampleEvents()
	w := Window{Root: "/w/repo/sub", Until: ev[2].Time}
	n, taken := Attribute(ev, w, nil)
	if len(taken) != 1 || taken[0].Key != "m:2" {
		t.Fatalf("took %+v", taken)
	}
	if n.Total.Total != 1+26447+120 || len(n.Rows) != 1 || n.Rows[0].Requests != 1 {
		t.Fatalf("note = %+v", n)
	}
}
