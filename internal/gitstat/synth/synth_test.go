package synth_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"strconv"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/gitstat/synth"
)

// TestWriteReproducible: the same options give the same bytes, another seed
// other bytes.
func TestWriteReproducible(t *testing.T) {
	hash := func(o synth.Options) ([32]byte, synth.Summary) {
		var b bytes.Buffer
		s, err := synth.Write(&b, o)
		if err != nil {
			t.Fatal(err)
		}
		if s.Bytes <= 0 || int64(b.Len()) < s.Bytes {
			t.Errorf("summary %+v for a %d-byte stream", s, b.Len())
		}
		return sha256.Sum256(b.Bytes()), s
	}
	h1, s1 := hash(synth.Options{Commits: 200, Seed: 3})
	h2, s2 := hash(synth.Options{Commits: 200, Seed: 3})
	h3, _ := hash(synth.Options{Commits: 200, Seed: 4})
	if h1 != h2 || s1 != s2 {
		t.Error("same options, different streams")
	}
	if h1 == h3 {
		t.Error("different seeds, same stream")
	}
}

// TestImport imports a history and checks with git that it has what the
// summary says: the commits of base..main, the merges, the empty commits.
func TestImport(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	git, err := gitcli.Find()
	if err != nil {
		t.Fatal(err)
	}
	sum, err := synth.Import(context.Background(), git, dir, synth.Options{Commits: 500, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	count := func(args ...string) int {
		n, err := strconv.Atoi(gittest.Git(t, dir, append([]string{"rev-list", "--count"}, args...)...))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if sum.Commits != 500 || count("synth-base..main") != 500 {
		t.Errorf("summary %d commits, git %d; want 500", sum.Commits, count("synth-base..main"))
	}
	if sum.Merges == 0 || count("--merges", "synth-base..main") != sum.Merges {
		t.Errorf("summary %d merges, git %d", sum.Merges, count("--merges", "synth-base..main"))
	}
	empty := 0
	for _, line := range strings.Split(gittest.Git(t, dir, "log", "--no-merges", "--format=%H %T %P", "synth-base..main"), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && gittest.Git(t, dir, "rev-parse", f[2]+"^{tree}") == f[1] {
			empty++
		}
	}
	if empty != sum.Empty {
		t.Errorf("summary %d empty commits, git %d", sum.Empty, empty)
	}
	// The base tree holds every kind of file.
	files := gittest.Git(t, dir, "ls-tree", "-r", "-z", "--name-only", "synth-base")
	for _, p := range []string{".gitattributes", "package-lock.json", "go.sum", "vendor/", ".pb.go", "dist/app.min.js", ".png", "docs/Guide to setup.md", "日本語"} {
		if !strings.Contains(files, p) {
			t.Errorf("base tree has no %q", p)
		}
	}
	gittest.Git(t, dir, "fsck", "--no-progress", "--connectivity-only") // fails the test on a broken history
}
