package tokenize

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// sampleDiff has two files of code, a binary file and a new file whose
// last line has no newline. Its runs of added lines, read by hand:
//
//  1. "import (\n\t\"fmt\"\n\t\"os\"\n)\n"   (hunk 1, four lines)
//  2. "++x\n\tfmt.Println(x)\n"             (hunk 2: "+++x" is the added line "++x")
//  3. "first line\nsecond line, no newline" (new file, "\ No newline")
const sampleDiff = `diff --git a/main.go b/main.go
index 1111111..2222222 100644
--- a/main.go
+++ b/main.go
@@ -1,5 +1,7 @@
 package main

-import "fmt"
+import (
+	"fmt"
+	"os"
+)
 
 func main() {
@@ -10,3 +12,4 @@ func main() {
 	x := 1
-	x++
+++x
+	fmt.Println(x)
 }
diff --git a/logo.png b/logo.png
new file mode 100644
index 0000000..3333333
Binary files /dev/null and b/logo.png differ
diff --git a/notes.txt b/notes.txt
new file mode 100644
--- /dev/null
+++ b/notes.txt
@@ -0,0 +1,2 @@
+first line
+second line, no newline
\ No newline at end of file
`

func TestDiffTokens(t *testing.T) {
	tests := []struct {
		name   string
		diff   string
		runs   []string // the runs of added lines, counted one by one
		lines  int
		binary int
	}{
		{"sample", sampleDiff, []string{"import (\n\t\"fmt\"\n\t\"os\"\n)\n", "++x\n\tfmt.Println(x)\n", "first line\nsecond line, no newline"}, 8, 1},
		{"added lines without headers", "+foo\n+bar\n", []string{"foo\nbar\n"}, 2, 0},
		{"+++ outside a hunk is a header", "+++ b/x\n+foo\n", []string{"foo\n"}, 1, 0},
		{"removed lines do not break a run", "@@ -1,2 +1,2 @@\n+a\n-b\n+c\n-d\n", []string{"a\nc\n"}, 2, 0},
		{"context lines do", "@@ -1 +1,3 @@\n+a\n x\n+c\n", []string{"a\n", "c\n"}, 2, 0},
		{"context line without its space", "@@ -1,3 +1,4 @@\n a\n\n+b\n c\n", []string{"b\n"}, 1, 0},
		{"combined diff of a merge", "@@@ -1,3 -1,2 +1,3 @@@\n  ctx\n++both\n +one\n- gone\n", []string{"both\none\n"}, 2, 0},
		{"CRLF", "@@ -0,0 +1,2 @@\r\n+a\r\n+b\r\n", []string{"a\r\nb\r\n"}, 2, 0},
		{"no newline after a removed line", "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n", []string{"a\n"}, 1, 0},
		{"GIT binary patch", "diff --git a/x b/x\nGIT binary patch\nliteral 5\nMcmZ?wbaN\n\nliteral 0\nHcmV?d00001\n\n", nil, 0, 1},
		{"hunk counts too small", "@@ -1 +1 @@\n+a\n+b\n", []string{"a\nb\n"}, 2, 0},
		{"last line without newline", "+x", []string{"x"}, 1, 0},
		{"hunk header ends a run", "+a\n@@ -1 +1 @@\n+b\n", []string{"a\n", "b\n"}, 2, 0},
		{"empty", "", nil, 0, 0},
	}
	for _, enc := range encodings {
		e := encoder(t, enc)
		for _, tt := range tests {
			want := DiffStats{Lines: tt.lines, Binary: tt.binary}
			for _, run := range tt.runs {
				want.Tokens += e.Count(run)
				want.Bytes += int64(len(run))
			}
			got, err := e.DiffTokens(strings.NewReader(tt.diff))
			if err != nil || got != want {
				t.Errorf("%s %s: %+v, %v; want %+v", enc, tt.name, got, err, want)
			}
			// One byte per read: lines then arrive in fragments.
			if got, err := e.DiffTokens(iotest.OneByteReader(strings.NewReader(tt.diff))); err != nil || got != want {
				t.Errorf("%s %s, one byte at a time: %+v, %v", enc, tt.name, got, err)
			}
		}
	}
}

// TestDiffTokensGit runs real git: a new file (every line added) and an
// edit that appends lines, so the added text is known independently.
func TestDiffTokensGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	files := corpus(t)
	dir := t.TempDir()
	git := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "core.autocrlf=false", "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return out
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	write("edited.py", files["python.txt"])
	git("add", ".")
	git("commit", "-q", "-m", "base")
	appended := "\n\ndef extra() -> int:\n    return 42  # appended\n"
	write("edited.py", files["python.txt"]+appended)
	write("new.rs", files["rust.txt"])
	write("crlf.txt", files["crlf.txt"])
	write("blob.bin", "\x00\x01\x02binary\xff")
	git("add", ".")
	diff := git("diff", "--cached")
	for _, enc := range encodings {
		e := encoder(t, enc)
		got, err := e.DiffTokens(bytes.NewReader(diff))
		if err != nil {
			t.Fatal(err)
		}
		want := e.Count(appended) + e.Count(files["rust.txt"]) + e.Count(files["crlf.txt"])
		wantBytes := len(appended) + len(files["rust.txt"]) + len(files["crlf.txt"])
		if got.Tokens != want || got.Bytes != int64(wantBytes) || got.Binary != 1 {
			t.Errorf("%s: %+v, want %d tokens, %d bytes, 1 binary file", enc, got, want, wantBytes)
		}
	}
}

// TestDiffTokensLarge streams a 512 KB run of added code, counted exactly
// in pieces cut at split points, and a 1.2 MB added line with no split point,
// cut at 1 MiB with a count that may be off by a token or two per cut, and
// as many bytes of short lines without a split point (which must not be
// searched again for each line); the block stays bounded throughout.
func TestDiffTokensLarge(t *testing.T) {
	files := corpus(t)
	var code strings.Builder
	for code.Len() < 512<<10 {
		for _, name := range []string{"go.txt", "c.txt", "english.txt", "cjk.txt", "whitespace.txt"} {
			code.WriteString(files[name])
			code.WriteString("\n")
		}
	}
	line := strings.Repeat(`{"k":[1,2,3],"v":"x"},`, 1200_000/22) + "\n"
	for _, enc := range encodings {
		e := encoder(t, enc)
		for _, tt := range []struct {
			name    string
			text    string
			maxCuts int
		}{
			{"code", code.String(), 0},
			{"long line", line, 1},
			{"short lines without split points", strings.Repeat("})\n", 400_000), 1},
		} {
			var diff strings.Builder
			for l := range strings.Lines(tt.text) {
				diff.WriteString("+" + l)
			}
			d := diffCounter{enc: e}
			if err := d.read(strings.NewReader(diff.String())); err != nil {
				t.Fatal(err)
			}
			want := e.Count(tt.text)
			off := d.st.Tokens - want
			if d.st.Bytes != int64(len(tt.text)) || d.st.Cuts > tt.maxCuts || off < -2*d.st.Cuts || off > 2*d.st.Cuts {
				t.Errorf("%s %s: %+v; Count gives %d tokens for %d bytes", enc, tt.name, d.st, want, len(tt.text))
			}
			// Past maxBlock the block is cut before it takes another 64 KiB
			// fragment; append's growth may double that at most.
			if c := cap(d.block); c > 2*(maxBlock+readBuffer) {
				t.Errorf("%s %s: block grew to %d bytes", enc, tt.name, c)
			}
			t.Logf("%s %s: %d bytes, %d tokens (Count %d), %d cuts", enc, tt.name, len(tt.text), d.st.Tokens, want, d.st.Cuts)
		}
	}
}

// splitPoint returns the last exact split point of b, or 0.
func splitPoint(b []byte) int {
	for p := len(b) - 1; p > 0; p-- {
		if isSplit(b, p) {
			return p
		}
	}
	return 0
}

// TestSplitPoints checks that isSplit's rules are exact: at up to 300
// such points of every corpus file, the text on either side counts as much
// as the two together. The texts are windows of 400 bytes around the point,
// which test the rule as well as the whole file would, at a fraction of the
// cost.
func TestSplitPoints(t *testing.T) {
	files := corpus(t)
	for _, enc := range encodings {
		e := encoder(t, enc)
		checked := 0
		for _, name := range sortedNames(files) {
			text := files[name]
			b := []byte(text)
			for end, n := len(b), 0; n < 300; n++ {
				p := splitPoint(b[:end])
				if p <= 0 {
					break
				}
				end = p
				lo, hi := max(0, p-200), min(len(text), p+200)
				for lo > 0 && !utf8.RuneStart(text[lo]) {
					lo--
				}
				for hi < len(text) && !utf8.RuneStart(text[hi]) {
					hi++
				}
				whole := e.Count(text[lo:hi])
				if got := e.Count(text[lo:p]) + e.Count(text[p:hi]); got != whole {
					t.Errorf("%s %s: split at %d (%q|%q) counts %d, together %d", enc, name, p, text[max(lo, p-10):p], clip(text[p:hi]), got, whole)
				}
				checked++
			}
		}
		t.Logf("%s: %d split points checked", enc, checked)
		if checked < 1000 {
			t.Errorf("%s: only %d split points checked", enc, checked)
		}
	}
}

// FuzzSplitPoints checks isSplit's rules on any text, for both
// encodings.
func FuzzSplitPoints(f *testing.F) {
	f.Add("func f() {\n\treturn\n}\nx := 1\nabc def")
	f.Add("}\n//c\n'll x\nʰA b\n\n\nz \xff\nq")
	for _, s := range tricky {
		f.Add(s + "\nab cd " + s)
	}
	for _, enc := range encodings {
		encoder(f, enc)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		for _, enc := range encodings {
			e := encoder(t, enc)
			whole := e.Count(s)
			for end, n := len(b), 0; n < 20; n++ {
				p := splitPoint(b[:end])
				if p <= 0 {
					break
				}
				end = p
				if got := e.Count(s[:p]) + e.Count(s[p:]); got != whole {
					t.Fatalf("%s %q split at %d: %d, whole %d", enc, s, p, got, whole)
				}
			}
		}
	})
}

// FuzzDiffTokens feeds arbitrary bytes as a diff: no panic, and figures
// that agree with each other.
func FuzzDiffTokens(f *testing.F) {
	f.Add([]byte(sampleDiff))
	f.Add([]byte("@@@ -1,3 -1,2 +1,3 @@@\n  ctx\n++both\n +one\n- gone\n"))
	f.Add([]byte("+\xff\xfe\x00\n+<|endoftext|>\n\\\n@@ -x +y @@\n+a"))
	f.Add([]byte("@@ -0,0 +1,99999999999999999999 @@\n+a\n"))
	e := encoder(f, O200K)
	f.Fuzz(func(t *testing.T, diff []byte) {
		got, err := e.DiffTokens(bytes.NewReader(diff))
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Count(diff, []byte("\n")) + 1
		switch {
		case got.Lines < 0 || got.Lines > lines:
			t.Fatalf("%d added lines in %d lines", got.Lines, lines)
		case got.Bytes < 0 || got.Bytes > int64(len(diff)):
			t.Fatalf("%d added bytes in %d", got.Bytes, len(diff))
		case (got.Tokens == 0) != (got.Bytes == 0):
			t.Fatalf("%d tokens for %d bytes", got.Tokens, got.Bytes)
		case got.Tokens > int(got.Bytes)*3:
			t.Fatalf("%d tokens for %d bytes", got.Tokens, got.Bytes)
		}
	})
}

// TestDiffTokensReadError returns what was counted and the read error.
func TestDiffTokensReadError(t *testing.T) {
	boom := errors.New("boom")
	e := encoder(t, CL100K)
	got, err := e.DiffTokens(errorAfter{strings.NewReader("+hello world\n"), boom})
	if !errors.Is(err, boom) || got.Tokens != 3 || got.Lines != 1 { // "hello" " world" "\n"
		t.Fatalf("%+v, %v", got, err)
	}
}

// errorAfter reads r, then fails with err.
type errorAfter struct {
	r   *strings.Reader
	err error
}

func (e errorAfter) Read(p []byte) (int, error) {
	if e.r.Len() == 0 {
		return 0, e.err
	}
	return e.r.Read(p)
}
