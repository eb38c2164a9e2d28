package ledger_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/ledger"
)

func TestWriteReadRoundTrip(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	c1 := gittest.Commit(t, dir, "a.txt", "a\n", "first")
	c2 := gittest.Commit(t, dir, "b.txt", "b\n", "second")
	gittest.Git(t, dir, "notes", "add", "-m", "a note on the default ref", c1)
	before := refsExcept(t, dir, ledger.NotesRef)
	l := open(t, dir)

	if _, ok, err := l.Read(hash(c1)); ok || err != nil {
		t.Fatalf("Read without notes ref: ok %v err %v", ok, err)
	}
	if _, ok, err := l.Tip(); ok || err != nil {
		t.Fatalf("Tip without notes ref: ok %v err %v", ok, err)
	}

	n1 := note(row("claude-code", "s1", "claude-opus-4-6", 4, 129, 0.053027), row("codex", "t1", "gpt-5.3-codex", 40, 10, -1))
	if err := l.Write(hash(c1), n1); err != nil {
		t.Fatal(err)
	}
	sameNote(t, "Read", mustRead(t, l, c1), n1)
	raw, ok, err := l.ReadRaw(hash(c1))
	if err != nil || !ok || string(raw) != encode(t, n1)+"\n" {
		t.Errorf("ReadRaw = %q, %v, %v", raw, ok, err)
	}
	if _, ok, err := l.Read(hash(c2)); ok || err != nil {
		t.Errorf("Read(c2) = ok %v err %v, want no note", ok, err)
	}

	// git reads it.
	if got := gittest.Git(t, dir, "notes", "--ref", "tokenyield", "show", c1); got != encode(t, n1) {
		t.Errorf("git notes show = %q", got)
	}
	if got := gittest.Git(t, dir, "log", "-1", "--notes=tokenyield", "--format=%N", c1); strings.TrimSpace(got) != encode(t, n1) {
		t.Errorf("git log --notes = %q", got)
	}
	tip1, _, _ := l.Tip()
	if got := gittest.Git(t, dir, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", ledger.NotesRef); got != "tokenyield <tokenyield@localhost>|tokenyield <tokenyield@localhost>|Notes added by tokenyield" {
		t.Errorf("notes commit = %q", got)
	}

	// A second note: one more commit whose parent is the previous tip.
	n2 := note(row("claude-code", "s2", "claude-sonnet-4-5", 7, 8, 0.01))
	if err := l.Write(hash(c2), n2); err != nil {
		t.Fatal(err)
	}
	tip2, _, _ := l.Tip()
	if got := gittest.Git(t, dir, "rev-parse", ledger.NotesRef+"^"); got != tip1.String() {
		t.Errorf("parent of the notes tip = %s, want %s", got, tip1)
	}
	sameNote(t, "Read c1 after second write", mustRead(t, l, c1), n1)
	sameNote(t, "Read c2", mustRead(t, l, c2), n2)

	// Rewriting the same note makes no commit.
	if err := l.Write(hash(c2), n2); err != nil {
		t.Fatal(err)
	}
	if tip, _, _ := l.Tip(); tip != tip2 {
		t.Error("writing an unchanged note made a commit")
	}
	// Replacing a note.
	if err := l.Write(hash(c2), n1); err != nil {
		t.Fatal(err)
	}
	sameNote(t, "Read c2 replaced", mustRead(t, l, c2), n1)

	list, err := l.List()
	if err != nil || len(list) != 2 || string(list[hash(c1)]) != encode(t, n1)+"\n" {
		t.Errorf("List = %d notes, %v", len(list), err)
	}

	// Remove.
	if err := l.Remove(hash(c2)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := l.Read(hash(c2)); ok {
		t.Error("note still there after Remove")
	}
	if _, err := gittest.GitInput(dir, nil, "notes", "--ref", "tokenyield", "show", c2); err == nil {
		t.Error("git still shows the removed note")
	}
	if err := l.Remove(hash(c2)); err != nil {
		t.Errorf("Remove of a missing note: %v", err)
	}
	if err := l.Remove(hash(c1)); err != nil {
		t.Fatal(err)
	}
	if got := gittest.Git(t, dir, "notes", "--ref", "tokenyield", "list"); got != "" {
		t.Errorf("notes left: %q", got)
	}
	if got := gittest.Git(t, dir, "log", "-1", "--format=%s", ledger.NotesRef); got != "Notes removed by tokenyield" {
		t.Errorf("remove commit message %q", got)
	}

	// Invalid input.
	if err := l.Write(plumbing.ZeroHash, n1); err == nil {
		t.Error("zero commit accepted")
	}
	bad := n1
	bad.Rows = []attribution.Row{row("**bold**", "s", "m", 1, 1, 0)}
	if err := l.Write(hash(c1), bad); !errors.Is(err, attribution.ErrBadNote) {
		t.Errorf("invalid note: %v", err)
	}

	if after := refsExcept(t, dir, ledger.NotesRef); after != before {
		t.Errorf("other refs changed:\n%s\nwant\n%s", after, before)
	}
	fsck(t, dir)
}

func TestReadNotesWrittenByGit(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	cs := gittest.Commits(t, dir, 3)
	n := numbered(1)
	tests := []struct {
		name string
		args []string
	}{
		{"add -m", []string{"add", "-m", encode(t, n)}},
		{"add -F", []string{"add", "-F", "-"}},
		{"add -m with trailing blank lines", []string{"add", "-m", encode(t, n) + "\n\n"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"notes", "--ref", "tokenyield"}, tt.args...)
			if _, err := gittest.GitInput(dir, []byte(encode(t, n)+"\n"), append(args, cs[i])...); err != nil {
				t.Fatal(err)
			}
			sameNote(t, "Read", mustRead(t, open(t, dir), cs[i]), n)
		})
	}
}

func TestFanoutLayouts(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	const count = 300
	cs := gittest.Commits(t, dir, count+2)
	// git notes add, one process per note, makes git choose a fan-out.
	for i, c := range cs[:count] {
		gittest.Git(t, dir, "notes", "--ref", "tokenyield", "add", "-m", encode(t, numbered(i)), c)
	}
	rootNames := strings.Fields(gittest.Git(t, dir, "ls-tree", "--name-only", ledger.NotesRef))
	if len(rootNames) == 0 || len(rootNames[0]) != 2 {
		t.Fatalf("git did not fan out: root has %d entries, first %q", len(rootNames), rootNames[0])
	}
	l := open(t, dir)
	for i, c := range cs[:count] {
		sameNote(t, "Read "+c, mustRead(t, l, c), numbered(i))
	}
	if list, err := l.List(); err != nil || len(list) != count {
		t.Fatalf("List: %d notes, %v", len(list), err)
	}

	// Ledger writes into the fan-out tree: a new note, a replaced one and a
	// removed one; git reads the result and the layout is kept.
	if err := l.WriteMany(map[plumbing.Hash]attribution.Note{
		hash(cs[count]): numbered(count),
		hash(cs[0]):     numbered(9999),
	}); err != nil {
		t.Fatal(err)
	}
	if err := l.Remove(hash(cs[1])); err != nil {
		t.Fatal(err)
	}
	if got := gittest.Git(t, dir, "notes", "--ref", "tokenyield", "show", cs[count]); got != encode(t, numbered(count)) {
		t.Errorf("git notes show new = %q", got)
	}
	if got := gittest.Git(t, dir, "notes", "--ref", "tokenyield", "show", cs[0]); got != encode(t, numbered(9999)) {
		t.Errorf("git notes show replaced = %q", got)
	}
	if n := len(strings.Split(gittest.Git(t, dir, "notes", "--ref", "tokenyield", "list"), "\n")); n != count {
		t.Errorf("git notes list: %d notes, want %d", n, count)
	}
	for _, p := range strings.Fields(gittest.Git(t, dir, "ls-tree", "-r", "--name-only", ledger.NotesRef)) {
		if len(p) != 41 || p[2] != '/' {
			t.Errorf("path %q is not in the 1-level fan-out layout", p)
		}
	}
	// And git can keep writing after us.
	gittest.Git(t, dir, "notes", "--ref", "tokenyield", "add", "-m", encode(t, numbered(7)), cs[count+1])
	sameNote(t, "Read after git wrote", mustRead(t, open(t, dir), cs[count+1]), numbered(7))
	fsck(t, dir)
}

func TestLedgerLayout(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	cs := gittest.Commits(t, dir, 600)
	l := open(t, dir)

	many := func(from, to int) map[plumbing.Hash]attribution.Note {
		m := map[plumbing.Hash]attribution.Note{}
		for i := from; i < to; i++ {
			m[hash(cs[i])] = numbered(i)
		}
		return m
	}
	rootNameLen := func() map[int]int {
		lens := map[int]int{}
		for _, name := range strings.Fields(gittest.Git(t, dir, "ls-tree", "--name-only", ledger.NotesRef)) {
			lens[len(name)]++
		}
		return lens
	}
	// Up to 256 notes: flat, in one commit.
	if err := l.WriteMany(many(0, 256)); err != nil {
		t.Fatal(err)
	}
	if got := rootNameLen(); got[40] != 256 || len(got) != 1 {
		t.Errorf("256 notes: root name lengths %v, want flat", got)
	}
	if got := gittest.Git(t, dir, "rev-list", "--count", ledger.NotesRef); got != "1" {
		t.Errorf("WriteMany made %s commits", got)
	}
	// The 257th converts the tree to one fan-out level.
	if err := l.Write(hash(cs[256]), numbered(256)); err != nil {
		t.Fatal(err)
	}
	if got := rootNameLen(); got[2] == 0 || len(got) != 1 {
		t.Errorf("257 notes: root name lengths %v, want only fan-out dirs", got)
	}
	if err := l.WriteMany(many(257, 600)); err != nil {
		t.Fatal(err)
	}
	if got := strings.Split(gittest.Git(t, dir, "notes", "--ref", "tokenyield", "list"), "\n"); len(got) != 600 {
		t.Errorf("git notes list: %d", len(got))
	}
	for _, i := range []int{0, 255, 256, 257, 599} {
		if got := gittest.Git(t, dir, "notes", "--ref", "tokenyield", "show", cs[i]); got != encode(t, numbered(i)) {
			t.Errorf("git notes show %d = %q", i, got)
		}
		sameNote(t, fmt.Sprint("Read ", i), mustRead(t, l, cs[i]), numbered(i))
	}
	// Removals keep the layout.
	for i := 3; i < 600; i++ {
		if i%50 == 0 {
			if err := l.Remove(hash(cs[i])); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := strings.Split(gittest.Git(t, dir, "notes", "--ref", "tokenyield", "list"), "\n"); len(got) != 600-11 {
		t.Errorf("after removals: %d notes", len(got))
	}
	fsck(t, dir)
}

func TestWorktreeAndSubdir(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	c1 := gittest.Commit(t, dir, "a/b/c.txt", "x\n", "first")
	wt := filepath.Join(t.TempDir(), "wt")
	gittest.Git(t, dir, "worktree", "add", "-q", "-b", "side", wt)
	c2 := gittest.Commit(t, wt, "w.txt", "w\n", "in the worktree")

	if err := open(t, wt).Write(hash(c2), numbered(2)); err != nil {
		t.Fatal(err)
	}
	if err := open(t, filepath.Join(dir, "a", "b")).Write(hash(c1), numbered(1)); err != nil {
		t.Fatal(err)
	}
	// Both notes live in the common dir: git sees them from either side.
	for _, d := range []string{dir, wt} {
		if got := gittest.Git(t, d, "notes", "--ref", "tokenyield", "show", c2); got != encode(t, numbered(2)) {
			t.Errorf("from %s: %q", d, got)
		}
		if got := gittest.Git(t, d, "notes", "--ref", "tokenyield", "show", c1); got != encode(t, numbered(1)) {
			t.Errorf("from %s: %q", d, got)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", "worktrees", "wt", "refs", "notes")); err == nil {
		t.Error("notes ref written into the worktree's private dir")
	}
	// A bare clone works too.
	bare := filepath.Join(t.TempDir(), "bare.git")
	gittest.Git(t, "", "clone", "-q", "--bare", dir, bare)
	gittest.Git(t, dir, "push", "-q", bare, ledger.NotesRef)
	sameNote(t, "bare", mustRead(t, open(t, bare), c1), numbered(1))

	// HEAD is the worktree's own: each side sees its own branch's commit.
	for _, tc := range []struct{ dir, want, msg string }{
		{dir, c1, "first\n"}, {filepath.Join(dir, "a"), c1, "first\n"}, {wt, c2, "in the worktree\n"}, {bare, c1, "first\n"},
	} {
		if h, msg, ok := open(t, tc.dir).Head(); !ok || h.String() != tc.want || msg != tc.msg {
			t.Errorf("Head from %s = %s %q %v, want %s", tc.dir, h, msg, ok, tc.want)
		}
	}
	empty := gittest.Init(t)
	if _, _, ok := open(t, empty).Head(); ok {
		t.Error("Head of a repository without commits")
	}

	if _, err := ledger.Open(t.TempDir()); !errors.Is(err, ledger.ErrNotRepository) {
		t.Errorf("Open outside a repository: %v", err)
	}
	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, ".git"), []byte("not a pointer\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.Open(broken); err == nil {
		t.Error("Open accepted a .git file without gitdir:")
	}
}

func TestConcurrentWrites(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	gittest.Commit(t, dir, "x", "x\n", "base")
	wt := filepath.Join(t.TempDir(), "wt")
	gittest.Git(t, dir, "worktree", "add", "-q", "-b", "side", wt)
	const goroutines, perGoroutine, perProcess = 6, 15, 25
	cs := gittest.Commits(t, dir, goroutines*perGoroutine+2*perProcess)

	// Two other processes, one per worktree, write at the same time.
	var procs []*exec.Cmd
	for p, d := range []string{dir, wt} {
		mine := cs[goroutines*perGoroutine+p*perProcess : goroutines*perGoroutine+(p+1)*perProcess]
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "LEDGER_HELPER=1", "LEDGER_DIR="+d, "LEDGER_COMMITS="+strings.Join(mine, " "))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, cmd)
	}
	shared := open(t, dir)
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*perGoroutine)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := shared
			if g%2 == 1 { // half share one Ledger, half open their own
				var err error
				if l, err = ledger.Open(wt); err != nil {
					errs <- err
					return
				}
				defer func() { _ = l.Close() }()
			}
			for i := 0; i < perGoroutine; i++ {
				k := g*perGoroutine + i
				if err := l.Write(hash(cs[k]), numbered(k)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, p := range procs {
		if err := p.Wait(); err != nil {
			t.Errorf("helper process: %v", err)
		}
	}
	l := open(t, dir)
	list, err := l.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(cs) {
		t.Errorf("%d notes after concurrent writes, want %d", len(list), len(cs))
	}
	for k := 0; k < goroutines*perGoroutine; k++ {
		sameNote(t, "goroutine note", mustRead(t, l, cs[k]), numbered(k))
	}
	for p := 0; p < 2; p++ {
		for i := 0; i < perProcess; i++ {
			sameNote(t, "process note", mustRead(t, l, cs[goroutines*perGoroutine+p*perProcess+i]), numbered(1000+i))
		}
	}
	if got := strings.Split(gittest.Git(t, dir, "notes", "--ref", "tokenyield", "list"), "\n"); len(got) != len(cs) {
		t.Errorf("git notes list: %d", len(got))
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", ledger.NotesRef+".lock")); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
	fsck(t, dir)
}

func TestLockedByGit(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	c := gittest.Commit(t, dir, "x", "x\n", "base")
	l := open(t, dir)
	if err := l.Write(hash(c), numbered(1)); err != nil {
		t.Fatal(err)
	}
	// While our writer holds the lock git's own update fails: simulate the
	// reverse, git holding it, and check that Write waits and then succeeds.
	lock := filepath.Join(dir, ".git", ledger.NotesRef+".lock")
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Write(hash(c), numbered(2)) }()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Write did not wait for the lock: %v", err)
	default:
	}
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	sameNote(t, "after lock", mustRead(t, l, c), numbered(2))

	// A lock that stays (a crashed writer) is reported, with the fix.
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	defer ledger.SetLockTimeout(200 * time.Millisecond)()
	err := l.Write(hash(c), numbered(3))
	if !errors.Is(err, ledger.ErrLocked) || !strings.Contains(err.Error(), lock) || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("stale lock: %v", err)
	}
	sameNote(t, "unchanged", mustRead(t, l, c), numbered(2))
}

func TestHostileNotes(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	good := encode(t, numbered(1))
	huge := make([]byte, 10<<20)
	for i := range huge {
		huge[i] = byte('a' + i%26)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"malformed json", []byte(`{"v":1,"rows":[`)},
		{"not json", []byte("Fixed a bug.\n")},
		{"wrong version", []byte(strings.Replace(good, `"v":1`, `"v":2`, 1))},
		{"no version", []byte(`{"rows":[],"total":{}}`)},
		{"10 MB blob", huge},
		{"10 MB of valid-looking json", []byte(good[:len(good)-1] + `,"pad":"` + string(huge) + `"}`)},
		{"huge number", []byte(strings.Replace(good, `"input":101`, `"input":1e30`, 1))},
		{"number over the limit", []byte(strings.Replace(good, `"input":101`, `"input":99999999999999`, 1))},
		{"negative", []byte(strings.Replace(good, `"input":101`, `"input":-5`, 1))},
		{"markdown in agent", []byte(strings.Replace(good, `"agent":"claude-code"`, `"agent":"**[click](http://x)**"`, 1))},
		{"html in model", []byte(strings.Replace(good, `"model":"claude-sonnet-4-5"`, `"model":"<img src=x onerror=alert(1)>"`, 1))},
		{"unknown field", []byte(strings.Replace(good, `"v":1`, `"v":1,"evil":true`, 1))},
		{"total mismatch", []byte(strings.Replace(good, `"total":`, `"total":{"input":1},"x":`, 1))},
		{"second document bad", []byte(good + "\n\n{\"v\":1,\"rows\":[],\"total\":{\"input\":5}}\n")},
		{"deep nesting", []byte(strings.Repeat("[", 100000))},
		{"nul bytes", []byte("\x00\x00\x00")},
		{"whitespace only", []byte("\n\n  \n")},
	}
	cs := gittest.Commits(t, dir, len(tests)+1)
	for i, tt := range tests {
		gitNote(t, dir, cs[i], tt.data)
	}
	gittest.Git(t, dir, "notes", "--ref", "tokenyield", "add", "-m", good, cs[len(tests)])

	check := func(t *testing.T) {
		l := open(t, dir)
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				n, ok, err := l.Read(hash(cs[i]))
				runtime.ReadMemStats(&after)
				if !ok || !errors.Is(err, attribution.ErrBadNote) {
					t.Fatalf("Read = %+v, ok %v, err %v; want ErrBadNote", n, ok, err)
				}
				if len(tt.data) > attribution.MaxNoteBytes {
					if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<20 {
						t.Errorf("reading a %d byte note allocated %d bytes", len(tt.data), alloc)
					}
				}
				if _, err := ledger.DecodeStored(tt.data); !errors.Is(err, attribution.ErrBadNote) {
					t.Errorf("DecodeStored: %v", err)
				}
			})
		}
		// A bad note does not hide the good one, nor break List.
		sameNote(t, "good note", mustRead(t, l, cs[len(tests)]), numbered(1))
		list, err := l.List()
		if err != nil || len(list) != len(tests)+1 {
			t.Fatalf("List: %d, %v", len(list), err)
		}
		if list[hash(cs[4])] != nil {
			t.Error("List returned the 10 MB blob")
		}
	}
	t.Run("loose", check)
	gittest.Git(t, dir, "repack", "-a", "-d", "-q")
	t.Run("packed", check)

	// A note entry that is a tree, not a blob.
	tree := gittest.Git(t, dir, "rev-parse", ledger.NotesRef+"^{tree}")
	var mk strings.Builder
	fmt.Fprintf(&mk, "040000 tree %s\t%s\n", tree, cs[0])
	newTree, err := gittest.GitInput(dir, []byte(mk.String()), "mktree")
	if err != nil {
		t.Fatal(err)
	}
	commit := gittest.Git(t, dir, "commit-tree", newTree, "-m", "hostile")
	gittest.Git(t, dir, "update-ref", ledger.NotesRef, commit)
	if _, ok, err := open(t, dir).Read(hash(cs[0])); ok || err != nil {
		// A directory named like a full id is not a note for git either.
		t.Errorf("tree entry: ok %v err %v", ok, err)
	}
}

func TestConcatenatedNotes(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	gittest.Git(t, dir, "config", "notes.rewriteRef", ledger.NotesRef)
	c := gittest.Commit(t, dir, "a", "a\n", "first")
	n1 := note(row("claude-code", "s1", "claude-opus-4-6", 100, 10, 0.5))
	n2 := note(row("claude-code", "s1", "claude-opus-4-6", 30, 3, 0.25), row("codex", "t9", "gpt-5", 5, 5, -1))
	l := open(t, dir)
	if err := l.Write(hash(c), n1); err != nil {
		t.Fatal(err)
	}

	// amend copies the note to the new commit (it had none).
	gittest.Git(t, dir, "commit", "-q", "--amend", "-m", "first, amended")
	amended := gittest.Git(t, dir, "rev-parse", "HEAD")
	sameNote(t, "after amend", mustRead(t, l, amended), n1)

	// git notes append concatenates like the rewrite does.
	gittest.Git(t, dir, "notes", "--ref", "tokenyield", "append", "-m", encode(t, n2), amended)
	raw, _, _ := l.ReadRaw(hash(amended))
	if !strings.Contains(string(raw), "}\n\n{") {
		t.Fatalf("not concatenated: %q", raw)
	}
	sameNote(t, "appended", mustRead(t, l, amended), attribution.Merge(n1, n2))

	// The rewrite path proper: both old and new commit have notes.
	x := gittest.Commit(t, dir, "b", "b\n", "x")
	y := gittest.Commit(t, dir, "c", "c\n", "y")
	if err := l.WriteMany(map[plumbing.Hash]attribution.Note{hash(x): n1, hash(y): n2}); err != nil {
		t.Fatal(err)
	}
	if _, err := gittest.GitInput(dir, []byte(x+" "+y+"\n"), "notes", "copy", "--for-rewrite=amend"); err != nil {
		t.Fatal(err)
	}
	sameNote(t, "copied for rewrite", mustRead(t, l, y), attribution.Merge(n2, n1))

	// The same note copied twice counts once.
	z := gittest.Commit(t, dir, "d", "d\n", "z")
	if err := l.Write(hash(z), n1); err != nil {
		t.Fatal(err)
	}
	gittest.Git(t, dir, "notes", "--ref", "tokenyield", "append", "-m", encode(t, n1), z)
	sameNote(t, "duplicate document", mustRead(t, l, z), n1)
}

func TestDecodeStored(t *testing.T) {
	a, b, c := numbered(1), numbered(2), note(row("codex", "t", "gpt-5", 1, 1, -1))
	ea, eb, ec := encode(t, a), encode(t, b), encode(t, c)
	tests := []struct {
		name string
		data string
		want attribution.Note
		ok   bool
	}{
		{"one", ea + "\n", a, true},
		{"one without newline", ea, a, true},
		{"two", ea + "\n\n" + eb + "\n", attribution.Merge(a, b), true},
		{"three", ea + "\n\n" + eb + "\n\n" + ec + "\n", attribution.Merge(attribution.Merge(a, b), c), true},
		{"crlf and spaces", ea + "\r\n \r\n" + eb, attribution.Merge(a, b), true},
		{"duplicate", ea + "\n\n" + ea + "\n", a, true},
		{"empty", "", attribution.Note{}, false},
		{"blank", "\n\n", attribution.Note{}, false},
		{"trailing garbage", ea + "\n\nnot json\n", attribution.Note{}, false},
		{"leading garbage", "x" + ea, attribution.Note{}, false},
		{"array", "[" + ea + "]", attribution.Note{}, false},
		{"too many documents", strings.Repeat(ea+"\n\n", 1) + func() string {
			var s strings.Builder
			for i := 0; i < 70; i++ {
				s.WriteString(encode(t, numbered(100+i)) + "\n\n")
			}
			return s.String()
		}(), attribution.Note{}, false},
		{"too large", ea + strings.Repeat(" ", attribution.MaxNoteBytes), attribution.Note{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ledger.DecodeStored([]byte(tt.data))
			if !tt.ok {
				if !errors.Is(err, attribution.ErrBadNote) {
					t.Fatalf("err = %v, want ErrBadNote", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sameNote(t, "DecodeStored", got, tt.want)
		})
	}
}
