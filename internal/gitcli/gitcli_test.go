package gitcli_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
)

func newGit(t *testing.T, dir string) *gitcli.Git {
	t.Helper()
	g, err := gitcli.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestFind(t *testing.T) {
	p1, err := gitcli.Find()
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(p1) {
		t.Errorf("Find() = %q, want an absolute path", p1)
	}
	// Cached: a later PATH change does not matter.
	t.Setenv("PATH", "")
	p2, err := gitcli.Find()
	if err != nil || p2 != p1 {
		t.Errorf("second Find() = %q, %v; want %q, nil", p2, err, p1)
	}
}

func TestRunAndError(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	g := newGit(t, dir)
	ctx := context.Background()

	out, err := g.Run(ctx, "rev-parse", "--is-inside-work-tree")
	if err != nil || strings.TrimSpace(string(out)) != "true" {
		t.Fatalf("Run = %q, %v", out, err)
	}

	h, err := g.RunInput(ctx, []byte("hello\n"), "hash-object", "--stdin")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(h)); got != "ce013625030ba8dba906f756967f9e9ca394464a" {
		t.Errorf("hash-object = %s", got)
	}

	_, err = g.Run(ctx, "cat-file", "-t", "no-such-ref")
	var ge *gitcli.Error
	if !errors.As(err, &ge) {
		t.Fatalf("err = %T %v, want *gitcli.Error", err, err)
	}
	if ge.ExitCode != 128 || !strings.Contains(ge.Stderr, "no-such-ref") || ge.Stderr != strings.TrimSpace(ge.Stderr) {
		t.Errorf("Error = %+v", ge)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "git cat-file -t no-such-ref: exit status 128: fatal: ") {
		t.Errorf("Error() = %q", msg)
	}
	if gitcli.ExitCode(err) != 128 || gitcli.ExitCode(errors.New("x")) != -1 {
		t.Error("ExitCode")
	}

	// Env reaches the command and overrides the inherited value.
	ge2 := g.WithEnv("GIT_AUTHOR_NAME=Someone Else")
	out, err = ge2.Run(ctx, "var", "GIT_AUTHOR_IDENT")
	if err != nil || !strings.HasPrefix(string(out), "Someone Else <") {
		t.Errorf("WithEnv: %q, %v", out, err)
	}
	if len(g.Env) != 0 {
		t.Error("WithEnv modified the original")
	}
}

func TestRunContext(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	g := newGit(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// The alias runs a shell whose child keeps git's stdout open: Run must
	// still return soon after the deadline (WaitDelay).
	start := time.Now()
	_, err := g.Run(ctx, "-c", "alias.sleepy=!sleep 10", "sleepy")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if gitcli.ExitCode(err) != -1 {
		t.Errorf("ExitCode = %d, want -1", gitcli.ExitCode(err))
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("Run returned after %v", d)
	}
}

func TestDirs(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	gittest.Commit(t, dir, "a.txt", "a\n", "first")
	sub := filepath.Join(dir, "sub", "deeper")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	wt := filepath.Join(t.TempDir(), "wt")
	gittest.Git(t, dir, "worktree", "add", "-q", "-b", "other", wt)

	real := func(p string) string {
		t.Helper()
		r, err := filepath.EvalSymlinks(p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	mainGit := real(filepath.Join(dir, ".git"))
	tests := []struct {
		name                   string
		dir                    string
		top, gitDir, commonDir string
	}{
		{"top", dir, real(dir), mainGit, mainGit},
		{"subdir", sub, real(dir), mainGit, mainGit},
		{"dotgit", filepath.Join(dir, ".git"), "", mainGit, mainGit},
		{"worktree", wt, real(wt), filepath.Join(mainGit, "worktrees", "wt"), mainGit},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGit(t, tt.dir)
			if tt.top != "" {
				top, err := g.TopLevel(ctx)
				if err != nil || real(top) != tt.top {
					t.Errorf("TopLevel = %q, %v; want %q", top, err, tt.top)
				}
			} else if _, err := g.TopLevel(ctx); err == nil {
				t.Error("TopLevel inside .git succeeded")
			}
			gd, err := g.GitDir(ctx)
			if err != nil || !filepath.IsAbs(gd) || real(gd) != tt.gitDir {
				t.Errorf("GitDir = %q, %v; want %q", gd, err, tt.gitDir)
			}
			cd, err := g.CommonDir(ctx)
			if err != nil || !filepath.IsAbs(cd) || real(cd) != tt.commonDir {
				t.Errorf("CommonDir = %q, %v; want %q", cd, err, tt.commonDir)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	home := gittest.Isolate(t)
	dir := gittest.Init(t)
	g := newGit(t, dir)
	ctx := context.Background()

	if v, ok, err := g.ConfigGet(ctx, "tokenyield.missing"); err != nil || ok || v != "" {
		t.Errorf("unset: %q %v %v", v, ok, err)
	}
	if _, _, err := g.ConfigGet(ctx, "nosection"); err == nil {
		t.Error("invalid key: no error")
	}
	if vs, err := g.ConfigGetAll(ctx, "tokenyield.missing"); err != nil || vs != nil {
		t.Errorf("GetAll unset: %q %v", vs, err)
	}

	if err := g.ConfigSet(ctx, "notes.rewriteRef", "refs/notes/tokenyield"); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := g.ConfigGet(ctx, "notes.rewriteRef", gitcli.ScopeLocal); err != nil || !ok || v != "refs/notes/tokenyield" {
		t.Errorf("get local: %q %v %v", v, ok, err)
	}
	if _, ok, _ := g.ConfigGet(ctx, "notes.rewriteRef", gitcli.ScopeGlobal); ok {
		t.Error("local value visible in global scope")
	}

	// Multi-valued keys, values with newlines and leading dashes.
	for _, v := range []string{"refs/notes/a", "-x", "multi\nline"} {
		if err := g.ConfigAdd(ctx, "tokenyield.multi", v); err != nil {
			t.Fatal(err)
		}
	}
	vs, err := g.ConfigGetAll(ctx, "tokenyield.multi")
	if err != nil || !slices.Equal(vs, []string{"refs/notes/a", "-x", "multi\nline"}) {
		t.Errorf("GetAll = %q, %v", vs, err)
	}
	if v, _, _ := g.ConfigGet(ctx, "tokenyield.multi"); v != "multi\nline" {
		t.Errorf("Get of multi-valued = %q, want the last", v)
	}
	// Set replaces every value.
	if err := g.ConfigSet(ctx, "tokenyield.multi", "one"); err != nil {
		t.Fatal(err)
	}
	if vs, _ := g.ConfigGetAll(ctx, "tokenyield.multi"); !slices.Equal(vs, []string{"one"}) {
		t.Errorf("after Set: %q", vs)
	}
	if err := g.ConfigUnsetAll(ctx, "tokenyield.multi"); err != nil {
		t.Fatal(err)
	}
	if err := g.ConfigUnsetAll(ctx, "tokenyield.multi"); err != nil {
		t.Errorf("unset of missing key: %v", err)
	}
	if _, ok, _ := g.ConfigGet(ctx, "tokenyield.multi"); ok {
		t.Error("still set")
	}

	// Global scope writes the temporary HOME's config, never the real one.
	if err := g.ConfigSet(ctx, "tokenyield.g", "v", gitcli.ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(home, ".gitconfig"))
	if err != nil || !strings.Contains(string(b), "g = v") {
		t.Errorf("global file: %q %v", b, err)
	}
	if v, ok, _ := g.ConfigGet(ctx, "tokenyield.g"); !ok || v != "v" {
		t.Error("global value not visible by default")
	}
	if _, ok, _ := g.ConfigGet(ctx, "tokenyield.g", gitcli.ScopeLocal); ok {
		t.Error("global value visible in local scope")
	}
	if err := g.ConfigUnsetAll(ctx, "tokenyield.g", gitcli.ScopeGlobal); err != nil {
		t.Fatal(err)
	}

	if _, _, err := g.ConfigGet(ctx, "a.b", gitcli.ScopeLocal, gitcli.ScopeGlobal); err == nil {
		t.Error("two scopes accepted")
	}
	if err := g.ConfigSet(ctx, "a.b", "c", gitcli.Scope(42)); err == nil {
		t.Error("unknown scope accepted")
	}
	if gitcli.ScopeGlobal.String() != "global" || gitcli.Scope(9).String() != "Scope(9)" {
		t.Error("Scope.String")
	}
}

func TestIsShallow(t *testing.T) {
	gittest.Isolate(t)
	src := gittest.Init(t)
	gittest.Commits(t, src, 3)
	ctx := context.Background()

	shallow, err := newGit(t, src).IsShallow(ctx)
	if shallow || err != nil {
		t.Errorf("full repo: %v %v", shallow, err)
	}

	clone := filepath.Join(t.TempDir(), "shallow")
	gittest.Git(t, "", "clone", "-q", "--depth=1", "file://"+src, clone)
	g := newGit(t, clone)
	shallow, err = g.IsShallow(ctx)
	if !shallow || !errors.Is(err, gitcli.ErrShallow) {
		t.Fatalf("shallow clone: %v %v", shallow, err)
	}
	for _, want := range []string{"git fetch --unshallow", "fetch-depth: 0"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}

	if _, err := newGit(t, t.TempDir()).IsShallow(ctx); err == nil || errors.Is(err, gitcli.ErrShallow) {
		t.Errorf("outside a repo: %v", err)
	}
}

func TestRunStream(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	big := strings.Repeat("a line of a big file\n", 50000) // 1 MB: more than a pipe holds
	gittest.Commit(t, dir, "big.txt", big, "big")
	g := newGit(t, dir)
	ctx := context.Background()

	var n int
	err := g.RunStream(ctx, func(r io.Reader) error {
		b, err := io.ReadAll(r)
		n = len(b)
		return err
	}, "show", "HEAD:big.txt")
	if err != nil || n != len(big) {
		t.Fatalf("streamed %d bytes, want %d: %v", n, len(big), err)
	}

	// A consumer that stops early gets its own error back, and git is not
	// left blocked on a full pipe.
	stop := errors.New("enough")
	err = g.RunStream(ctx, func(r io.Reader) error {
		_, _ = r.Read(make([]byte, 10))
		return stop
	}, "show", "HEAD:big.txt")
	if !errors.Is(err, stop) {
		t.Fatalf("early stop: %v", err)
	}

	// A failing git gives a *gitcli.Error with its exit code.
	err = g.RunStream(ctx, func(r io.Reader) error { _, err := io.ReadAll(r); return err }, "show", "HEAD:missing.txt")
	var ge *gitcli.Error
	if !errors.As(err, &ge) || ge.ExitCode != 128 {
		t.Fatalf("failing git: %v", err)
	}
}
