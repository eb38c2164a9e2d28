package gitstat_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/gitstat"
)

// want is what a commit of TestLog must count.
type want struct {
	code          gitstat.Lines
	excluded      map[gitstat.Class]gitstat.Lines
	files, binary int
}

// TestLog builds a history one commit per row with the real git and checks
// each commit's counts. The expected numbers are counted by hand from the
// contents written: a file added with n lines is +n, deleted −n; a moved
// file is −n +n (no rename detection, although the repository's config asks
// for it); an edit is (new lines − common lines, old lines − common lines).
func TestLog(t *testing.T) {
	r := newRepo(t)
	r.git("config", "diff.renames", "copies") // must not matter: Log passes --no-renames
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01"

	steps := []struct {
		name string
		do   func()
		skip bool
		want want
	}{
		{
			name: "root commit: two files added",
			do: func() {
				r.write("main.go", "package main\n\nfunc main() {}\n") // 3 lines
				r.write("README.md", "# t\nhello\n")                   // 2 lines
			},
			want: want{code: lines(5, 0), files: 2},
		},
		{
			name: "edit: 3 of 5 new lines are new, 1 of 3 old lines went",
			do: func() {
				r.write("main.go", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println() }\n")
			},
			want: want{code: lines(3, 1), files: 1},
		},
		{
			name: "delete",
			do:   func() { r.git("rm", "-q", "README.md") },
			want: want{code: lines(0, 2), files: 1},
		},
		{
			name: "rename counts as delete and add",
			do: func() {
				r.write("cmd/app/.keep", "")
				r.git("mv", "main.go", "cmd/app/main.go")
			},
			// .keep is an empty file: a file, no lines.
			want: want{code: lines(5, 5), files: 3},
		},
		{
			name: "binary file",
			do:   func() { r.write("assets/logo.png", png) },
			want: want{excluded: map[gitstat.Class]gitstat.Lines{gitstat.Binary: {}}, files: 1, binary: 1},
		},
		{
			name: "lock, vendored and generated files",
			do: func() {
				r.write("package-lock.json", "{\n  \"lockfileVersion\": 3\n}\n\n") // 4
				r.write("go.sum", "a v1 h1:x=\na v1/go.mod h1:y=\n")               // 2
				r.write("bun.lockb", "\x00\x01binary lock")                        // binary, stays Lock
				r.write("vendor/github.com/x/y.go", "package y\n\nvar Y = 1\n")    // 3
				r.write("node_modules/a/index.js", "module.exports = 1\n")         // 1
				r.write("api/v1/a.pb.go", "package v1\n1\n2\n3\n4\n")              // 5
				r.write("dist/app.js", "x\ny\n")                                   // 2
				r.write("web/app.min.js", "var a=1;\n")                            // 1
				r.write("src/x.go", "package src\n")                               // 1
			},
			want: want{
				code: lines(1, 0),
				excluded: map[gitstat.Class]gitstat.Lines{
					gitstat.Lock:      lines(6, 0),
					gitstat.Vendored:  lines(4, 0),
					gitstat.Generated: lines(8, 0),
				},
				files: 9, binary: 1,
			},
		},
		{
			name: "edits of excluded files",
			do: func() {
				r.write("package-lock.json", "{\n  \"lockfileVersion\": 4\n}\n\n")
				r.write("assets/logo.png", png+"\x00more")
			},
			want: want{
				excluded: map[gitstat.Class]gitstat.Lines{gitstat.Lock: lines(1, 1), gitstat.Binary: {}},
				files:    2, binary: 1,
			},
		},
		{
			name: "empty commit",
			do:   func() {},
			want: want{},
		},
		{
			name: "unicode and spaces in paths",
			do: func() {
				r.write("docs/naïve café/日本 語.md", "一\n二\n")
				r.write("path with  spaces.txt", "x\n")
				r.write("vendor/ü ber/x.go", "package x\n")
			},
			want: want{code: lines(3, 0), excluded: map[gitstat.Class]gitstat.Lines{gitstat.Vendored: lines(1, 0)}, files: 3},
		},
		{
			name: "newline, tab, quote and backslash in paths",
			skip: runtime.GOOS == "windows",
			do: func() {
				r.write("weird\nname.txt", "1\n")
				r.write("tab\there.go", "1\n2\n")
				r.write("quote\"back\\slash.txt", "1\n")
				r.write("vendor/evil\n1\t2\tfake.go", "1\n") // looks like a numstat line
			},
			want: want{code: lines(4, 0), excluded: map[gitstat.Class]gitstat.Lines{gitstat.Vendored: lines(1, 0)}, files: 4},
		},
		{
			name: "no newline at end, a 1 MB line and 100,000 lines",
			do: func() {
				r.write("src/nonl.txt", "a\nb")
				r.write("src/long.txt", strings.Repeat("x", 1<<20)+"\n")
				r.write("src/many.txt", strings.Repeat("line\n", 100000))
			},
			want: want{code: lines(2+1+100000, 0), files: 3},
		},
	}

	shas := make([]string, 0, len(steps))
	var wants []want
	for _, s := range steps {
		if s.skip {
			continue
		}
		s.do()
		shas = append(shas, r.commit(s.name))
		wants = append(wants, s.want)
	}

	stats, by := logOf(t, r.dir)
	if len(stats) != len(shas) {
		t.Fatalf("Log listed %d commits, want %d", len(stats), len(shas))
	}
	// Newest first, as git log lists them.
	for i, s := range stats {
		if want := shas[len(shas)-1-i]; s.SHA != want {
			t.Errorf("commit %d is %s, want %s", i, s.SHA, want)
		}
	}
	for i, sha := range shas {
		got := by[sha]
		w := wants[i]
		name := got.Subject()
		if got.Code != w.code {
			t.Errorf("%s: Code = %+v, want %+v", name, got.Code, w.code)
		}
		if !reflect.DeepEqual(got.Excluded, w.excluded) {
			t.Errorf("%s: Excluded = %v, want %v", name, got.Excluded, w.excluded)
		}
		if got.Files != w.files || got.BinaryFiles != w.binary {
			t.Errorf("%s: Files, BinaryFiles = %d, %d; want %d, %d", name, got.Files, got.BinaryFiles, w.files, w.binary)
		}
		var parents []string
		if i > 0 {
			parents = []string{shas[i-1]}
		}
		if !slices.Equal(got.Parents, parents) {
			t.Errorf("%s: Parents = %v, want %v", name, got.Parents, parents)
		}
	}
	if got := by[shas[0]]; got.AuthorName != "Test Author" || got.AuthorEmail != "author@example.com" || got.Message != "root commit: two files added\n" {
		t.Errorf("root commit: author %q <%q>, message %q", got.AuthorName, got.AuthorEmail, got.Message)
	}
}

// TestLogMessagesAndDates checks the header fields, with messages made to
// look like log output (the commit marker byte, numstat lines) and dates
// with offsets.
func TestLogMessagesAndDates(t *testing.T) {
	r := newRepo(t)
	messages := []string{
		"subject \x01 with the marker byte\n\n1\t2\tfake.go\n\x01" + strings.Repeat("0", 40) + "\n",
		"Ünïcødé subject 🎉\n\nbody\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
		strings.Repeat("long subject ", 30000) + "\n", // 390 KB: longer than the read buffer
		"no newline at the end",
		"", // an empty message
	}
	var shas []string
	for i, m := range messages {
		r.write("f.txt", strings.Repeat("x\n", i+1))
		r.git("add", "-A")
		date := []string{"2026-03-04T05:06:07+05:30", "2025-12-31T23:59:59-08:00", "2026-01-01T00:00:00Z"}[i%3]
		f := filepath.Join(t.TempDir(), "msg")
		if err := os.WriteFile(f, []byte(m), 0o644); err != nil {
			t.Fatal(err)
		}
		r.git("commit", "-q", "--cleanup=verbatim", "--allow-empty-message", "-F", f,
			"--date="+date, "--author=José Müller <jose@example.org>")
		shas = append(shas, r.git("rev-parse", "HEAD"))
	}
	_, by := logOf(t, r.dir)
	for i, sha := range shas {
		got := by[sha]
		if got.Message != messages[i] {
			t.Errorf("commit %d: Message = %.80q, want %.80q", i, got.Message, messages[i])
		}
		if got.Code != lines(1, 0) { // each commit adds one line to f.txt
			t.Errorf("commit %d: Code = %+v, want +1", i, got.Code)
		}
		want := []string{"2026-03-04T05:06:07+05:30", "2025-12-31T23:59:59-08:00", "2026-01-01T00:00:00Z"}[i%3]
		if s := got.AuthorTime.Format(time.RFC3339); s != want {
			t.Errorf("commit %d: AuthorTime = %s, want %s (offset kept)", i, s, want)
		}
		if !got.CommitTime.Equal(mustTime(t, gittest.Date)) {
			t.Errorf("commit %d: CommitTime = %v, want %s", i, got.CommitTime, gittest.Date)
		}
		if got.AuthorName != "José Müller" || got.AuthorEmail != "jose@example.org" {
			t.Errorf("commit %d: author %q <%s>", i, got.AuthorName, got.AuthorEmail)
		}
	}
	if s := by[shas[0]].Subject(); s != "subject \x01 with the marker byte" {
		t.Errorf("Subject() = %q", s)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestLogMerge: a merge commit is listed with its parents and no lines,
// even an "evil" merge that changes files itself; the merged branch's own
// commits carry their lines.
func TestLogMerge(t *testing.T) {
	r := newRepo(t)
	r.write("a.txt", "a\n")
	root := r.commit("root")
	r.git("checkout", "-q", "-b", "side")
	r.write("side.go", "1\n2\n")
	side := r.commit("side work")
	r.git("checkout", "-q", "main")
	r.write("other.go", "1\n")
	mainTip := r.commit("main work")
	r.git("merge", "-q", "--no-ff", "--no-commit", "side")
	r.write("evil.txt", "added by the merge itself\n")
	merge := r.commit("merge side")

	stats, by := logOf(t, r.dir, root+"..HEAD")
	if len(stats) != 3 {
		t.Fatalf("Log(root..HEAD) listed %d commits, want 3 (root excluded)", len(stats))
	}
	m := by[merge]
	if !m.IsMerge() || !slices.Equal(m.Parents, []string{mainTip, side}) {
		t.Errorf("merge Parents = %v, want [%s %s]", m.Parents, mainTip, side)
	}
	if m.Files != 0 || m.Code != (gitstat.Lines{}) || m.Excluded != nil {
		t.Errorf("merge counts %+v, want none", m)
	}
	if by[side].Code != lines(2, 0) || by[mainTip].Code != lines(1, 0) {
		t.Errorf("branch commits: side %+v, main %+v", by[side].Code, by[mainTip].Code)
	}
	if _, ok := by[root]; ok {
		t.Error("root..HEAD listed root")
	}
}

// TestLogRevisions checks the forms of args: none (HEAD), several, a
// symmetric difference, an empty range.
func TestLogRevisions(t *testing.T) {
	r := newRepo(t)
	var shas []string
	for i := range 4 {
		r.write("f.txt", strings.Repeat("x\n", i+1))
		shas = append(shas, r.commit("c"))
	}
	tests := []struct {
		args []string
		want []string // newest first
	}{
		{nil, []string{shas[3], shas[2], shas[1], shas[0]}},
		{[]string{shas[1] + ".." + shas[3]}, []string{shas[3], shas[2]}},
		{[]string{"^" + shas[1], shas[2]}, []string{shas[2]}},
		{[]string{shas[0] + "..." + shas[2]}, []string{shas[2], shas[1]}},
		{[]string{"HEAD..HEAD"}, nil},
		{[]string{"main~1"}, []string{shas[2], shas[1], shas[0]}},
	}
	for _, tt := range tests {
		stats, _ := logOf(t, r.dir, tt.args...)
		var got []string
		for _, s := range stats {
			got = append(got, s.SHA)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Log(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}

// TestLogConfigHazards: settings a user or repository may have that change
// git log's output must not change the result. The baseline is a Log of the
// same repository before the settings.
func TestLogConfigHazards(t *testing.T) {
	r := newRepo(t)
	r.write("a/b/c.txt", "1\n2\n")
	r.write("top.txt", "t\n")
	r.commit("root")
	r.git("mv", "a/b/c.txt", "a/b/d.txt")
	r.commit("moved")
	r.write("a/b/d.txt", "1\n2\n3\n")
	r.write("top.txt", "u\n")
	r.write("zz_generated.deepcopy.go", "package x\n")
	r.commit("Änderung: café")
	r.git("notes", "add", "-m", "a note that must not show", "HEAD")
	baseline, _ := logOf(t, r.dir)

	for _, kv := range [][2]string{
		{"diff.renames", "copies"},
		{"log.showRoot", "false"},
		{"color.ui", "always"},
		{"color.diff", "always"},
		{"diff.relative", "true"},
		{"diff.external", "false"},
		{"diff.noprefix", "true"},
		{"diff.mnemonicPrefix", "true"},
		{"i18n.logOutputEncoding", "ISO-8859-1"},
		{"log.showSignature", "true"},
		{"log.decorate", "full"},
		{"notes.displayRef", "refs/notes/commits"},
		{"core.quotePath", "true"},
		{"format.pretty", "fuller"},
	} {
		r.git("config", kv[0], kv[1])
	}
	t.Setenv("GIT_EXTERNAL_DIFF", "false")
	t.Setenv("GIT_NOTES_REF", "refs/notes/commits")
	// From a subdirectory, where diff.relative would cut the paths.
	got, _ := logOf(t, filepath.Join(r.dir, "a", "b"))
	if !reflect.DeepEqual(got, baseline) {
		t.Errorf("with hostile config\n got %+v\nwant %+v", got, baseline)
	}
	if baseline[0].Excluded[gitstat.Generated] != lines(1, 0) || baseline[0].Code != lines(2, 1) {
		t.Errorf("baseline newest commit: %+v", baseline[0])
	}
	if baseline[1].Code != lines(2, 2) || baseline[2].Code != lines(3, 0) {
		t.Errorf("baseline: moved %+v, root %+v", baseline[1].Code, baseline[2].Code)
	}
}

// TestLogAttributes: linguist-generated and linguist-vendored from
// .gitattributes override and switch off the name rules; they are read
// from the current checkout (so they apply to older commits too), also
// when Log runs in a subdirectory; a bare repository reads
// info/attributes.
func TestLogAttributes(t *testing.T) {
	r := newRepo(t)
	attrs := strings.Join([]string{
		"gen/** linguist-generated",
		"keep/vendor/** -linguist-vendored",
		"dist/** linguist-generated=false",
		"*.custom linguist-vendored",
		"lockish/** -linguist-generated",
		"both/** linguist-generated linguist-vendored",
		"weird/** linguist-generated=maybe",
	}, "\n") + "\n" // 7 lines
	r.write(".gitattributes", attrs)
	r.write("gen/a.go", "1\n2\n")             // Generated by attribute
	r.write("keep/vendor/k.go", "1\n")        // Code: vendored rule off
	r.write("dist/real.js", "1\n")            // Code: generated rule off
	r.write("x.custom", "1\n")                // Vendored by attribute
	r.write("lockish/yarn.lock", "1\n2\n3\n") // Code: lock files count as generated
	r.write("both/b.go", "1\n")               // Vendored: vendored wins
	r.write("weird/w.min.js", "1\n")          // Generated by name: "maybe" is no boolean
	first := r.commit("attributes")

	check := func(name, dir string, code gitstat.Lines, excluded map[gitstat.Class]gitstat.Lines) {
		t.Helper()
		_, by := logOf(t, dir)
		got := by[first]
		if got.Code != code || !reflect.DeepEqual(got.Excluded, excluded) {
			t.Errorf("%s: Code %+v Excluded %v; want %+v %v", name, got.Code, got.Excluded, code, excluded)
		}
	}
	// Code: .gitattributes 7 + keep 1 + dist 1 + lockish 3 = 12.
	want := map[gitstat.Class]gitstat.Lines{gitstat.Generated: lines(3, 0), gitstat.Vendored: lines(2, 0)}
	check("top", r.dir, lines(12, 0), want)
	check("subdirectory", filepath.Join(r.dir, "keep", "vendor"), lines(12, 0), want)

	// ClassifyPaths decides the same way, path by path.
	paths := []string{"gen/a.go", "keep/vendor/k.go", "dist/real.js", "x.custom", "lockish/yarn.lock",
		"both/b.go", "weird/w.min.js", "vendor/x.go", "new dir/not yet.pb.go"}
	wantClasses := []gitstat.Class{gitstat.Generated, gitstat.Code, gitstat.Code, gitstat.Vendored, gitstat.Code,
		gitstat.Vendored, gitstat.Generated, gitstat.Vendored, gitstat.Generated}
	for _, dir := range []string{r.dir, filepath.Join(r.dir, "gen")} {
		got, err := gitstat.ClassifyPaths(context.Background(), gitAt(t, dir), paths)
		if err != nil || !slices.Equal(got, wantClasses) {
			t.Errorf("ClassifyPaths in %s = %v, %v; want %v", dir, got, err, wantClasses)
		}
	}
	if got, err := gitstat.ClassifyPaths(context.Background(), gitAt(t, r.dir), nil); err != nil || len(got) != 0 {
		t.Errorf("ClassifyPaths(nil) = %v, %v", got, err)
	}

	// Today's attributes apply to the older commit: without the gen/ rule,
	// gen/a.go is code.
	r.write(".gitattributes", strings.Replace(attrs, "gen/** linguist-generated\n", "", 1))
	r.commit("drop gen rule")
	check("after the rule went", r.dir, lines(14, 0), map[gitstat.Class]gitstat.Lines{gitstat.Generated: lines(1, 0), gitstat.Vendored: lines(2, 0)})

	// A bare clone has no checkout; info/attributes (read by every git
	// version, first in precedence) switches everything off here.
	bare := filepath.Join(t.TempDir(), "bare.git")
	gittest.Git(t, "", "clone", "-q", "--bare", r.dir, bare)
	if err := os.MkdirAll(filepath.Join(bare, "info"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bare, "info", "attributes"), []byte("* -linguist-generated -linguist-vendored\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check("bare", bare, lines(7+2+1+1+1+3+1+1, 0), nil)
}

// TestLogErrors: failures are errors naming the revisions, never a panic or
// a partial result; a revision that looks like an option is not one.
func TestLogErrors(t *testing.T) {
	r := newRepo(t)
	r.write("f.txt", "x\n")
	r.commit("c")
	g := gitAt(t, r.dir)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "written")

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown revision", []string{"nope..HEAD"}, "nope..HEAD"},
		{"empty revision", []string{""}, "empty revision"},
		{"option as revision", []string{"--output=" + out}, "--output="},
		{"option --all", []string{"--all"}, "--all"},
		{"double dash", []string{"--", "HEAD"}, `"--" is not a revision`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stats, err := gitstat.Log(ctx, g, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) || stats != nil {
				t.Errorf("Log(%q) = %d commits, %v; want an error containing %q", tt.args, len(stats), err, tt.want)
			}
		})
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--output revision wrote %s", out)
	}

	var ge *gitcli.Error
	if _, err := gitstat.Log(ctx, g, []string{"nope"}); !errors.As(err, &ge) || ge.ExitCode != 128 {
		t.Errorf("unknown revision: %v, want a *gitcli.Error with exit 128", err)
	}
	if _, err := gitstat.Log(ctx, gitAt(t, t.TempDir()), nil); err == nil {
		t.Error("Log outside a repository: no error")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := gitstat.Log(cctx, g, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v, want context.Canceled", err)
	}
}

// TestExcludedLinesAndTotals checks the sums over commits.
func TestExcludedLinesAndTotals(t *testing.T) {
	stats := []gitstat.CommitStat{
		{Code: lines(1, 2), Excluded: map[gitstat.Class]gitstat.Lines{gitstat.Lock: lines(10, 20), gitstat.Binary: {}}},
		{Code: lines(3, 4)},
		{Excluded: map[gitstat.Class]gitstat.Lines{gitstat.Lock: lines(1, 1), gitstat.Vendored: lines(5, 0)}},
	}
	code, excl := gitstat.Totals(stats)
	if code != lines(4, 6) {
		t.Errorf("code = %+v", code)
	}
	want := map[gitstat.Class]gitstat.Lines{gitstat.Lock: lines(11, 21), gitstat.Binary: {}, gitstat.Vendored: lines(5, 0)}
	if !reflect.DeepEqual(excl, want) {
		t.Errorf("excluded = %v, want %v", excl, want)
	}
	if got := stats[0].ExcludedLines(); got != lines(10, 20) || got.Changed() != 30 {
		t.Errorf("ExcludedLines = %+v", got)
	}
	if c, e := gitstat.Totals(nil); c != (gitstat.Lines{}) || e != nil {
		t.Errorf("Totals(nil) = %v, %v", c, e)
	}
}
