package gen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestGenerate checks that every line is valid JSON, that streamed copies of
// a response agree except for a rising output count, and that the totals
// recomputed from the files equal what Generate reported.
func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	tree, err := Generate(dir, 3_000_000, 7)
	if err != nil {
		t.Fatal(err)
	}
	type vec struct{ in, out, cr, cw int64 }
	best := map[[2]string]vec{}
	var got Totals
	var files int
	err = filepath.WalkDir(filepath.Join(dir, "projects"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !bytes.HasSuffix(data, []byte("\n")) {
			t.Errorf("%s: no final newline", p)
		}
		got.Bytes += int64(len(data))
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			got.Lines++
			line := sc.Bytes()
			if !utf8.Valid(line) {
				t.Fatalf("%s: invalid UTF-8: %s", p, line)
			}
			var l struct {
				Type      string `json:"type"`
				Cwd       string `json:"cwd"`
				RequestID string `json:"requestId"`
				Message   struct {
					ID    string `json:"id"`
					Usage *struct {
						In            int64 `json:"input_tokens"`
						Out           int64 `json:"output_tokens"`
						CR            int64 `json:"cache_read_input_tokens"`
						CW            int64 `json:"cache_creation_input_tokens"`
						CacheCreation struct {
							M5 int64 `json:"ephemeral_5m_input_tokens"`
							H1 int64 `json:"ephemeral_1h_input_tokens"`
						} `json:"cache_creation"`
					} `json:"usage"`
				} `json:"message"`
			}
			if err := json.Unmarshal(line, &l); err != nil {
				t.Fatalf("%s: %v: %s", p, err, line)
			}
			if l.Type != "assistant" {
				continue
			}
			u := l.Message.Usage
			if u == nil || l.Cwd == "" || l.RequestID == "" || l.Message.ID == "" {
				t.Fatalf("%s: incomplete assistant line: %s", p, line)
			}
			if u.CacheCreation.M5+u.CacheCreation.H1 != u.CW {
				t.Errorf("%s: cache_creation split does not add up: %s", p, line)
			}
			got.UsageLines++
			k := [2]string{l.Message.ID, l.RequestID}
			v := vec{u.In, u.Out, u.CR, u.CW}
			if prev, ok := best[k]; ok && (prev.in != v.in || prev.cr != v.cr || prev.cw != v.cw || v.out < prev.out) {
				t.Errorf("%s: copies of %v disagree: %v then %v", p, k, prev, v)
			}
			best[k] = v
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for k, v := range best {
		if ids[k[0]] {
			t.Errorf("message id %s used by two requests", k[0])
		}
		ids[k[0]] = true
		got.Input += v.in
		got.Output += v.out
		got.CacheRead += v.cr
		got.CacheWrite += v.cw
	}
	got.Responses = int64(len(best))
	want := tree.Totals
	want.First, want.Last = got.First, got.Last
	if got != want {
		t.Errorf("recomputed %+v\nreported   %+v", got, want)
	}
	if files != tree.Files+tree.Subagents {
		t.Errorf("%d files, reported %d+%d", files, tree.Files, tree.Subagents)
	}
	if tree.Bytes < 2_900_000 || tree.Bytes > 3_100_000 {
		t.Errorf("asked for 3 MB, wrote %d bytes", tree.Bytes)
	}
	m, err := ReadManifest(dir)
	if err != nil || m.Totals != tree.Totals {
		t.Errorf("manifest %+v, %v", m, err)
	}
	if _, err := Generate(dir, 1000, 7); err == nil {
		t.Error("Generate wrote into an existing projects directory")
	}
}

func TestDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if _, err := Generate(a, 1_000_000, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(b, 1_000_000, 3); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := filepath.WalkDir(filepath.Join(a, "projects"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed (%v)", rel, err)
		}
		n++
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("walked %d files: %v", n, err)
	}
}

func TestCutEscaped(t *testing.T) {
	for _, s := range append(snippets, strings.Repeat("é\\\"\n", 20)) {
		esc := escape(s)
		for n := 0; n <= len(esc)+1; n++ {
			cut := cutEscaped(esc, n)
			if len(cut) > n {
				t.Fatalf("cut to %d gave %d bytes", n, len(cut))
			}
			var out string
			if err := json.Unmarshal([]byte(`"`+string(cut)+`"`), &out); err != nil || !utf8.ValidString(string(cut)) {
				t.Fatalf("cut %q at %d: %q is not valid (%v)", s, n, cut, err)
			}
		}
	}
}
