package jsonfast

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// sampleDir holds the real Claude Code logs shared by the repository's tests.
const sampleDir = "../../testdata/sessions/claude-code/spotter"

// sampleLines returns the lines of the real sample logs that mention
// "usage" (the lines a Claude Code reader parses).
func sampleLines(tb testing.TB) [][]byte {
	tb.Helper()
	var lines [][]byte
	err := filepath.WalkDir(sampleDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".jsonl") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			if bytes.Contains(sc.Bytes(), []byte(`"usage"`)) {
				lines = append(lines, bytes.Clone(sc.Bytes()))
			}
		}
		return sc.Err()
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(lines) == 0 {
		tb.Fatal("no sample lines")
	}
	return lines
}

// fuzzPaths cover the shapes the readers use plus odd ones (empty keys,
// repeated names at several depths).
var fuzzPaths = []string{
	"a", "a.b", "a.b.c", "b", "", "a..b", "0",
	"type", "message", "message.id", "message.usage", "message.usage.output_tokens",
	"message.usage.speed", "requestId", "data.message.message.id", "data.message.message.usage.input_tokens",
}

var fuzzFields = MustCompile(fuzzPaths...)

// FuzzWalk checks that extraction never panics, that Extract, Get and Valid
// agree with each other, and that on input encoding/json accepts, every
// extracted field equals what encoding/json decodes at the same path.
func FuzzWalk(f *testing.F) {
	for _, s := range []string{
		`{"a":{"b":{"c":1}},"b":"x"}`,
		`{"message":{"id":"m","usage":{"output_tokens":5,"speed":"fast"}},"requestId":"r"}`,
		`{"a":1,"a":{"b":2}}`,
		`{"\u0061":"\ud83d\ude00"}`,
		`{"":{"":{"b":[]}}}`,
		`[1,{"a":2}]`,
		`{"a":"x\\\"y"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out := make([]Value, fuzzFields.Len())
		err := fuzzFields.Extract(data, out)
		if ok := Valid(data); ok != (err == nil) {
			t.Fatalf("Valid = %v but Extract error = %v", ok, err)
		}
		for i, p := range fuzzPaths {
			g, gerr := Get(data, p)
			if (gerr == nil) != (err == nil) || !bytes.Equal(g.Raw(), out[i].Raw()) {
				t.Fatalf("Get(%q) = %q, %v; Extract gave %q, %v", p, g.Raw(), gerr, out[i].Raw(), err)
			}
			// Reading a value never panics, whatever it holds.
			v := out[i]
			_, _ = v.Int64()
			_, _ = v.Bool()
			_, _ = v.StringRaw()
			_, _ = v.AppendString(nil)
		}
		if !json.Valid(data) {
			return
		}
		if err != nil {
			t.Fatalf("encoding/json accepts the input, Extract fails: %v", err)
		}
		doc, derr := decode(data)
		if derr != nil {
			t.Fatalf("encoding/json: %v", derr)
		}
		for i, p := range fuzzPaths {
			want, found := lookup(doc, p)
			checkValue(t, p, out[i], want, found)
		}
	})
}

// decode decodes b with encoding/json, keeping numbers as text.
func decode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// lookup follows path through decoded objects.
func lookup(doc any, path string) (any, bool) {
	cur := doc
	for _, seg := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func checkValue(t *testing.T, path string, v Value, want any, found bool) {
	t.Helper()
	if v.Exists() != found {
		t.Fatalf("%s: exists = %v, encoding/json found = %v", path, v.Exists(), found)
	}
	if !found {
		return
	}
	switch w := want.(type) {
	case nil:
		if v.Kind() != Null {
			t.Fatalf("%s: kind %v, want null", path, v.Kind())
		}
	case bool:
		if b, err := v.Bool(); err != nil || b != w {
			t.Fatalf("%s: Bool = %v, %v; want %v", path, b, err, w)
		}
	case string:
		s, err := v.AppendString(nil)
		if err != nil || string(s) != w {
			t.Fatalf("%s: AppendString = %q, %v; want %q", path, s, err, w)
		}
		// Without escapes and with valid UTF-8 the raw bytes are the text.
		if raw, err := v.StringRaw(); err != nil || (bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) && string(raw) != w) {
			t.Fatalf("%s: StringRaw = %q, %v", path, raw, err)
		}
	case json.Number:
		if string(v.Raw()) != string(w) {
			t.Fatalf("%s: raw %q, want %q", path, v.Raw(), w)
		}
		n, err := v.Int64()
		want, perr := strconv.ParseInt(string(w), 10, 64)
		plainInt := perr == nil && !strings.HasPrefix(string(w), "-")
		switch {
		case plainInt && (err != nil || n != want):
			t.Fatalf("%s: Int64 = %d, %v; want %d", path, n, err, want)
		case !plainInt && !errors.Is(err, ErrRange):
			t.Fatalf("%s: Int64(%s) = %d, %v; want ErrRange", path, w, n, err)
		}
	case map[string]any, []any:
		got, err := decode(v.Raw())
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: %q decodes to %v, %v; want %v", path, v.Raw(), got, err, want)
		}
	default:
		t.Fatalf("%s: unexpected decoded type %T", path, want)
	}
}
