// Package synth writes a reproducible synthetic git history as a git
// fast-import stream, for gitstat's benchmarks (bench/numstat.sh, the
// package's BenchmarkLog) and tests. It is not used by tokenyield itself.
//
// The history starts with a base commit (tagged) holding a varied tree: Go,
// TypeScript and Python sources, Markdown, a .gitattributes with linguist
// overrides, lock files (package-lock.json, go.sum, yarn.lock), a vendor/
// tree, generated protobuf code, a minified bundle under dist/, binary
// images, and paths with spaces and non-ASCII letters. Then come
// Options.Commits commits: edits of 1–4 hunks, new files, deletions, renames
// (a delete and an add), lock file updates, vendored and generated code
// refreshes, binary changes, the odd empty commit and large refactors;
// every so often a side branch of a few commits is merged back with a merge
// commit. Authors, time zones, messages (some with trailers) vary. The same
// Options always give the same bytes.
package synth

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
)

// Options says what history to write.
type Options struct {
	// Commits is the number of commits after the base commit, merges and
	// side-branch commits included: exactly the commits of the range
	// BaseTag..Branch. Default 10,000.
	Commits int
	// Seed selects the history; the same seed gives the same stream.
	Seed uint64
	// Branch is the ref the history ends on. Default "refs/heads/main".
	Branch string
	// BaseTag is the lightweight tag put on the base commit. Default
	// "refs/tags/synth-base".
	BaseTag string
}

// Summary describes a written history.
type Summary struct {
	// Commits counts the commits after the base commit.
	Commits int `json:"commits"`
	// Merges and Empty count merge commits and commits without changes
	// among them.
	Merges int `json:"merges"`
	Empty  int `json:"empty"`
	// Blobs is the number of file versions written, Bytes their size.
	Blobs int   `json:"blobs"`
	Bytes int64 `json:"bytes"`
}

func (o *Options) defaults() {
	if o.Commits <= 0 {
		o.Commits = 10000
	}
	if o.Branch == "" {
		o.Branch = "refs/heads/main"
	}
	if o.BaseTag == "" {
		o.BaseTag = "refs/tags/synth-base"
	}
}

// Write writes the fast-import stream of the history o describes to w.
func Write(w io.Writer, o Options) (Summary, error) {
	o.defaults()
	bw := bufio.NewWriterSize(w, 1<<20)
	g := newGen(bw, o)
	g.run()
	if err := bw.Flush(); err != nil {
		return g.sum, fmt.Errorf("synth: write stream: %w", err)
	}
	if g.err != nil {
		return g.sum, g.err
	}
	return g.sum, nil
}

// Import writes the history o describes into the repository in dir (which
// must exist; an empty repository or one without o.Branch) with git
// fast-import, streaming, and returns its summary. git is the path of the
// git binary.
func Import(ctx context.Context, git, dir string, o Options) (Summary, error) {
	cmd := exec.CommandContext(ctx, git, "fast-import", "--quiet")
	cmd.Dir = dir
	pr, pw := io.Pipe()
	cmd.Stdin = pr
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return Summary{}, fmt.Errorf("synth: start git fast-import: %w", err)
	}
	sum, werr := Write(pw, o)
	pw.CloseWithError(werr)
	err := cmd.Wait()
	if err != nil {
		return sum, fmt.Errorf("synth: git fast-import: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	if werr != nil && !errors.Is(werr, io.ErrClosedPipe) {
		return sum, werr
	}
	return sum, nil
}

// file is one file of a branch's tree.
type file struct {
	path   string
	kind   kind
	lines  []string // text files
	binary []byte   // binary files
	mark   int      // blob mark of the current version
}

// kind is what a file is, which decides how commits change it.
type kind int

const (
	kindCode kind = iota
	kindDoc
	kindLock
	kindVendor
	kindGenerated
	kindBundle
	kindBinary
)

// tree is the files of a branch, in a slice for reproducible random picks.
type tree struct {
	files  []*file
	byPath map[string]int
}

func (t *tree) add(f *file) {
	if i, ok := t.byPath[f.path]; ok {
		t.files[i] = f
		return
	}
	t.byPath[f.path] = len(t.files)
	t.files = append(t.files, f)
}

func (t *tree) remove(path string) {
	i, ok := t.byPath[path]
	if !ok {
		return
	}
	last := len(t.files) - 1
	t.files[i] = t.files[last]
	t.byPath[t.files[i].path] = i
	t.files = t.files[:last]
	delete(t.byPath, path)
}

// pick returns a random file of kind k, or nil.
func (t *tree) pick(r *rand.Rand, k kind) *file {
	for range 64 {
		f := t.files[r.IntN(len(t.files))]
		if f.kind == k {
			return f
		}
	}
	for _, f := range t.files {
		if f.kind == k {
			return f
		}
	}
	return nil
}

func (t *tree) count(k kind) int {
	n := 0
	for _, f := range t.files {
		if f.kind == k {
			n++
		}
	}
	return n
}

// gen holds the state of one stream being written.
type gen struct {
	w    *bufio.Writer
	o    Options
	r    *rand.Rand
	sum  Summary
	err  error
	mark int
	time int64 // Unix seconds of the next commit
	seq  int   // counter for unique names

	main *tree
	tip  int // mark of the branch tip
}

func newGen(w *bufio.Writer, o Options) *gen {
	return &gen{
		w:    w,
		o:    o,
		r:    rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		time: 1704067200, // 2024-01-01T00:00:00Z
		main: &tree{byPath: map[string]int{}},
	}
}

func (g *gen) printf(format string, args ...any) {
	if g.err != nil {
		return
	}
	if _, err := fmt.Fprintf(g.w, format, args...); err != nil {
		g.err = fmt.Errorf("synth: write stream: %w", err)
	}
}

func (g *gen) data(b []byte) {
	g.printf("data %d\n", len(b))
	if g.err == nil {
		if _, err := g.w.Write(b); err != nil {
			g.err = fmt.Errorf("synth: write stream: %w", err)
		}
	}
	g.printf("\n")
}

func (g *gen) nextMark() int {
	g.mark++
	return g.mark
}

// blob writes f's current content as a new blob.
func (g *gen) blob(f *file) {
	var b []byte
	if f.kind == kindBinary {
		b = f.binary
	} else {
		n := 0
		for _, l := range f.lines {
			n += len(l) + 1
		}
		b = make([]byte, 0, n)
		for _, l := range f.lines {
			b = append(b, l...)
			b = append(b, '\n')
		}
	}
	f.mark = g.nextMark()
	g.printf("blob\nmark :%d\n", f.mark)
	g.data(b)
	g.sum.Blobs++
	g.sum.Bytes += int64(len(b))
}

// change is one path a commit writes or deletes.
type change struct {
	f      *file // nil for a deletion
	delete string
}

// commit writes a commit on ref with the given parents and changes and
// returns its mark.
func (g *gen) commit(ref string, parents []int, changes []change) int {
	for _, c := range changes {
		if c.f != nil {
			g.blob(c.f)
		}
	}
	m := g.nextMark()
	name, email, zone := g.author()
	g.time += 60 + g.r.Int64N(7200)
	g.printf("commit %s\nmark :%d\n", ref, m)
	g.printf("author %s <%s> %d %s\n", name, email, g.time, zone)
	g.printf("committer %s <%s> %d %s\n", name, email, g.time+g.r.Int64N(600), zone)
	g.data([]byte(g.message()))
	for i, p := range parents {
		if i == 0 {
			g.printf("from :%d\n", p)
		} else {
			g.printf("merge :%d\n", p)
		}
	}
	for _, c := range changes {
		if c.f == nil {
			g.printf("D %s\n", quote(c.delete))
		} else {
			g.printf("M 100644 :%d %s\n", c.f.mark, quote(c.f.path))
		}
	}
	g.printf("\n")
	return m
}

// quote writes a path as fast-import reads it: C-quoted when it starts with
// a double quote or holds a line feed, else as is.
func quote(p string) string {
	if strings.HasPrefix(p, `"`) || strings.ContainsAny(p, "\n") {
		return strconv.Quote(p)
	}
	return p
}

var authors = []struct{ name, email, zone string }{
	{"Ada Lovelace", "ada@example.com", "+0000"},
	{"José Müller", "jose@example.org", "+0100"},
	{"李雷", "lilei@example.cn", "+0800"},
	{"Grace Hopper", "grace@example.com", "-0500"},
	{"Linus Example", "linus@example.net", "-0800"},
	{"Priya Raman", "priya@example.in", "+0530"},
	{"dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", "+0000"},
	{"Zoë O'Brien", "zoe@example.ie", "+0100"},
}

func (g *gen) author() (name, email, zone string) {
	a := authors[g.r.IntN(len(authors))]
	return a.name, a.email, a.zone
}

var verbs = []string{"fix", "add", "remove", "refactor", "update", "rename", "document", "test", "speed up", "simplify"}

func (g *gen) message() string {
	var b strings.Builder
	b.WriteString(verbs[g.r.IntN(len(verbs))])
	b.WriteByte(' ')
	b.WriteString(g.words(2 + g.r.IntN(6)))
	b.WriteByte('\n')
	if g.r.IntN(3) > 0 {
		b.WriteByte('\n')
		for range 1 + g.r.IntN(6) {
			b.WriteString(g.words(4 + g.r.IntN(9)))
			b.WriteByte('\n')
		}
	}
	if g.r.IntN(5) == 0 {
		b.WriteString("\nCo-authored-by: Claude <noreply@anthropic.com>\n")
		fmt.Fprintf(&b, "AI-Tokens: %d\n", g.r.IntN(2000000))
	}
	return b.String()
}

var vocab = strings.Fields(`the a of to in and for is on that by this with it from as
be are at or an not but all new one can use set get value result error
context buffer reader writer handler request response client server index
count total token line file path commit branch merge tree blob hash usage
agent model session report cache input output config option default limit
parse encode decode stream record field entry item list map slice string
café naïve über 日本 数据 résumé`)

func (g *gen) words(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(vocab[g.r.IntN(len(vocab))])
	}
	return b.String()
}

// codeLine is one line of pseudo source code.
func (g *gen) codeLine() string {
	indent := strings.Repeat("\t", g.r.IntN(4))
	switch g.r.IntN(8) {
	case 0:
		return ""
	case 1:
		return indent + "// " + g.words(3+g.r.IntN(8))
	case 2:
		return indent + "}"
	case 3:
		return indent + "if " + g.ident() + " != nil {"
	case 4:
		return indent + "return " + g.ident() + ", " + g.ident() + "(" + strconv.Itoa(g.r.IntN(1000)) + ")"
	default:
		return indent + g.ident() + " := " + g.ident() + "." + g.ident() + "(" + g.ident() + ", \"" + g.words(1+g.r.IntN(3)) + "\")"
	}
}

func (g *gen) ident() string {
	w := vocab[g.r.IntN(60)] // the ASCII part of vocab
	if g.r.IntN(2) == 0 {
		return w + strings.ToUpper(vocab[g.r.IntN(60)][:1]) + vocab[g.r.IntN(60)][1:]
	}
	return w
}

func (g *gen) lines(n int, line func() string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = line()
	}
	return out
}

func (g *gen) randomBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	b[0] = 0x89 // PNG-like signature; random bytes hold NULs anyway
	return b
}

func (g *gen) lockLine() string {
	return fmt.Sprintf(`    "node_modules/%s-%s": { "version": "%d.%d.%d", "integrity": "sha512-%016x%016x" },`,
		vocab[g.r.IntN(60)], vocab[g.r.IntN(60)], g.r.IntN(20), g.r.IntN(50), g.r.IntN(100), g.r.Uint64(), g.r.Uint64())
}

func (g *gen) sumLine() string {
	return fmt.Sprintf("example.com/%s/%s v%d.%d.%d h1:%016x%012x=",
		vocab[g.r.IntN(60)], vocab[g.r.IntN(60)], g.r.IntN(5), g.r.IntN(40), g.r.IntN(30), g.r.Uint64(), g.r.Uint64()&0xffffffffffff)
}

func (g *gen) bundleLine() string {
	var b strings.Builder
	for range 40 + g.r.IntN(80) {
		b.WriteString("function ")
		b.WriteString(g.ident())
		b.WriteString("(e,t){return e+t};")
	}
	return b.String()
}

func (g *gen) uniq(prefix, ext string) string {
	g.seq++
	return fmt.Sprintf("%s%s_%d%s", prefix, vocab[g.r.IntN(60)], g.seq, ext)
}

var codeDirs = []string{
	"cmd/server/", "internal/core/", "internal/store/", "internal/api/", "pkg/client/",
	"web/src/", "web/src/components/", "py/tool/", "py/tool/sub dir/", "docs/",
}

func (g *gen) newCodeFile() *file {
	dir := codeDirs[g.r.IntN(len(codeDirs))]
	ext := map[bool]string{true: ".go", false: ".ts"}[g.r.IntN(2) == 0]
	if strings.HasPrefix(dir, "py/") {
		ext = ".py"
	}
	k := kindCode
	if dir == "docs/" {
		ext, k = ".md", kindDoc
	}
	n := 20 + int(g.r.ExpFloat64()*180)
	return &file{path: g.uniq(dir, ext), kind: k, lines: g.lines(min(n, maxLines), g.codeLine)}
}

// base builds the first tree.
func (g *gen) base() []change {
	var files []*file
	for range 220 {
		files = append(files, g.newCodeFile())
	}
	special := []string{"docs/Guide to setup.md", "docs/café/naïve notes.md", "web/src/日本語.ts", "README.md"}
	for _, p := range special {
		files = append(files, &file{path: p, kind: kindDoc, lines: g.lines(60, g.codeLine)})
	}
	files = append(files,
		&file{path: ".gitattributes", kind: kindDoc, lines: []string{
			"docs/generated/** linguist-generated",
			"web/dist/** -linguist-generated",
			"internal/legacy/** linguist-vendored",
		}},
		&file{path: "package-lock.json", kind: kindLock, lines: g.lines(1500, g.lockLine)},
		&file{path: "go.sum", kind: kindLock, lines: g.lines(300, g.sumLine)},
		&file{path: "web/yarn.lock", kind: kindLock, lines: g.lines(600, g.lockLine)},
		&file{path: "dist/app.min.js", kind: kindBundle, lines: g.lines(30, g.bundleLine)},
		&file{path: "web/dist/app.js", kind: kindCode, lines: g.lines(200, g.codeLine)},
	)
	for i := range 40 {
		files = append(files, &file{path: fmt.Sprintf("vendor/example.com/lib%d/lib%d.go", i%8, i), kind: kindVendor, lines: g.lines(100+g.r.IntN(400), g.codeLine)})
	}
	for i := range 5 {
		files = append(files, &file{path: fmt.Sprintf("internal/legacy/old%d.go", i), kind: kindCode, lines: g.lines(150, g.codeLine)})
	}
	for i := range 10 {
		files = append(files, &file{path: fmt.Sprintf("api/v1/service%d.pb.go", i), kind: kindGenerated, lines: g.lines(300+g.r.IntN(700), g.codeLine)})
	}
	for i := range 5 {
		files = append(files, &file{path: fmt.Sprintf("docs/generated/ref%d.md", i), kind: kindGenerated, lines: g.lines(200, g.codeLine)})
	}
	for i := range 10 {
		files = append(files, &file{path: fmt.Sprintf("assets/img%d.png", i), kind: kindBinary, binary: g.randomBytes(2000 + g.r.IntN(30000))})
	}
	changes := make([]change, len(files))
	for i, f := range files {
		g.main.add(f)
		changes[i] = change{f: f}
	}
	return changes
}

// edit changes 1–hunks places of f's lines; on average a hunk deletes as
// many lines as it adds, so files keep their size.
func (g *gen) edit(f *file, hunks int, line func() string) {
	for range 1 + g.r.IntN(hunks) {
		at := g.r.IntN(len(f.lines) + 1)
		del := min(g.r.IntN(8), len(f.lines)-at)
		ins := g.r.IntN(8)
		if del == 0 && ins == 0 {
			ins = 1
		}
		repl := g.lines(ins, line)
		f.lines = append(f.lines[:at], append(repl, f.lines[at+del:]...)...)
	}
	if len(f.lines) > maxLines {
		f.lines = f.lines[:maxLines-200]
	}
}

// maxLines bounds the length of a text file.
const maxLines = 2000

// copyFile returns a copy of f that can be changed without changing f.
func copyFile(f *file) *file {
	c := *f
	c.lines = append([]string(nil), f.lines...)
	return &c
}

// mainChanges returns the changes of one ordinary commit on main, applied to
// g.main. An empty result is an empty commit.
func (g *gen) mainChanges() []change {
	var out []change
	touched := map[string]bool{}
	ops := 1 + g.r.IntN(4)
	if g.r.IntN(200) == 0 {
		return nil // empty commit
	}
	for range ops {
		switch p := g.r.IntN(100); {
		case p < 55: // edit code
			f := g.main.pick(g.r, kindCode)
			if f == nil || touched[f.path] {
				continue
			}
			f = copyFile(f)
			g.edit(f, 4, g.codeLine)
			g.main.add(f)
			touched[f.path] = true
			out = append(out, change{f: f})
		case p < 63: // new file
			f := g.newCodeFile()
			g.main.add(f)
			touched[f.path] = true
			out = append(out, change{f: f})
		case p < 69: // delete
			if g.main.count(kindCode) < 200 {
				continue
			}
			f := g.main.pick(g.r, kindCode)
			if f == nil || touched[f.path] {
				continue
			}
			g.main.remove(f.path)
			touched[f.path] = true
			out = append(out, change{delete: f.path})
		case p < 73: // rename (delete + add, maybe edited)
			f := g.main.pick(g.r, kindCode)
			if f == nil || touched[f.path] {
				continue
			}
			n := copyFile(f)
			n.path = g.uniq(codeDirs[g.r.IntN(len(codeDirs)-1)], f.path[strings.LastIndexByte(f.path, '.'):])
			if g.r.IntN(2) == 0 {
				g.edit(n, 2, g.codeLine)
			}
			g.main.remove(f.path)
			g.main.add(n)
			touched[f.path], touched[n.path] = true, true
			out = append(out, change{delete: f.path}, change{f: n})
		case p < 78: // docs
			f := g.main.pick(g.r, kindDoc)
			if f == nil || touched[f.path] || f.path == ".gitattributes" {
				continue
			}
			f = copyFile(f)
			g.edit(f, 3, func() string { return g.words(5 + g.r.IntN(12)) })
			g.main.add(f)
			touched[f.path] = true
			out = append(out, change{f: f})
		case p < 83: // lock files
			f := g.main.pick(g.r, kindLock)
			if f == nil || touched[f.path] {
				continue
			}
			f = copyFile(f)
			line := g.lockLine
			if strings.HasSuffix(f.path, "go.sum") {
				line = g.sumLine
			}
			g.edit(f, 12, line)
			g.main.add(f)
			touched[f.path] = true
			out = append(out, change{f: f})
		case p < 87: // vendored refresh
			for range 1 + g.r.IntN(4) {
				f := g.main.pick(g.r, kindVendor)
				if f == nil || touched[f.path] {
					continue
				}
				f = copyFile(f)
				g.edit(f, 8, g.codeLine)
				g.main.add(f)
				touched[f.path] = true
				out = append(out, change{f: f})
			}
		case p < 91: // regenerated code
			f := g.main.pick(g.r, kindGenerated)
			if f == nil || touched[f.path] {
				continue
			}
			f = copyFile(f)
			g.edit(f, 10, g.codeLine)
			g.main.add(f)
			touched[f.path] = true
			out = append(out, change{f: f})
		case p < 93: // bundle rebuilt
			f := g.main.pick(g.r, kindBundle)
			if f == nil || touched[f.path] {
				continue
			}
			f = copyFile(f)
			f.lines = g.lines(20+g.r.IntN(20), g.bundleLine) // rebuilt: every line differs
			g.main.add(f)
			touched[f.path] = true
			out = append(out, change{f: f})
		case p < 95: // binary
			f := g.main.pick(g.r, kindBinary)
			if f == nil || touched[f.path] {
				continue
			}
			n := *f
			n.binary = g.randomBytes(2000 + g.r.IntN(30000))
			g.main.add(&n)
			touched[n.path] = true
			out = append(out, change{f: &n})
		default: // refactor: many files at once
			for range 8 + g.r.IntN(20) {
				f := g.main.pick(g.r, kindCode)
				if f == nil || touched[f.path] {
					continue
				}
				f = copyFile(f)
				g.edit(f, 2, g.codeLine)
				g.main.add(f)
				touched[f.path] = true
				out = append(out, change{f: f})
			}
		}
	}
	return out
}

// side writes a side branch of n commits forking from mark from, with new
// files under features/, and returns its tip and the files to bring into
// the merge.
func (g *gen) side(from, n int) (int, []*file) {
	dir := g.uniq("features/", "/")
	var files []*file
	tip := from
	ref := "refs/heads/synth-side"
	for range n {
		var changes []change
		if len(files) > 0 && g.r.IntN(2) == 0 {
			i := g.r.IntN(len(files))
			f := copyFile(files[i])
			g.edit(f, 4, g.codeLine)
			files[i] = f
			changes = append(changes, change{f: f})
		} else {
			f := g.newCodeFile()
			f.path = dir + f.path[strings.LastIndexByte(f.path, '/')+1:]
			files = append(files, f)
			changes = append(changes, change{f: f})
		}
		tip = g.commit(ref, []int{tip}, changes)
		g.sum.Commits++
	}
	return tip, files
}

func (g *gen) run() {
	g.printf("feature done\n")
	g.tip = g.commit(g.o.Branch, nil, g.base())
	g.printf("reset %s\nfrom :%d\n\n", g.o.BaseTag, g.tip)
	for g.sum.Commits < g.o.Commits && g.err == nil {
		left := g.o.Commits - g.sum.Commits
		if left >= 4 && g.r.IntN(60) == 0 {
			// A side branch of 2 or 3 commits, forked from the tip, while
			// main moves on by one commit; then the merge.
			forkAt := g.tip
			n := 2 + g.r.IntN(min(2, left-3))
			sideTip, files := g.side(forkAt, n)
			g.mainCommit()
			for _, f := range files {
				g.main.add(f)
			}
			g.tip = g.mergeCommit(g.tip, sideTip, files)
			g.sum.Merges++
			g.sum.Commits++
			continue
		}
		g.mainCommit()
	}
	g.printf("done\n")
}

// mainCommit writes one ordinary commit on the main branch.
func (g *gen) mainCommit() {
	changes := g.mainChanges()
	if len(changes) == 0 {
		g.sum.Empty++
	}
	g.tip = g.commit(g.o.Branch, []int{g.tip}, changes)
	g.sum.Commits++
}

// mergeCommit writes a merge of side into main whose tree is main's plus
// the side branch's files (their blobs exist already).
func (g *gen) mergeCommit(mainTip, sideTip int, files []*file) int {
	m := g.nextMark()
	name, email, zone := g.author()
	g.time += 60 + g.r.Int64N(600)
	g.printf("commit %s\nmark :%d\n", g.o.Branch, m)
	g.printf("author %s <%s> %d %s\n", name, email, g.time, zone)
	g.printf("committer %s <%s> %d %s\n", name, email, g.time, zone)
	g.data([]byte("Merge branch 'synth-side'\n"))
	g.printf("from :%d\nmerge :%d\n", mainTip, sideTip)
	for _, f := range files {
		g.printf("M 100644 :%d %s\n", f.mark, quote(f.path))
	}
	g.printf("\n")
	return m
}
