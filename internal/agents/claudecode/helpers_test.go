package claudecode

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Sample locations, relative to this package.
const (
	samples     = "../../../testdata/sessions/claude-code"
	spotterRoot = samples + "/spotter" // a CLAUDE_CONFIG_DIR: holds projects/
)

// sampleFiles returns the files Source() reads for a CLAUDE_CONFIG_DIR.
func sampleFiles(t testing.TB, configDir string) []string {
	t.Helper()
	abs, err := filepath.Abs(configDir)
	if err != nil {
		t.Fatal(err)
	}
	src := Source()
	env := tail.Env{Getenv: func(k string) string {
		if k == "CLAUDE_CONFIG_DIR" {
			return abs
		}
		return ""
	}}
	var files []string
	for _, root := range src.Roots(env) {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(root, path)
			if err == nil && src.Match(filepath.ToSlash(rel)) {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) == 0 {
		t.Fatalf("no transcripts under %s", configDir)
	}
	return files
}

// result is what reading files through tail.ReadFile and one Dedup gives.
type result struct {
	Total  attribution.Usage
	Unique int // identities counted by Dedup
	Events []attribution.Event
	Stats  tail.Stats
}

// reader reads files with cursors, like the scanner does.
type reader struct {
	dedup   *attribution.Dedup
	cursors map[string]*tail.Cursor
	res     result
}

func newReader() *reader {
	return &reader{dedup: attribution.NewDedup(), cursors: map[string]*tail.Cursor{}}
}

func (r *reader) read(t testing.TB, path string) {
	t.Helper()
	cur := r.cursors[path]
	if cur == nil {
		cur = &tail.Cursor{}
		r.cursors[path] = cur
	}
	err := tail.ReadFile(Source(), path, cur, func(e attribution.Event) {
		r.res.Events = append(r.res.Events, e)
		if inc, ok := r.dedup.Observe(e); ok {
			r.res.Total = r.res.Total.Add(inc.Usage)
		}
	}, &r.res.Stats)
	if err != nil {
		t.Fatal(err)
	}
	r.res.Unique = r.dedup.Len()
}

func readAll(t testing.TB, files ...string) result {
	t.Helper()
	r := newReader()
	for _, f := range files {
		r.read(t, f)
	}
	return r.res
}

// fileLines returns the lines of a file.
func fileLines(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		lines = append(lines, bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// reference computes the usage of lines independently of the parser: a plain
// encoding/json decode of every line and the rules applied by hand. Usage
// records are assistant (or untyped) lines and subagent messages embedded in
// progress lines; synthetic and API-error messages are skipped; copies of one API
// message (same message.id, else same requestId) count once with the
// field-wise maximum.
type reference struct {
	Total  attribution.Usage
	Unique int
	Lines  int // usage-bearing lines
}

func referenceTotals(t testing.TB, lines [][]byte) reference {
	t.Helper()
	groups := map[string]attribution.Usage{}
	var ref reference
	var unkeyed attribution.Usage
	for _, line := range lines {
		var rec map[string]any
		if json.Unmarshal(line, &rec) != nil {
			continue
		}
		env, msg := rec, map[string]any(nil)
		switch rec["type"] {
		case "assistant", nil: // no type: ccusage's fixtures
			msg, _ = rec["message"].(map[string]any)
		case "progress":
			data, _ := rec["data"].(map[string]any)
			env, _ = data["message"].(map[string]any)
			msg, _ = env["message"].(map[string]any)
		}
		u, ok := msg["usage"].(map[string]any)
		if !ok || msg["model"] == "<synthetic>" || env["isApiErrorMessage"] == true {
			continue
		}
		num := func(k string) int64 {
			f, _ := u[k].(float64)
			return int64(f)
		}
		v := attribution.Usage{
			Input:      num("input_tokens"),
			Output:     num("output_tokens"),
			CacheRead:  num("cache_read_input_tokens"),
			CacheWrite: num("cache_creation_input_tokens"),
		}
		ref.Lines++
		key := ""
		if id, _ := msg["id"].(string); id != "" {
			key = "m:" + id
		} else if req, _ := env["requestId"].(string); req != "" {
			key = "r:" + req
		}
		if key == "" {
			unkeyed = unkeyed.Add(v)
			continue
		}
		groups[key] = groups[key].Max(v)
	}
	for _, v := range groups {
		ref.Total = ref.Total.Add(v)
	}
	ref.Total = ref.Total.Add(unkeyed)
	ref.Unique = len(groups)
	return ref
}

// writeFile writes data to a new file in a temporary directory.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func joinLines(lines [][]byte) []byte {
	var b bytes.Buffer
	for _, l := range lines {
		b.Write(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}
