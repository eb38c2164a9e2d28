package scan

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// kvParser reads lines "key output minute" into events.
type kvParser struct{}

func (kvParser) Line(line []byte, emit func(attribution.Event)) error {
	f := strings.Fields(string(line))
	if len(f) != 3 {
		return errors.New("bad line")
	}
	out, err1 := strconv.ParseInt(f[1], 10, 64)
	minute, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil {
		return errors.New("bad number")
	}
	emit(attribution.Event{Agent: "kv", Key: f[0], Time: t0.Add(time.Duration(minute) * time.Minute), Usage: attribution.Usage{Output: out}})
	return nil
}

func (kvParser) State() ([]byte, error) { return nil, nil }

func kvSource(root string) tail.Source {
	return tail.Source{
		Agent:     "kv",
		Roots:     func(tail.Env) []string { return []string{root, root, filepath.Join(root, "missing")} },
		Match:     func(rel string) bool { return strings.HasSuffix(rel, ".log") },
		NewParser: func(string, []byte) (tail.Parser, error) { return kvParser{}, nil },
	}
}

func mustWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sumOutput(ev []attribution.Event) (n int64) {
	for _, e := range ev {
		n += e.Usage.Output
	}
	return n
}

func TestScanDedupAcrossFilesAndRuns(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "a/s1.log"), "r1 10 1\nr1 30 2\nr2 5 3\n")
	mustWrite(t, filepath.Join(root, "b/copy.log"), "r1 30 2\nr2 5 3\n") // a resumed copy
	mustWrite(t, filepath.Join(root, "b/ignored.txt"), "r9 100 1\n")
	if err := os.Symlink(root, filepath.Join(root, "a", "loop")); err != nil {
		t.Fatal(err)
	}
	src := []tail.Source{kvSource(root)}
	st := NewState()
	res := Scan(context.Background(), tail.Env{}, src, st, Options{Workers: 2})
	if got := sumOutput(res.Events); got != 35 {
		t.Fatalf("first scan output = %d, want 35 (r1 max 30 + r2 5)", got)
	}
	if s := res.Stats["kv"]; s.Files != 2 || s.Lines != 5 {
		t.Fatalf("stats = %+v (symlink loop must not duplicate files)", s)
	}
	if len(res.Roots["kv"]) != 1 {
		t.Fatalf("roots = %v, want the one existing root once", res.Roots["kv"])
	}

	// Persist, append, rescan: only the new usage comes back.
	statePath := filepath.Join(t.TempDir(), "state")
	if err := Save(statePath, st, t0, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(filepath.Join(root, "a/s1.log"), os.O_APPEND|os.O_WRONLY, 0)
	_, _ = f.WriteString("r2 9 4\nr3 1 5\nbroken\n")
	_ = f.Close()
	st2, err := Load(statePath)
	if err != nil {
		t.Fatal(err)
	}
	res = Scan(context.Background(), tail.Env{}, src, st2, Options{})
	if got := sumOutput(res.Events); got != 5 {
		t.Fatalf("incremental output = %d, want 5 (r2 grew by 4, r3 is 1)", got)
	}
	if res.Stats["kv"].Skipped != 1 || res.Stats["kv"].Read != 1 {
		t.Fatalf("incremental stats = %+v", res.Stats["kv"])
	}

	// Deleting a file forgets its cursor.
	if err := os.Remove(filepath.Join(root, "b/copy.log")); err != nil {
		t.Fatal(err)
	}
	Scan(context.Background(), tail.Env{}, src, st2, Options{})
	if len(st2.Cursors) != 1 {
		t.Fatalf("cursors = %d, want 1 after a file vanished", len(st2.Cursors))
	}
}

func TestFloorIgnoresForgottenHistory(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "s.log"), "old 10 0\nnew 1 100\n")
	st := NewState()
	st.Floor = t0.Add(time.Minute)
	res := Scan(context.Background(), tail.Env{}, []tail.Source{kvSource(root)}, st, Options{})
	if sumOutput(res.Events) != 1 || res.Stale != 1 {
		t.Fatalf("events %+v stale %d", res.Events, res.Stale)
	}
}

func TestStatePersistence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "state")
	st := NewState()
	st.Cursors["kv\x00/x"] = &tail.Cursor{Size: 10, Offset: 8, State: []byte(`{"a":1}`)}
	st.Dedup.Observe(attribution.Event{Agent: "kv", Key: "k1", Time: t0, Usage: attribution.Usage{Output: 3}})
	st.Dedup.Observe(attribution.Event{Agent: "kv", Key: "ancient", Time: t0.AddDate(0, -3, 0), Usage: attribution.Usage{Output: 3}})
	if err := Save(path, st, t0, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Dedup.Len() != 1 {
		t.Fatalf("identities = %d, want 1 (the ancient one pruned)", got.Dedup.Len())
	}
	if u, ok := got.Dedup.Seen("kv", "k1"); !ok || u.Output != 3 {
		t.Fatalf("Seen = %+v %v", u, ok)
	}
	if c := got.Cursors["kv\x00/x"]; c == nil || c.Offset != 8 || !bytes.Equal(c.State, []byte(`{"a":1}`)) {
		t.Fatalf("cursor = %+v", c)
	}
	if !got.Floor.Equal(t0.Add(-DefaultRetention)) {
		t.Fatalf("floor = %v", got.Floor)
	}

	// Missing: empty state, no error. Damaged: empty state and an error.
	if s, err := Load(filepath.Join(dir, "none")); err != nil || s.Dedup.Len() != 0 {
		t.Fatalf("missing state: %v", err)
	}
	data, _ := os.ReadFile(path)
	for _, bad := range [][]byte{[]byte("garbage"), data[:len(data)-5], append([]byte(stateMagic), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)} {
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Load(path)
		if err == nil || s == nil || s.Dedup.Len() != 0 {
			t.Fatalf("damaged state accepted: %v", err)
		}
	}
}

func TestQuickScan(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "a/hot.log"), "h1 1 1\n")
	mustWrite(t, filepath.Join(root, "a/cold.log"), "c1 1 1\n")
	old := time.Now().Add(-72 * time.Hour)
	if err := os.Chtimes(filepath.Join(root, "a/cold.log"), old, old); err != nil {
		t.Fatal(err)
	}
	src := []tail.Source{kvSource(root)}
	st := NewState()
	res := Scan(context.Background(), tail.Env{}, src, st, Options{Quick: true})
	if res.Quick || sumOutput(res.Events) != 2 || st.FullWalk.IsZero() || len(st.Dirs) != 2 {
		t.Fatalf("first scan must be full: quick=%v events=%v dirs=%v", res.Quick, res.Events, st.Dirs)
	}
	// Survives a save and load.
	statePath := filepath.Join(t.TempDir(), "state")
	if err := Save(statePath, st, time.Now(), DefaultRetention); err != nil {
		t.Fatal(err)
	}
	st, err := Load(statePath)
	if err != nil || len(st.Dirs) != 2 {
		t.Fatalf("load: %v dirs %v", err, st.Dirs)
	}
	st.Floor = time.Time{}                            // the kv events are dated 2026-03-01
	time.Sleep(dirRecentGrace + 100*time.Millisecond) // let the listings be trusted
	st.FullWalk = time.Now()
	Scan(context.Background(), tail.Env{}, src, st, Options{Quick: true}) // re-record trusted mtimes

	appendLine := func(p, line string) {
		f, err := os.OpenFile(filepath.Join(root, p), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = f.WriteString(line)
		_ = f.Close()
	}
	appendLine("a/hot.log", "h2 10 2\n")
	appendLine("a/cold.log", "c2 100 2\n")
	if err := os.Chtimes(filepath.Join(root, "a/cold.log"), old, old); err != nil {
		t.Fatal(err) // an append that kept an old mtime: only a full walk sees it
	}
	mustWrite(t, filepath.Join(root, "a/new.log"), "n1 1000 3\n")
	mustWrite(t, filepath.Join(root, "b/deep/newdir.log"), "d1 10000 3\n")
	res = Scan(context.Background(), tail.Env{}, src, st, Options{Quick: true})
	if !res.Quick || sumOutput(res.Events) != 11010 {
		t.Fatalf("quick scan: quick=%v output=%d, want 11010 (hot append, new file, new directory)", res.Quick, sumOutput(res.Events))
	}
	// The next full walk finds the cold file's append, and nothing twice.
	st.FullWalk = time.Now().Add(-FullWalkEvery - time.Second)
	res = Scan(context.Background(), tail.Env{}, src, st, Options{Quick: true})
	if res.Quick || sumOutput(res.Events) != 100 {
		t.Fatalf("full walk after quick scans: quick=%v output=%d, want 100", res.Quick, sumOutput(res.Events))
	}
}

// A source's single files (Files) are read in full and quick scans alike,
// with the source's own reader (Read), and a file that disappears loses its
// cursor at the next full walk.
func TestSingleFilesAndOwnReader(t *testing.T) {
	dir := t.TempDir()
	single := filepath.Join(dir, "repo", "history.log")
	mustWrite(t, single, "s1 5 1\n")
	missing := filepath.Join(dir, "missing.log")
	mustWrite(t, filepath.Join(dir, "logs", "a.log"), "a1 100 1\n")
	var reads atomic.Int32 // Read runs on the scan's workers
	src := kvSource(filepath.Join(dir, "logs"))
	src.Files = func(tail.Env) []string { return []string{single, missing, ""} }
	src.Read = func(path string, cur *tail.Cursor, emit func(attribution.Event), st *tail.Stats) error {
		reads.Add(1)
		return tail.ReadFile(src, path, cur, emit, st)
	}
	st := NewState()
	res := Scan(context.Background(), tail.Env{}, []tail.Source{src}, st, Options{Quick: true})
	if sumOutput(res.Events) != 105 || reads.Load() != 2 || !slices.Equal(res.Files, []string{single, missing}) {
		t.Fatalf("first scan: output %d, reads %d, files %v", sumOutput(res.Events), reads.Load(), res.Files)
	}
	f, err := os.OpenFile(single, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("s2 7 2\n")
	_ = f.Close()
	res = Scan(context.Background(), tail.Env{}, []tail.Source{src}, st, Options{Quick: true})
	if !res.Quick || sumOutput(res.Events) != 7 {
		t.Fatalf("quick scan: quick=%v output %d, want 7", res.Quick, sumOutput(res.Events))
	}
	if err := os.Remove(single); err != nil {
		t.Fatal(err)
	}
	Scan(context.Background(), tail.Env{}, []tail.Source{src}, st, Options{})
	if len(st.Cursors) != 1 {
		t.Fatalf("cursors left for a removed file: %v", st.Cursors)
	}
}

// A root that did not exist at the last full walk (a tool used for the first
// time) is walked in full by the next quick scan, and reported missing until
// it exists, so that a watch can include it.
func TestQuickScanNewRoot(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	mustWrite(t, filepath.Join(a, "x.log"), "a1 1 1\n")
	src := kvSource(a)
	src.Roots = func(tail.Env) []string { return []string{a, b} }
	st := NewState()
	res := Scan(context.Background(), tail.Env{}, []tail.Source{src}, st, Options{Quick: true})
	if res.Quick || sumOutput(res.Events) != 1 || !slices.Equal(res.Missing, []string{b}) {
		t.Fatalf("first scan: quick=%v output %d missing %v", res.Quick, sumOutput(res.Events), res.Missing)
	}
	mustWrite(t, filepath.Join(b, "deep", "y.log"), "b1 10 2\n")
	res = Scan(context.Background(), tail.Env{}, []tail.Source{src}, st, Options{Quick: true})
	if !res.Quick || sumOutput(res.Events) != 10 || len(res.Missing) != 0 {
		t.Fatalf("quick scan after the new root: quick=%v output %d missing %v, want 10 from b", res.Quick, sumOutput(res.Events), res.Missing)
	}
	// Known from now on: the next quick scan reads only what changes.
	res = Scan(context.Background(), tail.Env{}, []tail.Source{src}, st, Options{Quick: true})
	if sumOutput(res.Events) != 0 {
		t.Fatalf("third scan counted again: %d", sumOutput(res.Events))
	}
}
