package gitstat_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/gitstat"
)

// testRepo is a throwaway repository built with the real git binary.
type testRepo struct {
	t   *testing.T
	dir string
}

// newRepo isolates git from the user's configuration and creates an empty
// repository on branch main.
func newRepo(t *testing.T) *testRepo {
	t.Helper()
	gittest.Isolate(t)
	return &testRepo{t: t, dir: gittest.Init(t)}
}

// git runs git in the repository and returns its trimmed output.
func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	return gittest.Git(r.t, r.dir, args...)
}

// write creates or replaces a file (slash-separated path) with content.
func (r *testRepo) write(path, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// commit stages everything and commits it (empty commits allowed) with
// message, and returns the new commit's hash.
func (r *testRepo) commit(message string) string {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "--no-verify", "-m", message)
	return r.git("rev-parse", "HEAD")
}

// gitAt returns a gitcli.Git running in dir.
func gitAt(t testing.TB, dir string) *gitcli.Git {
	t.Helper()
	g, err := gitcli.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// logOf runs gitstat.Log in dir and indexes the result by hash.
func logOf(t *testing.T, dir string, args ...string) ([]gitstat.CommitStat, map[string]gitstat.CommitStat) {
	t.Helper()
	stats, err := gitstat.Log(context.Background(), gitAt(t, dir), args)
	if err != nil {
		t.Fatalf("Log(%q): %v", args, err)
	}
	by := make(map[string]gitstat.CommitStat, len(stats))
	for _, s := range stats {
		if _, dup := by[s.SHA]; dup {
			t.Fatalf("commit %s listed twice", s.SHA)
		}
		by[s.SHA] = s
	}
	return stats, by
}

// lines is shorthand for a gitstat.Lines.
func lines(added, deleted int64) gitstat.Lines {
	return gitstat.Lines{Added: added, Deleted: deleted}
}
