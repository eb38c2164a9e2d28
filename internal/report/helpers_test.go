package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// t0 is the time the sample pull requests are opened.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// row is a note row; a negative usd leaves the cost unknown.
func row(agent, model, session string, u attribution.Usage, requests int64, usd float64) attribution.Row {
	r := attribution.Row{Agent: agent, Session: session, Model: model, Usage: u, Requests: requests, First: t0, Last: t0}
	if usd >= 0 {
		r.CostUSD = ptr(usd)
	}
	return r
}

// note builds a canonical note from rows, as ledger.UsageOf returns it.
func note(rows ...attribution.Row) attribution.Note {
	n := attribution.Note{V: attribution.NoteVersion, Rows: rows}
	n.Canonicalize()
	return n
}

// sha makes a deterministic 40-hex commit id from a number.
func sha(i int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 40)
	x := uint64(i)*0x9E3779B97F4A7C15 + 0x1234567
	for j := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[j] = hex[x%16]
	}
	return string(b)
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", name, got)
	}
}

// fixedTags are the only HTML constructs Markdown writes itself.
var fixedTags = []string{Marker, "<sub>", "</sub>", "<details>", "</details>", "<summary>", "</summary>"}

// checkBody asserts the safety properties every rendered body must have:
// within the limit, valid UTF-8 starting with the marker (once), no HTML
// but the fixed tags, no mention, reference or link, and tables whose rows
// all have their header's number of cells.
func checkBody(t testing.TB, body string, limit int) {
	t.Helper()
	if len(body) > limit {
		t.Fatalf("body is %d bytes, over the limit %d", len(body), limit)
	}
	if !strings.HasPrefix(body, Marker+"\n") || strings.Count(body, Marker) != 1 {
		t.Fatalf("body must start with the marker, exactly once:\n%.500s", body)
	}
	if !utf8Valid(body) {
		t.Fatal("body is not valid UTF-8")
	}
	rest := body
	for _, tag := range fixedTags {
		rest = strings.ReplaceAll(rest, tag, "")
	}
	if i := strings.IndexByte(rest, '<'); i >= 0 {
		t.Fatalf("raw '<' in body: %q", around(rest, i))
	}
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '@':
			if i+1 < len(body) && isWordByte(body[i+1]) {
				t.Fatalf("unescaped mention: %q", around(body, i))
			}
		case '#': // "&#8203;" and "&#124;" are character references
			if i+1 < len(body) && isWordByte(body[i+1]) && (i == 0 || body[i-1] != '&') {
				t.Fatalf("unescaped reference: %q", around(body, i))
			}
		}
	}
	lower := strings.ToLower(body)
	for _, bad := range []string{"://", "www.", "](", "![", "gh-1", "gh-2", "gh-3", "gh-4", "gh-5", "gh-6", "gh-7", "gh-8", "gh-9"} {
		if i := strings.Index(lower, bad); i >= 0 {
			t.Fatalf("%q in body: %q", bad, around(body, i))
		}
	}
	checkTables(t, body)
}

// checkTables asserts that every table row has as many cells as the header
// before it (cells split on '|', which escaped text never contains).
func checkTables(t testing.TB, body string) {
	t.Helper()
	cells := 0
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, "|") {
			cells = 0
			if strings.Contains(line, "|") {
				t.Fatalf("'|' outside a table row: %q", line)
			}
			continue
		}
		n := strings.Count(line, "|") - 1
		if cells == 0 {
			cells = n
			continue
		}
		if n != cells || !strings.HasSuffix(line, " |") {
			t.Fatalf("table row has %d cells, header %d: %q", n, cells, line)
		}
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func around(s string, i int) string {
	return s[max(0, i-40):min(len(s), i+40)]
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
