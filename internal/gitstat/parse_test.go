package gitstat

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/gitstat/synth"
)

const (
	shaA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	shaB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	shaC = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc" // SHA-256
)

// header is one commit's header as git prints it with logFormat and -z.
func header(sha, parents, msg string) string {
	return "\x01" + sha + "\x00" + parents + "\x00Ann\x00ann@example.com\x00" +
		"2026-01-02T03:04:05+01:00\x002026-01-02T03:04:06Z\x00" + msg + "\x00"
}

// TestParseLog feeds hand-written output to the parser: the shapes git
// prints (no diff, a diff, the rename form, binary entries, long fields)
// and broken ones, which must be errors.
func TestParseLog(t *testing.T) {
	long := strings.Repeat("m", 3*readBufferSize)
	tests := []struct {
		name    string
		in      string
		commits int
		files   int // file changes in all
		paths   []string
		lines   Lines // sum of all changes
		wantErr string
	}{
		{name: "empty output"},
		{
			name:    "commit without diff",
			in:      header(shaA, "", "msg\n"),
			commits: 1,
		},
		{
			name:    "two commits with diffs",
			in:      header(shaA, shaB, "one\n") + "\n1\t2\ta.go\x00-\t-\tb.png\x00" + header(shaB, "", "two\n") + "\n10\t0\ta.go\x00",
			commits: 2, files: 3, paths: []string{"a.go", "b.png"}, lines: Lines{11, 2},
		},
		{
			name:    "merge then commit, SHA-256",
			in:      header(shaC, shaC+" "+shaC, "merge\n") + header(shaC, "", "x") + "\n0\t0\tempty\x00",
			commits: 2, files: 1, paths: []string{"empty"},
		},
		{
			name:    "rename form",
			in:      header(shaA, "", "m\n") + "\n3\t1\t\x00old name\x00new\tname\x00",
			commits: 1, files: 1, paths: []string{"new\tname"}, lines: Lines{3, 1},
		},
		{
			name:    "path with newline, tab and marker-like bytes",
			in:      header(shaA, "", "m\n") + "\n1\t1\tx\n\x01y\t1\t2\x00",
			commits: 1, files: 1, paths: []string{"x\n\x01y\t1\t2"}, lines: Lines{1, 1},
		},
		{
			name:    "fields longer than the read buffer",
			in:      header(shaA, "", long) + "\n5\t5\t" + long + "\x00",
			commits: 1, files: 1, paths: []string{long}, lines: Lines{5, 5},
		},
		{
			name:    "missing newline before the entries is tolerated",
			in:      header(shaA, "", "m\n") + "1\t0\ta\x00",
			commits: 1, files: 1, paths: []string{"a"}, lines: Lines{1, 0},
		},
		{name: "no marker", in: shaA + "\x00", wantErr: "commit starts with"},
		{name: "truncated header", in: "\x01" + shaA + "\x00\x00Ann", wantErr: "field 3 of 7"},
		{name: "truncated entry", in: header(shaA, "", "m") + "\n1\t2\ta.go", wantErr: "unexpected EOF"},
		{name: "short hash", in: header("abc", "", "m"), wantErr: "not hexadecimal"},
		{name: "upper-case hash", in: header(strings.ToUpper(shaA), "", "m"), wantErr: "not hexadecimal"},
		{name: "bad parent", in: header(shaA, shaB+"  "+shaB, "m"), wantErr: "not a hash"},
		{name: "entry without tabs", in: header(shaA, "", "m") + "\n12 a.go\x00", wantErr: "no two tabs"},
		{name: "half binary", in: header(shaA, "", "m") + "\n-\t3\ta.go\x00", wantErr: "not numbers"},
		{name: "negative count", in: header(shaA, "", "m") + "\n-1\t3\ta.go\x00", wantErr: "not numbers"},
		{name: "absurd count", in: header(shaA, "", "m") + "\n9999999999999999999\t3\ta.go\x00", wantErr: "not numbers"},
		{name: "empty path", in: header(shaA, "", "m") + "\n1\t1\t\x00old\x00\x00", wantErr: "empty path"},
		{name: "rename cut short", in: header(shaA, "", "m") + "\n1\t1\t\x00old\x00", wantErr: "rename destination"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCollector()
			// One byte at a time: every boundary falls mid-field somewhere.
			err := parseLog(iotest.OneByteReader(strings.NewReader(tt.in)), c)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(c.commits) != tt.commits || len(c.changes) != tt.files {
				t.Errorf("%d commits, %d changes; want %d, %d", len(c.commits), len(c.changes), tt.commits, tt.files)
			}
			if tt.paths != nil && strings.Join(c.paths, "|") != strings.Join(tt.paths, "|") {
				t.Errorf("paths %q, want %q", c.paths, tt.paths)
			}
			var sum Lines
			for _, fc := range c.changes {
				sum = sum.Add(fc.lines)
			}
			if sum != tt.lines {
				t.Errorf("lines %+v, want %+v", sum, tt.lines)
			}
		})
	}
}

// TestParseHeader checks each header field lands where it belongs.
func TestParseHeader(t *testing.T) {
	c := newCollector()
	in := header(shaA, shaB+" "+shaB, "subject\n\nbody\n") + "\n2\t1\tvendor/x.go\x00-\t-\ti.png\x00-\t-\tbun.lockb\x001\t1\tmain.go\x00"
	if err := parseLog(strings.NewReader(in), c); err != nil {
		t.Fatal(err)
	}
	stats := c.finish([]Class{Vendored, Code, Lock, Code})
	s := stats[0]
	if s.SHA != shaA || len(s.Parents) != 2 || s.AuthorName != "Ann" || s.AuthorEmail != "ann@example.com" ||
		s.Message != "subject\n\nbody\n" || s.Subject() != "subject" {
		t.Errorf("header: %+v", s)
	}
	if got := s.AuthorTime.Format("2006-01-02T15:04:05-07:00"); got != "2026-01-02T03:04:05+01:00" {
		t.Errorf("AuthorTime = %s", got)
	}
	if got := s.CommitTime.UTC().Format("15:04:05"); got != "03:04:06" {
		t.Errorf("CommitTime = %v", s.CommitTime)
	}
	// i.png is Code by name and binary, so Binary; bun.lockb stays Lock.
	if s.Files != 4 || s.BinaryFiles != 2 || s.Code != (Lines{1, 1}) ||
		s.Excluded[Vendored] != (Lines{2, 1}) || s.Excluded[Binary] != (Lines{}) || s.Excluded[Lock] != (Lines{}) || len(s.Excluded) != 3 {
		t.Errorf("counts: %+v", s)
	}
}

// TestParseTime: a date git could not print strictly is the zero time, not
// an error.
func TestParseTime(t *testing.T) {
	c := newCollector()
	in := strings.Replace(header(shaA, "", "m"), "2026-01-02T03:04:05+01:00", "garbage", 1)
	if err := parseLog(strings.NewReader(in), c); err != nil {
		t.Fatal(err)
	}
	if !c.commits[0].AuthorTime.IsZero() || c.commits[0].CommitTime.IsZero() {
		t.Errorf("times %v, %v", c.commits[0].AuthorTime, c.commits[0].CommitTime)
	}
}

func TestParseCheckAttr(t *testing.T) {
	trip := func(p, a, v string) string { return p + "\x00" + a + "\x00" + v + "\x00" }
	paths := []string{"a", "b\nc", "d"}
	good := trip("a", attrGenerated, "set") + trip("a", attrVendored, "unspecified") +
		trip("b\nc", attrGenerated, "false") + trip("b\nc", attrVendored, "true") +
		trip("d", attrGenerated, "unset") + trip("d", attrVendored, "other")
	got, err := parseCheckAttr([]byte(good), paths)
	if err != nil {
		t.Fatal(err)
	}
	want := []linguist{{generated: yes}, {generated: no, vendored: yes}, {generated: no}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("path %q: %+v, want %+v", paths[i], got[i], want[i])
		}
	}
	withoutD, _, _ := strings.Cut(good, trip("d", attrGenerated, "unset"))
	bad := []struct{ name, raw, want string }{
		{"no trailing NUL", strings.TrimSuffix(good, "\x00"), "does not end"},
		{"missing path", withoutD, "fields for 3 paths"},
		{"other path", strings.Replace(good, trip("d", attrGenerated, "unset"), trip("e", attrGenerated, "unset"), 1), `answered for "e"`},
		{"other attribute", strings.Replace(good, attrVendored+"\x00other", "diff\x00other", 1), "not asked for"},
	}
	for _, tt := range bad {
		if _, err := parseCheckAttr([]byte(tt.raw), paths); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// FuzzParseLog: any input is parsed or rejected with an error, never a
// panic; what is accepted is consistent (every change belongs to a commit,
// every path id is valid) and survives finish.
func FuzzParseLog(f *testing.F) {
	f.Add([]byte(header(shaA, shaB, "one\n") + "\n1\t2\ta.go\x00-\t-\tb.png\x00" + header(shaB, "", "two\n") + "\n10\t0\ta.go\x00"))
	f.Add([]byte(header(shaA, "", "m\n") + "\n3\t1\t\x00old name\x00new\tname\x00"))
	f.Add([]byte(header(shaC, shaC+" "+shaC, "merge\n")))
	f.Add([]byte(header(shaA, "", "m") + "\n-\t3\ta.go\x00"))
	f.Add([]byte("\x01\x00\x00\x00\x00\x00\x00\x00\n\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		c := newCollector()
		if err := parseLog(bytes.NewReader(in), c); err != nil {
			return
		}
		if len(c.changes) > 0 && len(c.commits) == 0 {
			t.Fatal("changes without a commit")
		}
		classes := make([]Class, len(c.paths))
		for i, p := range c.paths {
			classes[i] = Classify(p)
		}
		stats := c.finish(classes)
		files := 0
		for _, s := range stats {
			files += s.Files
			if s.Code.Added < 0 || s.Code.Deleted < 0 {
				t.Fatalf("negative counts %+v", s.Code)
			}
		}
		if files != len(c.changes) {
			t.Fatalf("%d files counted, %d changes parsed", files, len(c.changes))
		}
	})
}

// BenchmarkParseLog times the parser alone (no git) on the output of Log's
// git command over a synthetic 1,000-commit range: the Go side of Log.
func BenchmarkParseLog(b *testing.B) {
	gittest.Isolate(b)
	dir := gittest.Init(b)
	git, err := gitcli.Find()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := synth.Import(context.Background(), git, dir, synth.Options{Commits: 1000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	g := &gitcli.Git{Path: git, Dir: dir}
	out, err := g.RunInput(context.Background(), revInput([]string{"synth-base..main"}), logArgs()...)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	for b.Loop() {
		c := newCollector()
		if err := parseLog(bytes.NewReader(out), c); err != nil {
			b.Fatal(err)
		}
		c.finish(make([]Class, len(c.paths)))
	}
}
