package hook

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	type fixture struct {
		e    *testEnv
		repo string
		bin  string
		o    Options
	}
	tests := []struct {
		name      string
		noInstall bool
		before    func(f *fixture) // before install
		after     func(f *fixture) // after install
		sev       Severity         // "" = no problems at all
		what, fix string           // substrings of the problem
	}{
		{name: "clean install"},
		{
			name:  "global clean install",
			after: func(f *fixture) { f.e.uninstall(f.o); f.o.Global = true; f.e.install(f.o) },
		},
		{
			name:  "not a repository",
			after: func(f *fixture) { f.o.Dir = f.e.root },
			sev:   SeverityError, what: "is not inside a git repository", fix: "git init",
		},
		{
			name: "not installed", noInstall: true,
			sev: SeverityError, what: "not installed in this repository", fix: "tokenyield install",
		},
		{
			name:  "hook missing",
			after: func(f *fixture) { os.Remove(filepath.Join(f.repo, ".git", "hooks", "post-rewrite")) },
			sev:   SeverityError, what: "the post-rewrite hook is missing", fix: "tokenyield install",
		},
		{
			name: "hook not executable",
			after: func(f *fixture) {
				os.Chmod(filepath.Join(f.repo, ".git", "hooks", "pre-push"), 0o644)
			},
			sev: SeverityError, what: "pre-push is not executable", fix: "chmod +x",
		},
		{
			name:   "husky regenerated its directory",
			before: func(f *fixture) { f.e.git(f.repo, "config", "core.hooksPath", ".husky/_") },
			after: func(f *fixture) {
				writeFile(t, filepath.Join(f.repo, ".husky", "_", "commit-msg"), "#!/usr/bin/env sh\n. \"${0%/*}/h\"\n", 0o755)
			},
			sev: SeverityError, what: "husky may have regenerated", fix: "tokenyield install",
		},
		{
			name: "chained original gone",
			before: func(f *fixture) {
				writeFile(t, filepath.Join(f.repo, ".git", "hooks", "commit-msg"), "#!/bin/sh\n", 0o755)
			},
			after: func(f *fixture) {
				os.Remove(filepath.Join(f.repo, ".git", "hooks", "commit-msg"+chainedSuffix))
			},
			sev: SeverityWarning, what: "is gone", fix: "tokenyield install",
		},
		{
			name: "chained original not executable",
			before: func(f *fixture) {
				writeFile(t, filepath.Join(f.repo, ".git", "hooks", "pre-push"), "#!/bin/sh\n", 0o755)
			},
			after: func(f *fixture) {
				os.Chmod(filepath.Join(f.repo, ".git", "hooks", "pre-push"+chainedSuffix), 0o644)
			},
			sev: SeverityWarning, what: "is not executable, so it does not run", fix: "chmod +x",
		},
		{
			name:  "binary missing",
			after: func(f *fixture) { os.Remove(f.bin) },
			sev:   SeverityError, what: "which is missing or not executable", fix: "tokenyield install",
		},
		{
			name: "binary differs",
			after: func(f *fixture) {
				other, _ := f.e.fakeBinary(filepath.Join(f.e.root, "newer"))
				f.o.Binary = other
			},
			sev: SeverityWarning, what: "but this tokenyield is", fix: "tokenyield install",
		},
		{
			name:  "core.hooksPath changed since install",
			after: func(f *fixture) { f.e.git(f.repo, "config", "core.hooksPath", ".githooks") },
			sev:   SeverityError, what: "core.hooksPath changed since install", fix: "tokenyield install",
		},
		{
			name: "repository hooksPath hides the global install",
			after: func(f *fixture) {
				f.e.uninstall(f.o)
				f.o.Global = true
				f.e.install(f.o)
				f.e.git(f.repo, "config", "core.hooksPath", ".githooks")
				f.o.Global = false
			},
			sev: SeverityError, what: "overrides the global hooks dir", fix: "tokenyield install",
		},
		{
			name:  "notes.rewriteRef removed",
			after: func(f *fixture) { f.e.git(f.repo, "config", "--unset-all", "notes.rewriteRef") },
			sev:   SeverityError, what: "notes.rewriteRef does not include", fix: "git config --add notes.rewriteRef refs/notes/tokenyield",
		},
		{
			name:  "GIT_NOTES_REWRITE_REF without the ref",
			after: func(f *fixture) { f.o.Env = append(f.o.Env, "GIT_NOTES_REWRITE_REF=refs/notes/commits") },
			sev:   SeverityError, what: "GIT_NOTES_REWRITE_REF", fix: "unset it",
		},
		{
			name:  "notes.rewrite.amend false",
			after: func(f *fixture) { f.e.git(f.repo, "config", "notes.rewrite.amend", "false") },
			sev:   SeverityError, what: "notes.rewrite.amend is false", fix: "git config --local --unset notes.rewrite.amend",
		},
		{
			name:  "notes.rewrite.rebase false globally",
			after: func(f *fixture) { f.e.git(f.repo, "config", "--global", "notes.rewrite.rebase", "no") },
			sev:   SeverityError, what: "notes.rewrite.rebase is false", fix: "git config --global --unset notes.rewrite.rebase",
		},
		{
			name:  "notes.rewriteMode ignore",
			after: func(f *fixture) { f.e.git(f.repo, "config", "notes.rewriteMode", "ignore") },
			sev:   SeverityError, what: "notes.rewriteMode is ignore", fix: "--unset notes.rewriteMode",
		},
		{
			name: "forced glob notes refspec",
			after: func(f *fixture) {
				f.e.git(f.repo, "config", "--add", "remote.origin.fetch", "+refs/notes/*:refs/notes/*")
			},
			sev: SeverityWarning, what: "force-overwrites refs/notes/tokenyield", fix: "tokenyield fetch",
		},
		{
			name: "forced exact notes refspec",
			after: func(f *fixture) {
				f.e.git(f.repo, "config", "--add", "remote.origin.fetch", "+refs/notes/tokenyield:refs/notes/tokenyield")
			},
			sev: SeverityWarning, what: "force-overwrites", fix: "remote.origin.fetch '+refs/notes/tokenyield:refs/notes/tokenyield'",
		},
		{
			name:  "mirror refspec",
			after: func(f *fixture) { f.e.git(f.repo, "config", "--add", "remote.origin.fetch", "+refs/*:refs/*") },
			sev:   SeverityWarning, what: "force-overwrites", fix: "tokenyield fetch",
		},
		{
			name: "fast-forward-only notes refspec",
			after: func(f *fixture) {
				f.e.git(f.repo, "config", "--add", "remote.origin.fetch", "refs/notes/tokenyield:refs/notes/tokenyield")
			},
			sev: SeverityInfo, what: "fails the fetch whenever", fix: "tokenyield fetch",
		},
		{
			name:  "no remotes",
			after: func(f *fixture) { f.e.git(f.repo, "remote", "remove", "origin") },
			sev:   SeverityInfo, what: "no remote", fix: "git remote add",
		},
		{
			name:  "TOKENYIELD_DISABLE set",
			after: func(f *fixture) { f.o.Env = append(f.o.Env, "TOKENYIELD_DISABLE=1") },
			sev:   SeverityWarning, what: "TOKENYIELD_DISABLE=1", fix: "unset TOKENYIELD_DISABLE",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			repo := e.repo("repo")
			e.bare(repo)
			bin, _ := e.fakeBinary(filepath.Join(e.root, "bin"))
			f := &fixture{e: e, repo: repo, bin: bin, o: e.opts(repo, bin)}
			if tt.before != nil {
				tt.before(f)
			}
			if !tt.noInstall {
				e.install(f.o)
			}
			if tt.after != nil {
				tt.after(f)
			}
			ps := Check(context.Background(), f.o)
			if tt.sev == "" {
				if len(ps) != 0 {
					t.Fatalf("problems after a clean install: %+v", ps)
				}
				return
			}
			for _, p := range ps {
				if p.Severity == tt.sev && strings.Contains(p.What, tt.what) && strings.Contains(p.Fix, tt.fix) {
					return
				}
			}
			t.Errorf("no %s problem with %q / fix %q in:\n%s", tt.sev, tt.what, tt.fix, formatProblems(ps))
		})
	}
}

func formatProblems(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(string(p.Severity) + ": " + p.What + "\n    fix: " + p.Fix + "\n")
	}
	return b.String()
}
