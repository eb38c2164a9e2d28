package tagger

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tokenyield/tokenyield/internal/gitcli"
)

// Repo locates the committing worktree and what it shares with the others.
type Repo struct {
	// Top is the worktree's root, with symbolic links resolved.
	Top string
	// GitDir is the worktree's own git directory; CommonDir the shared one.
	GitDir, CommonDir string
	// Worktrees are the roots of every worktree of the repository (Top
	// included), with symbolic links resolved.
	Worktrees []string
	// Git runs the git binary in Top.
	Git *gitcli.Git
}

// Discover finds the repository containing dir. It reads git's own files
// (.git, commondir) rather than starting git, which matters in a hook; with
// GIT_DIR or GIT_WORK_TREE set, or an unusual layout, it asks git.
func Discover(ctx context.Context, dir string) (*Repo, error) {
	g, err := gitcli.New(dir)
	if err != nil {
		return nil, err
	}
	r, ok := discoverFiles(dir)
	if !ok || os.Getenv("GIT_DIR") != "" || os.Getenv("GIT_WORK_TREE") != "" {
		if r, err = discoverGit(ctx, g, dir); err != nil {
			return nil, err
		}
	}
	r.Worktrees = worktreeRoots(r.CommonDir, r.Top)
	g.Dir = r.Top
	r.Git = g
	return r, nil
}

// discoverFiles finds the worktree containing dir from the .git entry above it.
func discoverFiles(dir string) (*Repo, bool) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return nil, false
	}
	for {
		dotgit := filepath.Join(d, ".git")
		fi, err := os.Stat(dotgit)
		if err == nil {
			r := &Repo{Top: realPath(d)}
			if fi.IsDir() {
				r.GitDir = realPath(dotgit)
			} else {
				b, err := os.ReadFile(dotgit)
				target, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: ")
				if err != nil || !ok {
					return nil, false
				}
				if !filepath.IsAbs(target) {
					target = filepath.Join(d, target)
				}
				r.GitDir = realPath(target)
			}
			r.CommonDir = r.GitDir
			if b, err := os.ReadFile(filepath.Join(r.GitDir, "commondir")); err == nil {
				c := strings.TrimSpace(string(b))
				if !filepath.IsAbs(c) {
					c = filepath.Join(r.GitDir, c)
				}
				r.CommonDir = realPath(c)
			}
			if _, err := os.Stat(filepath.Join(r.GitDir, "HEAD")); err != nil {
				return nil, false
			}
			return r, true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return nil, false
		}
		d = parent
	}
}

// discoverGit asks git (one process).
func discoverGit(ctx context.Context, g *gitcli.Git, dir string) (*Repo, error) {
	out, err := g.Run(ctx, "rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir")
	if err != nil {
		return nil, fmt.Errorf("not inside a git worktree: %w", err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != 3 {
		return nil, fmt.Errorf("unexpected git rev-parse output %q", out)
	}
	r := &Repo{Top: realPath(lines[0]), GitDir: lines[1], CommonDir: lines[2]}
	if !filepath.IsAbs(r.CommonDir) {
		r.CommonDir = filepath.Join(dir, r.CommonDir)
		if abs, err := filepath.Abs(r.CommonDir); err == nil {
			r.CommonDir = abs
		}
	}
	r.CommonDir = filepath.Clean(r.CommonDir)
	return r, nil
}

// worktreeRoots lists every worktree of the repository whose common git
// directory is common, reading git's own records (no process started).
func worktreeRoots(common, top string) []string {
	roots := []string{top}
	if filepath.Base(common) == ".git" {
		roots = append(roots, realPath(filepath.Dir(common)))
	}
	entries, _ := os.ReadDir(filepath.Join(common, "worktrees"))
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(common, "worktrees", e.Name(), "gitdir"))
		if err != nil {
			continue
		}
		roots = append(roots, realPath(filepath.Dir(strings.TrimSpace(string(b)))))
	}
	seen := map[string]bool{}
	out := roots[:0]
	for _, r := range roots {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

// stateDir is where the shared state lives.
func (r *Repo) stateDir() string { return filepath.Join(r.CommonDir, "tokenyield") }

// worktreeDir is where this worktree's own state lives.
func (r *Repo) worktreeDir() string { return filepath.Join(r.GitDir, "tokenyield") }

// SequenceInProgress reports a rebase, during which commits are replayed
// rather than made: nothing is attributed to them.
func (r *Repo) SequenceInProgress() bool {
	for _, d := range []string{"rebase-merge", "rebase-apply"} {
		if _, err := os.Stat(filepath.Join(r.GitDir, d)); err == nil {
			return true
		}
	}
	return false
}

// Owns reports whether a working directory belongs to any worktree of the
// repository (the pending list keeps only such usage).
func (r *Repo) Owns(cwd string) bool {
	for _, w := range r.Worktrees {
		if within(cwd, w) {
			return true
		}
	}
	return false
}

func within(p, dir string) bool {
	if p == "" {
		return false
	}
	p = filepath.Clean(p)
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// excluded returns, for the events' working directories, the directories
// below Top that are not this worktree: other worktrees nested in it, and
// nested repositories (a directory with its own .git between the working
// directory and Top).
func (r *Repo) excluded(cwds map[string]bool) []string {
	var out []string
	for _, w := range r.Worktrees {
		if w != r.Top && within(w, r.Top) {
			out = append(out, w)
		}
	}
	seen := map[string]bool{}
	for cwd := range cwds {
		if !within(cwd, r.Top) {
			continue
		}
		for d := filepath.Clean(cwd); d != r.Top && within(d, r.Top); d = filepath.Dir(d) {
			if seen[d] {
				break
			}
			if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
				seen[d] = true
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// headSHA returns the commit HEAD points at, read from git's files ("" for
// an unborn branch or anything unexpected).
func (r *Repo) headSHA() string {
	b, err := os.ReadFile(filepath.Join(r.GitDir, "HEAD"))
	if err != nil {
		return ""
	}
	head := strings.TrimSpace(string(b))
	ref, symbolic := strings.CutPrefix(head, "ref: ")
	if !symbolic {
		return head
	}
	if b, err := os.ReadFile(filepath.Join(r.CommonDir, filepath.FromSlash(ref))); err == nil {
		return strings.TrimSpace(string(b))
	}
	packed, err := os.ReadFile(filepath.Join(r.CommonDir, "packed-refs"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(packed), "\n") {
		if sha, name, ok := strings.Cut(line, " "); ok && name == ref {
			return sha
		}
	}
	return ""
}
