package codex

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// sampleDir is the repository's Codex sample logs (see its SOURCES.md).
var sampleDir = filepath.Join("..", "..", "..", "testdata", "sessions", "codex")

// localpushHome is used as CODEX_HOME: it holds real rollouts under sessions/.
var localpushHome = filepath.Join(sampleDir, "localpush")

// fakeEnv returns an Env with a temporary home and the given variables, so
// that no test ever looks at the real ~/.codex.
func fakeEnv(t testing.TB, vars map[string]string) tail.Env {
	t.Helper()
	return tail.Env{Home: t.TempDir(), GOOS: "linux", Getenv: func(k string) string { return vars[k] }}
}

// discover walks the source's roots like a scan does and returns the
// matching files, sorted.
func discover(t testing.TB, src tail.Source, env tail.Env) []string {
	t.Helper()
	var files []string
	for _, root := range src.Roots(env) {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return nil
				}
				return err
			}
			if d.IsDir() {
				return nil
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			if src.Match(filepath.ToSlash(rel)) {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", root, err)
		}
	}
	sort.Strings(files)
	return files
}

// result is what reading a set of files produced.
type result struct {
	raw   []attribution.Event // every event emitted, before de-duplication
	added []attribution.Event // what Dedup counted
	total attribution.Usage   // sum of added
	stats tail.Stats
}

// reader reads files through tail.ReadFile with persistent cursors and one
// Dedup, like successive scans.
type reader struct {
	t       testing.TB
	src     tail.Source
	cursors map[string]*tail.Cursor
	dedup   *attribution.Dedup
}

func newReader(t testing.TB) *reader {
	return &reader{t: t, src: Source(), cursors: map[string]*tail.Cursor{}, dedup: attribution.NewDedup()}
}

func (r *reader) read(files ...string) result {
	r.t.Helper()
	var res result
	for _, f := range files {
		cur := r.cursors[f]
		if cur == nil {
			cur = &tail.Cursor{}
			r.cursors[f] = cur
		}
		err := tail.ReadFile(r.src, f, cur, func(e attribution.Event) {
			res.raw = append(res.raw, e)
			if err := e.Usage.Validate(); err != nil {
				r.t.Errorf("%s: invalid usage %+v: %v", f, e.Usage, err)
			}
			if n, ok := r.dedup.Observe(e); ok {
				res.added = append(res.added, n)
				res.total = res.total.Add(n.Usage)
			}
		}, &res.stats)
		if err != nil {
			r.t.Fatalf("ReadFile %s: %v", f, err)
		}
	}
	return res
}

// parseBytes parses content with a fresh Parser, one line at a time. With
// roundTrip the parser is re-created from its State after every line, which
// must not change anything.
func parseBytes(t testing.TB, path string, content []byte, roundTrip bool) (events []attribution.Event, skipped int) {
	t.Helper()
	p, err := NewParser(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(content, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if err := p.Line(line, func(e attribution.Event) { events = append(events, e) }); err != nil {
			skipped++
		}
		if roundTrip {
			st, err := p.State()
			if err != nil {
				t.Fatal(err)
			}
			if p, err = NewParser(path, st); err != nil {
				t.Fatalf("restore state %s: %v", st, err)
			}
		}
	}
	return events, skipped
}

// jsonl joins records (values marshalled to JSON, or raw strings) into a
// JSONL file body.
func jsonl(t testing.TB, records ...any) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, r := range records {
		if s, ok := r.(string); ok {
			b.WriteString(s)
		} else {
			j, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(j)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sumUsage(events []attribution.Event) attribution.Usage {
	var u attribution.Usage
	for _, e := range events {
		u = u.Add(e.Usage)
	}
	return u
}

func sameEvents(t testing.TB, what string, got, want []attribution.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%s: event %d differs:\n got %+v\nwant %+v", what, i, got[i], want[i])
		}
	}
}

func keys(events []attribution.Event) string {
	var ks []string
	for _, e := range events {
		ks = append(ks, e.Key)
	}
	return strings.Join(ks, " ")
}
