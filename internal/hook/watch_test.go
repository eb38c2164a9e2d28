package hook

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The watch fragment, sourced by sh, fails only when a listed path is newer
// than the stamp; odd paths are quoted safely.
func TestWatchScript(t *testing.T) {
	dir := t.TempDir()
	stampDir := filepath.Join(dir, ".git", "tokenyield")
	if err := os.MkdirAll(stampDir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "it's old $(touch x)")
	newer := filepath.Join(dir, "new")
	for _, p := range []string{old, newer, filepath.Join(stampDir, "watch.stamp")} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Now().Add(-time.Hour)
	_ = os.Chtimes(old, t0, t0)
	_ = os.Chtimes(filepath.Join(stampDir, "watch.stamp"), t0.Add(time.Minute), t0.Add(time.Minute))
	run := func(paths ...string) bool {
		if err := os.WriteFile(filepath.Join(stampDir, "watch.sh"), []byte(WatchScript(paths)), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("sh", "-c", ". ./.git/tokenyield/watch.sh && tokenyield_watch")
		cmd.Dir = dir
		return cmd.Run() == nil
	}
	if !run(old) {
		t.Fatal("an old path was reported as changed")
	}
	if run(old, newer) {
		t.Fatal("a newer path was not reported")
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Fatal("a path was executed, not quoted")
	}
}
