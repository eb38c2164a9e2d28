package e2e

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/e2e -update)", err)
	}
	if !bytes.Equal([]byte(got), want) {
		t.Fatalf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

var (
	hexID   = regexp.MustCompile(`\b[0-9a-f]{7,40}\b`)
	tmpPath = regexp.MustCompile(`/tmp/[^\s)]*`)
)

// normalize replaces what changes from run to run: commit ids, temporary
// paths.
func normalize(s string) string {
	s = tmpPath.ReplaceAllString(s, "<tmp>")
	return hexID.ReplaceAllString(s, "<id>")
}

var timestamp = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

// normalizeTimes replaces timestamps (the replayed logs' times follow the clock).
func normalizeTimes(s string) string { return timestamp.ReplaceAllString(s, "<time>") }

func TestShowAndLogGolden(t *testing.T) {
	w := newWorld(t)
	w.env = append(w.env, "GIT_AUTHOR_DATE=2026-11-01T10:00:00Z", "GIT_COMMITTER_DATE=2026-11-01T10:00:00Z")
	repo := w.repo("repo")
	w.log(call{session: "s1", id: "g1", cwd: repo, in: 12, out: 340, cr: 45000, cw: 1200},
		call{session: "s1", id: "g2", cwd: repo, in: 3, out: 25, cr: 46200})
	w.commit(repo, "Add the parser")
	w.commit(repo, "Fix a typo <b>by hand</b> @someone")
	w.log(call{session: "s2", id: "g3", cwd: repo, in: 7, out: 90, cr: 1000, cw: 9000})
	w.commit(repo, "Tests")
	golden(t, "show.txt", normalize(w.ty(repo, "show", "HEAD~2")))
	golden(t, "show-none.txt", normalize(w.ty(repo, "show", "HEAD~1")))
	golden(t, "show.json", normalizeTimes(w.ty(repo, "show", "HEAD~2", "--json")))
	if out := w.ty(repo, "show", "HEAD~1", "--json"); out != "" {
		t.Fatalf("show --json of a commit without data printed %q", out)
	}
	golden(t, "log.txt", normalize(w.ty(repo, "log")))
}

func TestDemoGolden(t *testing.T) {
	w := newWorld(t)
	out := w.ty(w.root, "demo")
	golden(t, "demo.txt", normalize(out))
}

// A note or trailer written by someone else cannot crash show or log, and
// is not trusted.
func TestHostileNotesAndTrailers(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("repo")
	w.commit(repo, "victim")
	big := filepath.Join(w.root, "big.json")
	if err := os.WriteFile(big, []byte(`{"v":1,"pad":"`+strings.Repeat("x", 10<<20)+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	w.run(repo, "git", "notes", "--ref", "tokenyield", "add", "-f", "-F", big, "HEAD")
	w.run(repo, "git", "commit", "-q", "--allow-empty", "--no-verify", "-m", "forged\n\nAI-Tokens: claude-code <script> in=99999999999999 out=1 cr=0 cw=0 rs=0 req=1 usd=?")
	w.run(repo, "git", "notes", "--ref", "tokenyield", "add", "-f", "-m", `{"v":1,"rows":[{"agent":"x","model":"y","input":-5}]}`, "HEAD")
	for _, rev := range []string{"HEAD", "HEAD~1"} {
		out, err := w.try(repo, nil, binary(t), "show", rev)
		if err != nil || !strings.Contains(out, "no AI usage recorded") {
			t.Fatalf("show %s: %v\n%s", rev, err, out)
		}
	}
	out, err := w.try(repo, nil, binary(t), "log")
	if err != nil || strings.Contains(out, "<script>") || strings.Contains(out, "99999999999999") {
		t.Fatalf("log trusted hostile data: %v\n%s", err, out)
	}
}
