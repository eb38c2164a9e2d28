package tail

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/tokenyield/tokenyield/attribution"
)

// lineParser emits one event per line "key=N"; other lines are errors. Its
// state counts the lines seen, to check that state survives resumption.
type lineParser struct{ seen int }

func (p *lineParser) Line(line []byte, emit func(attribution.Event)) error {
	k, v, ok := bytes.Cut(line, []byte("="))
	if !ok {
		return errors.New("bad line")
	}
	p.seen++
	emit(attribution.Event{Agent: "test", Key: string(k), Usage: attribution.Usage{Output: int64(len(v))}})
	return nil
}

func (p *lineParser) State() ([]byte, error) { return []byte(strings.Repeat("x", p.seen)), nil }

func testSource() Source {
	return Source{
		Agent: "test",
		Match: func(string) bool { return true },
		NewParser: func(_ string, state []byte) (Parser, error) {
			return &lineParser{seen: len(state)}, nil
		},
	}
}

type reader struct {
	t     *testing.T
	path  string
	cur   Cursor
	stats Stats
}

func (r *reader) read() []string {
	r.t.Helper()
	var keys []string
	err := ReadFile(testSource(), r.path, &r.cur, func(e attribution.Event) { keys = append(keys, e.Key) }, &r.stats)
	if err != nil {
		r.t.Fatalf("ReadFile: %v", err)
	}
	return keys
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
}

func TestIncrementalRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.jsonl")
	write(t, path, "a=1\nb=22\nc=3") // c is half-written
	r := &reader{t: t, path: path}
	if got := strings.Join(r.read(), ","); got != "a,b" {
		t.Fatalf("first read = %q, want a,b (partial line left)", got)
	}
	if got := r.read(); len(got) != 0 {
		t.Fatalf("unchanged file re-read: %v", got)
	}
	appendTo(t, path, "33\r\nd=4\n")
	if got := strings.Join(r.read(), ","); got != "c,d" {
		t.Fatalf("second read = %q, want c,d", got)
	}
	if string(r.cur.State) != "xxxx" {
		t.Fatalf("parser state not carried across reads: %q", r.cur.State)
	}
	if r.stats.Rewrites != 0 || r.stats.Lines != 4 {
		t.Fatalf("stats = %+v", r.stats)
	}
}

func TestRewriteDetection(t *testing.T) {
	tests := []struct {
		name    string
		rewrite func(t *testing.T, path string)
		want    string
	}{
		{"truncated", func(t *testing.T, path string) { write(t, path, "z=1\n") }, "z"},
		{"same size, different content", func(t *testing.T, path string) {
			write(t, path, "q=1\nr=22\n")
			past := time.Now().Add(time.Minute)
			_ = os.Chtimes(path, past, past)
		}, "q,r"},
		{"replaced by a new file", func(t *testing.T, path string) {
			tmp := path + ".new"
			write(t, tmp, "a=1\nb=22\nc=3\n")
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		}, "a,b,c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log.jsonl")
			write(t, path, "a=1\nb=22\n")
			r := &reader{t: t, path: path}
			r.read()
			tt.rewrite(t, path)
			if got := strings.Join(r.read(), ","); got != tt.want {
				t.Fatalf("after rewrite read %q, want %q", got, tt.want)
			}
			if r.stats.Rewrites != 1 {
				t.Fatalf("rewrites = %d, want 1", r.stats.Rewrites)
			}
			if string(r.cur.State) != strings.Repeat("x", strings.Count(tt.want, ",")+1) {
				t.Fatalf("state not reset on rewrite: %q", r.cur.State)
			}
		})
	}
}

func TestLongAndBadLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.jsonl")
	long := "big=" + strings.Repeat("y", MaxLineBytes+10)
	write(t, path, "a=1\nnot a record\n"+long+"\n\xff\xfe=2\nb=2\n")
	r := &reader{t: t, path: path}
	got := r.read()
	if strings.Join(got, ",") != "a,\xff\xfe,b" {
		t.Fatalf("keys = %q", got)
	}
	if r.stats.LongLines != 1 || r.stats.Skipped != 1 {
		t.Fatalf("stats = %+v", r.stats)
	}
}

func TestZstd(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log.jsonl.zst")
	compress := func(data string) {
		var buf bytes.Buffer
		w, err := zstd.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(data))
		_ = w.Close()
		if err := os.WriteFile(path+".tmp", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			t.Fatal(err)
		}
	}
	compress("a=1\nb=2\n")
	r := &reader{t: t, path: path}
	if got := strings.Join(r.read(), ","); got != "a,b" {
		t.Fatalf("zst read = %q", got)
	}
	compress("a=1\nb=2\nc=3\n") // recompressed with more lines: new inode
	if got := strings.Join(r.read(), ","); got != "a,b,c" {
		t.Fatalf("zst re-read = %q (dedup makes the repeats harmless)", got)
	}
	write(t, path, "not zstd")
	var keys []string
	err := ReadFile(testSource(), path, &r.cur, func(e attribution.Event) { keys = append(keys, e.Key) }, &r.stats)
	if err == nil && len(keys) > 0 {
		t.Fatalf("corrupt zst produced %v", keys)
	}
}

func TestUnreadable(t *testing.T) {
	var st Stats
	var cur Cursor
	err := ReadFile(testSource(), filepath.Join(t.TempDir(), "missing"), &cur, func(attribution.Event) {}, &st)
	if err == nil || st.Errors != 1 {
		t.Fatalf("missing file: err=%v stats=%+v", err, st)
	}
}

func TestEnv(t *testing.T) {
	e := Env{Home: "/h", Getenv: func(k string) string { return map[string]string{"A": "1"}[k] }}
	if e.Get("A") != "1" || e.Get("B") != "" || (Env{}).Get("A") != "" {
		t.Fatal("Get")
	}
	if e.InHome(".x", "y") != filepath.Join("/h", ".x", "y") || (Env{}).InHome("x") != "" {
		t.Fatal("InHome")
	}
}
