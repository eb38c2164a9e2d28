package hook

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestInstallFresh(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(e *testEnv, repo string) (dir, wantHooks string)
	}{
		{"default .git/hooks", func(_ *testEnv, repo string) (string, string) {
			return repo, filepath.Join(repo, ".git", "hooks")
		}},
		{"relative core.hooksPath, from a subdirectory", func(e *testEnv, repo string) (string, string) {
			e.git(repo, "config", "core.hooksPath", ".githooks")
			sub := filepath.Join(repo, "sub", "deep")
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			return sub, filepath.Join(repo, ".githooks")
		}},
		{"absolute core.hooksPath", func(e *testEnv, repo string) (string, string) {
			abs := filepath.Join(e.root, "shared hooks")
			e.git(repo, "config", "core.hooksPath", abs)
			return repo, abs
		}},
		{"core.hooksPath with ~", func(e *testEnv, repo string) (string, string) {
			e.git(repo, "config", "core.hooksPath", "~/my-hooks")
			return repo, filepath.Join(e.home, "my-hooks")
		}},
		{"no hooks directory", func(_ *testEnv, repo string) (string, string) {
			if err := os.RemoveAll(filepath.Join(repo, ".git", "hooks")); err != nil {
				t.Fatal(err)
			}
			return repo, filepath.Join(repo, ".git", "hooks")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			repo := e.repo("repo")
			bin, log := e.fakeBinary(filepath.Join(e.root, "bin"))
			dir, want := tt.setup(e, repo)
			rep := e.install(e.opts(dir, bin))

			if rep.HooksDir != want {
				t.Fatalf("HooksDir = %s, want %s", rep.HooksDir, want)
			}
			if rep.AlreadyInstalled || countKind(rep, ActionWrote) != 4 || countKind(rep, ActionConfigAdded) != 1 {
				t.Errorf("report:\n%s%+v", rep, rep.Actions)
			}
			assertInstalled(t, want, bin)
			if want != filepath.Join(repo, ".git", "hooks") {
				for _, name := range hookNames {
					if _, err := os.Stat(filepath.Join(repo, ".git", "hooks", name)); err == nil {
						t.Errorf(".git/hooks/%s written although core.hooksPath is set", name)
					}
				}
			}
			if got := e.git(repo, "config", "--local", "--get-all", "notes.rewriteRef"); got != NotesRef {
				t.Errorf("notes.rewriteRef = %q", got)
			}
			if _, err := os.Stat(filepath.Join(repo, ".git", "tokenyield", "install.json")); err != nil {
				t.Errorf("install record: %v", err)
			}
			// git runs the scripts from that directory
			e.git(repo, "commit", "-q", "--allow-empty", "-m", "work")
			calls := readCalls(t, log)
			if len(hookCalls(calls, "commit-msg")) != 1 || len(hookCalls(calls, "post-commit")) != 1 {
				t.Errorf("calls = %+v", calls)
			}
		})
	}
}

func TestHooksRunWithGitsArguments(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	repo := e.repo("repo")
	remote := e.bare(repo)
	bin, log := e.fakeBinary(filepath.Join(e.root, "bin"))
	e.install(e.opts(repo, bin))

	// commit: commit-msg gets the message file and may edit it; post-commit no arguments
	e.git(repo, "commit", "-q", "--allow-empty", "-m", "feature")
	calls := readCalls(t, log)
	want := []call{
		{"hook commit-msg", ".git/COMMIT_EDITMSG", "", "tokenyield"},
		{"hook post-commit", "", "", "tokenyield"},
	}
	if !slices.Equal(calls, want) {
		t.Fatalf("commit calls = %+v, want %+v", calls, want)
	}
	if msg := e.git(repo, "log", "-1", "--format=%B"); !strings.Contains(msg, "AI-Tokens: 42") {
		t.Errorf("commit message lost the commit-msg edit: %q", msg)
	}

	// amend: post-rewrite "amend" with "old new" on stdin, and the note follows
	old := e.git(repo, "rev-parse", "HEAD")
	e.git(repo, "notes", "--ref=tokenyield", "add", "-m", "usage", "HEAD")
	e.git(repo, "commit", "-q", "--amend", "--allow-empty", "-m", "feature v2")
	amended := e.git(repo, "rev-parse", "HEAD")
	pr := hookCalls(readCalls(t, log), "post-rewrite")
	if len(pr) != 1 || pr[0].args != "amend" || pr[0].stdin != old+" "+amended+";" {
		t.Fatalf("post-rewrite calls = %+v, want amend with %s %s", pr, old, amended)
	}
	if note := e.git(repo, "notes", "--ref=tokenyield", "show", "HEAD"); note != "usage" {
		t.Errorf("note after amend = %q (notes.rewriteRef not applied)", note)
	}

	// rebase: post-rewrite "rebase", the note follows again
	e.git(repo, "rebase", "-q", "--force-rebase", "HEAD~1")
	rebased := e.git(repo, "rev-parse", "HEAD")
	pr = hookCalls(readCalls(t, log), "post-rewrite")
	if len(pr) != 2 || pr[1].args != "rebase" || !strings.HasPrefix(pr[1].stdin, amended+" "+rebased) {
		t.Fatalf("post-rewrite calls = %+v", pr)
	}
	if note := e.git(repo, "notes", "--ref=tokenyield", "show", "HEAD"); note != "usage" {
		t.Errorf("note after rebase = %q", note)
	}

	// push: pre-push gets remote name and URL, and the refs on stdin
	e.git(repo, "push", "-q", "origin", "main")
	pp := hookCalls(readCalls(t, log), "pre-push")
	wantIn := "refs/heads/main " + rebased + " refs/heads/main " + strings.Repeat("0", 40) + ";"
	if len(pp) != 1 || pp[0].args != "origin "+remote || pp[0].stdin != wantIn {
		t.Fatalf("pre-push calls = %+v, want stdin %q", pp, wantIn)
	}
	if left, _ := os.ReadDir(e.tmp); len(left) != 0 {
		t.Errorf("stdin copies left in TMPDIR: %v", left)
	}
}

func TestLinkedWorktree(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	repo := e.repo("repo")
	wt := filepath.Join(e.root, "wt")
	e.git(repo, "worktree", "add", "-q", "-b", "side", wt)
	bin, log := e.fakeBinary(filepath.Join(e.root, "bin"))
	rep := e.install(e.opts(wt, bin))
	if want := filepath.Join(repo, ".git", "hooks"); rep.HooksDir != want {
		t.Fatalf("HooksDir = %s, want %s", rep.HooksDir, want)
	}
	if _, err := os.Stat(filepath.Join(repo, ".git", "tokenyield", "install.json")); err != nil {
		t.Fatalf("record not in the common dir: %v", err)
	}
	e.git(wt, "commit", "-q", "--allow-empty", "-m", "in worktree")
	if n := len(hookCalls(readCalls(t, log), "post-commit")); n != 1 {
		t.Errorf("post-commit ran %d times", n)
	}
}

func TestChaining(t *testing.T) {
	t.Parallel()
	type hookFile struct {
		content string
		mode    os.FileMode
	}
	tests := []struct {
		name    string
		hooks   map[string]hookFile // existing hooks; $LOG2 is the chained log
		op      string              // commit or push
		vars    []string
		wantErr bool
		check   func(t *testing.T, calls []call, chained string)
	}{
		{
			name:  "plain sh commit-msg runs first and sees git's $0",
			hooks: map[string]hookFile{"commit-msg": {"#!/bin/sh\necho \"$(basename \"$0\") $1\" >>\"$LOG2\"\n", 0o755}},
			op:    "commit",
			check: func(t *testing.T, calls []call, chained string) {
				if chained != "commit-msg .git/COMMIT_EDITMSG\n" {
					t.Errorf("chained log %q", chained)
				}
				if len(hookCalls(calls, "commit-msg")) != 1 {
					t.Errorf("calls %+v", calls)
				}
			},
		},
		{
			name:    "failing commit-msg still rejects the commit",
			hooks:   map[string]hookFile{"commit-msg": {"#!/bin/sh\necho rejected >&2\nexit 1\n", 0o755}},
			op:      "commit",
			wantErr: true,
			check: func(t *testing.T, calls []call, _ string) {
				if len(hookCalls(calls, "commit-msg")) != 0 || len(hookCalls(calls, "post-commit")) != 0 {
					t.Errorf("tokenyield ran for a rejected commit: %+v", calls)
				}
			},
		},
		{
			name:    "#!/bin/sh -e flags are kept",
			hooks:   map[string]hookFile{"commit-msg": {"#!/bin/sh -e\nfalse\necho after >>\"$LOG2\"\n", 0o755}},
			op:      "commit",
			wantErr: true,
			check: func(t *testing.T, _ []call, chained string) {
				if chained != "" {
					t.Errorf("set -e ignored: %q", chained)
				}
			},
		},
		{
			name: "tokenyield failing never blocks",
			op:   "commit",
			vars: []string{"FAKE_EXIT=3"},
			check: func(t *testing.T, calls []call, _ string) {
				if len(hookCalls(calls, "post-commit")) != 1 {
					t.Errorf("calls %+v", calls)
				}
			},
		},
		{
			name:  "non-sh pre-push is executed and gets the same stdin",
			hooks: map[string]hookFile{"pre-push": {"#!/usr/bin/env bash\nprintf '%s %s|' \"${0##*/}\" \"$1\" >>\"$LOG2\"\ncat >>\"$LOG2\"\n", 0o755}},
			op:    "push",
			check: func(t *testing.T, calls []call, chained string) {
				pp := hookCalls(calls, "pre-push")
				if len(pp) != 1 || !strings.HasPrefix(pp[0].stdin, "refs/heads/main ") {
					t.Fatalf("pre-push calls %+v", calls)
				}
				want := "pre-push.tokenyield-chained origin|" + strings.ReplaceAll(pp[0].stdin, ";", "\n")
				if chained != want {
					t.Errorf("chained log %q, want %q", chained, want)
				}
			},
		},
		{
			name:  "stdin cannot be saved: the chained hook still reads git's",
			hooks: map[string]hookFile{"pre-push": {"#!/bin/sh\ncat >>\"$LOG2\"\n", 0o755}},
			op:    "push",
			vars:  []string{"TMPDIR=/nonexistent/tokenyield-test"},
			check: func(t *testing.T, calls []call, chained string) {
				pp := hookCalls(calls, "pre-push")
				if len(pp) != 1 || pp[0].stdin != "" || !strings.HasPrefix(chained, "refs/heads/main ") {
					t.Errorf("calls %+v, chained log %q", calls, chained)
				}
			},
		},
		{
			name:    "failing pre-push still stops the push",
			hooks:   map[string]hookFile{"pre-push": {"#!/bin/sh\ncat >/dev/null\nexit 1\n", 0o755}},
			op:      "push",
			wantErr: true,
			check: func(t *testing.T, calls []call, _ string) {
				if len(hookCalls(calls, "pre-push")) != 0 {
					t.Errorf("tokenyield ran for a rejected push: %+v", calls)
				}
			},
		},
		{
			name: "post-rewrite and post-commit failures do not stop tokenyield",
			hooks: map[string]hookFile{
				"post-commit":  {"#!/bin/sh\nexit 4\n", 0o755},
				"post-rewrite": {"#!/bin/sh\necho \"$1 $(cat)\" >>\"$LOG2\"\nexit 5\n", 0o755},
			},
			op: "amend",
			check: func(t *testing.T, calls []call, chained string) {
				pr := hookCalls(calls, "post-rewrite")
				if len(pr) != 1 || len(hookCalls(calls, "post-commit")) != 1 {
					t.Fatalf("calls %+v", calls)
				}
				if want := "amend " + strings.TrimSuffix(pr[0].stdin, ";") + "\n"; chained != want {
					t.Errorf("chained log %q, want %q", chained, want)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			repo := e.repo("repo")
			e.bare(repo)
			bin, log := e.fakeBinary(filepath.Join(e.root, "bin"))
			log2 := filepath.Join(e.root, "chained.log")
			for name, h := range tt.hooks {
				writeFile(t, filepath.Join(repo, ".git", "hooks", name), h.content, h.mode)
			}
			rep := e.install(e.opts(repo, bin))
			if got := countKind(rep, ActionChained); got != len(tt.hooks) {
				t.Errorf("chained %d hooks, want %d:\n%s", got, len(tt.hooks), rep)
			}
			for name, h := range tt.hooks {
				if got := readFile(t, filepath.Join(repo, ".git", "hooks", name+chainedSuffix)); got != h.content {
					t.Errorf("%s chained content %q", name, got)
				}
			}
			vars := append([]string{"LOG2=" + log2}, tt.vars...)
			before := e.git(repo, "rev-parse", "HEAD")
			var err error
			var stderr string
			switch tt.op {
			case "commit":
				_, stderr, err = e.gitVars(repo, vars, "commit", "-q", "--allow-empty", "-m", "x")
			case "amend":
				_, stderr, err = e.gitVars(repo, vars, "commit", "-q", "--allow-empty", "--amend", "-m", "x2")
			case "push":
				_, stderr, err = e.gitVars(repo, vars, "push", "-q", "origin", "main")
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("git %s: err = %v, want error %v\n%s", tt.op, err, tt.wantErr, stderr)
			}
			if tt.wantErr && tt.op == "commit" && e.git(repo, "rev-parse", "HEAD") != before {
				t.Error("a rejected commit was made")
			}
			chained := ""
			if data, err := os.ReadFile(log2); err == nil {
				chained = string(data)
			}
			tt.check(t, readCalls(t, log), chained)
		})
	}
}

func TestManagers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(e *testEnv, repo, log2 string) []string // returns env for the commit
		manager string
		line    string // a report line contains this
		want    string // the chained log after a commit
	}{
		{
			name: "lefthook",
			setup: func(e *testEnv, repo, log2 string) []string {
				writeFile(t, filepath.Join(repo, "lefthook.yml"), "commit-msg:\n  jobs: []\n", 0o644)
				fake := filepath.Join(e.root, "lefthook")
				writeFile(t, fake, "#!/bin/sh\necho \"lefthook $*\" >>"+shQuote(log2)+"\n", 0o755)
				writeFile(t, filepath.Join(repo, ".git", "hooks", "commit-msg"),
					"#!/bin/sh\n# a lefthook-style dispatcher\nif [ \"$LEFTHOOK\" = \"0\" ]; then exit 0; fi\n"+
						"call_lefthook() { \"$LEFTHOOK_BIN\" \"$@\"; }\ncall_lefthook run \"commit-msg\" \"$@\"\n", 0o755)
				return []string{"LEFTHOOK_BIN=" + fake}
			},
			manager: "lefthook",
			line:    "existing lefthook hook",
			want:    "lefthook run commit-msg .git/COMMIT_EDITMSG\n",
		},
		{
			name: "pre-commit",
			setup: func(_ *testEnv, repo, log2 string) []string {
				writeFile(t, filepath.Join(repo, ".git", "hooks", "commit-msg"),
					"#!/usr/bin/env bash\n# a pre-commit-style hook\nINSTALL_PYTHON=/nonexistent/python3\n"+
						"ARGS=(hook-impl --config=.pre-commit-config.yaml --hook-type=commit-msg)\n"+
						"HERE=\"$(cd \"$(dirname \"$0\")\" && pwd)\"\nARGS+=(--hook-dir \"$HERE\" -- \"$@\")\n"+
						"echo \"pre_commit ${ARGS[*]}\" >>"+shQuote(log2)+"\n", 0o755)
				return nil
			},
			manager: "pre-commit",
			line:    "existing pre-commit hook",
			want:    "pre_commit hook-impl --config=.pre-commit-config.yaml --hook-type=commit-msg --hook-dir REPO/.git/hooks -- .git/COMMIT_EDITMSG\n",
		},
		{
			name: "husky .husky/_",
			setup: func(e *testEnv, repo, log2 string) []string {
				e.git(repo, "config", "core.hooksPath", ".husky/_")
				// husky 9 layout: stubs in .husky/_ source .husky/_/h, which finds
				// the user's script from basename and directory of $0
				writeFile(t, filepath.Join(repo, ".husky", "_", "h"),
					"#!/usr/bin/env sh\nn=$(basename \"$0\")\ns=$(dirname \"$(dirname \"$0\")\")/$n\n[ ! -f \"$s\" ] && exit 0\nsh -e \"$s\" \"$@\"\n", 0o644)
				writeFile(t, filepath.Join(repo, ".husky", "_", ".gitignore"), "*\n", 0o644)
				writeFile(t, filepath.Join(repo, ".husky", "_", "commit-msg"), "#!/usr/bin/env sh\n. \"${0%/*}/h\"\n", 0o755)
				writeFile(t, filepath.Join(repo, ".husky", "commit-msg"), "echo \"husky user hook $1\" >>"+shQuote(log2)+"\n", 0o644)
				return nil
			},
			manager: "husky",
			line:    "may regenerate that directory",
			want:    "husky user hook .git/COMMIT_EDITMSG\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			repo := e.repo("repo")
			bin, log := e.fakeBinary(filepath.Join(e.root, "bin"))
			log2 := filepath.Join(e.root, "chained.log")
			vars := tt.setup(e, repo, log2)
			rep := e.install(e.opts(repo, bin))
			if !slices.Contains(rep.Managers, tt.manager) || !strings.Contains(rep.String(), tt.line) {
				t.Errorf("managers %v, report:\n%s", rep.Managers, rep)
			}
			if _, stderr, err := e.gitVars(repo, vars, "commit", "-q", "--allow-empty", "-m", "x"); err != nil {
				t.Fatalf("commit: %v\n%s", err, stderr)
			}
			want := strings.ReplaceAll(tt.want, "REPO", repo)
			if got := readFile(t, log2); got != want {
				t.Errorf("chained hook log %q, want %q", got, want)
			}
			if n := len(hookCalls(readCalls(t, log), "commit-msg")); n != 1 {
				t.Errorf("tokenyield commit-msg ran %d times", n)
			}
		})
	}
}

func TestInstallIdempotent(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	repo := e.repo("repo")
	hooks := filepath.Join(repo, ".git", "hooks")
	original := "#!/bin/sh\necho original\n"
	writeFile(t, filepath.Join(hooks, "commit-msg"), original, 0o750)
	bin, _ := e.fakeBinary(filepath.Join(e.root, "bin"))
	e.install(e.opts(repo, bin))
	first := snapshot(t, hooks)

	rep := e.install(e.opts(repo, bin))
	if !rep.AlreadyInstalled || countKind(rep, ActionUnchanged) != 4 || len(rep.Actions) != 4 {
		t.Errorf("second install:\n%s%+v", rep, rep.Actions)
	}
	if !strings.Contains(rep.String(), "already installed") {
		t.Errorf("report does not say already installed:\n%s", rep)
	}
	if d := diffSnapshots(first, snapshot(t, hooks)); d != "" {
		t.Errorf("second install changed the hooks:\n%s", d)
	}

	// a new binary path: scripts updated, still one chained original
	bin2, _ := e.fakeBinary(filepath.Join(e.root, "bin2"))
	rep = e.install(e.opts(repo, bin2))
	if !rep.AlreadyInstalled || countKind(rep, ActionUpdated) != 4 {
		t.Errorf("install with a new binary:\n%s", rep)
	}
	assertInstalled(t, hooks, bin2)

	// husky-style regeneration put the same original back: replaced, not chained twice
	writeFile(t, filepath.Join(hooks, "commit-msg"), original, 0o750)
	rep = e.install(e.opts(repo, bin2))
	if countKind(rep, ActionChained) != 0 || countKind(rep, ActionRemoved) != 1 {
		t.Errorf("reinstall over a regenerated hook:\n%s", rep)
	}
	matches, _ := filepath.Glob(filepath.Join(hooks, "*tokenyield-chained*"))
	if len(matches) != 1 || readFile(t, matches[0]) != original {
		t.Errorf("chained files %v", matches)
	}
	if got := e.git(repo, "config", "--get-all", "notes.rewriteRef"); got != NotesRef {
		t.Errorf("notes.rewriteRef = %q", got)
	}

	// a different hook in its place: a conflict, nothing lost
	writeFile(t, filepath.Join(hooks, "commit-msg"), "#!/bin/sh\necho other\n", 0o755)
	rep, err := Install(context.Background(), e.opts(repo, bin2))
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	if readFile(t, filepath.Join(hooks, "commit-msg")) != "#!/bin/sh\necho other\n" || readFile(t, matches[0]) != original {
		t.Error("conflict lost a hook")
	}
	if countKind(rep, ActionUnchanged) != 3 {
		t.Errorf("other hooks not handled:\n%s", rep)
	}
}

func TestUninstallRestores(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(e *testEnv, repo string) (hooksDir string)
	}{
		{"no hooks", func(_ *testEnv, repo string) string { return filepath.Join(repo, ".git", "hooks") }},
		{"hooks with different modes and a symlink", func(_ *testEnv, repo string) string {
			hooks := filepath.Join(repo, ".git", "hooks")
			writeFile(t, filepath.Join(hooks, "commit-msg"), "#!/bin/sh\nexit 0\n", 0o755)
			writeFile(t, filepath.Join(hooks, "pre-push"), "#!/usr/bin/env python3\nprint('x')\n", 0o700)
			writeFile(t, filepath.Join(hooks, "post-commit"), "#!/bin/sh\n# disabled: not executable\n", 0o644)
			writeFile(t, filepath.Join(repo, "tools", "rewrite.sh"), "#!/bin/sh\n", 0o755)
			if err := os.Symlink("../../tools/rewrite.sh", filepath.Join(hooks, "post-rewrite")); err != nil {
				t.Fatal(err)
			}
			return hooks
		}},
		{"other notes.rewriteRef values and rewriteMode", func(e *testEnv, repo string) string {
			e.git(repo, "config", "--add", "notes.rewriteRef", "refs/notes/commits")
			e.git(repo, "config", "notes.rewriteMode", "cat_sort_uniq")
			return filepath.Join(repo, ".git", "hooks")
		}},
		{"rewriteRef glob already covers it", func(e *testEnv, repo string) string {
			e.git(repo, "config", "--add", "notes.rewriteRef", "refs/notes/*")
			return filepath.Join(repo, ".git", "hooks")
		}},
		{"relative core.hooksPath that did not exist", func(e *testEnv, repo string) string {
			e.git(repo, "config", "core.hooksPath", "tools/githooks")
			return filepath.Join(repo, "tools", "githooks")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			repo := e.repo("repo")
			bin, _ := e.fakeBinary(filepath.Join(e.root, "bin"))
			hooks := tt.setup(e, repo)
			beforeHooks := snapshot(t, hooks)
			beforeConfig := e.configList(repo, "local")
			beforeGit := snapshot(t, filepath.Join(repo, ".git", "tokenyield"))

			e.install(e.opts(repo, bin))
			if diffSnapshots(beforeHooks, snapshot(t, hooks)) == "" {
				t.Fatal("install changed nothing")
			}
			e.git(repo, "commit", "-q", "--allow-empty", "-m", "x")
			e.git(repo, "notes", "--ref=tokenyield", "add", "-m", "data", "HEAD")

			rep := e.uninstall(e.opts(repo, bin))
			if d := diffSnapshots(beforeHooks, snapshot(t, hooks)); d != "" {
				t.Errorf("hooks not restored:\n%s\n%s", d, rep)
			}
			if after := e.configList(repo, "local"); after != beforeConfig {
				t.Errorf("config not restored:\nbefore\n%s\nafter\n%s", beforeConfig, after)
			}
			if d := diffSnapshots(beforeGit, snapshot(t, filepath.Join(repo, ".git", "tokenyield"))); d != "" {
				t.Errorf(".git/tokenyield not restored:\n%s", d)
			}
			if note := e.git(repo, "notes", "--ref=tokenyield", "show", "HEAD"); note != "data" {
				t.Errorf("uninstall lost notes: %q", note)
			}
			// a second uninstall: nothing to do, no error
			rep = e.uninstall(e.opts(repo, bin))
			if !strings.Contains(rep.String(), "not installed") || countKind(rep, ActionNothing) != 1 {
				t.Errorf("second uninstall:\n%s", rep)
			}
		})
	}
}

func TestUninstallKeepsData(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	repo := e.repo("repo")
	bin, _ := e.fakeBinary(filepath.Join(e.root, "bin"))
	e.install(e.opts(repo, bin))
	cursor := filepath.Join(repo, ".git", "tokenyield", "cursor")
	writeFile(t, cursor, "state", 0o644)
	e.uninstall(e.opts(repo, bin))
	if readFile(t, cursor) != "state" {
		t.Error("uninstall touched other tokenyield data")
	}
	if _, err := os.Stat(filepath.Join(repo, ".git", "tokenyield", "install.json")); err == nil {
		t.Error("install record left behind")
	}
}

func TestUninstallNotInstalled(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	repo := e.repo("repo")
	rep, err := Uninstall(context.Background(), e.opts(repo, ""))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.String(), "tokenyield is not installed in this repository") {
		t.Errorf("report:\n%s", rep)
	}
	if _, err := Uninstall(context.Background(), e.opts(e.root, "")); !errors.Is(err, ErrNotRepository) {
		t.Errorf("outside a repository: err = %v", err)
	}
}

func TestBinaryMissing(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	repo := e.repo("repo")
	e.bare(repo)
	bin, _ := e.fakeBinary(filepath.Join(e.root, "bin"))
	e.install(e.opts(repo, bin))
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	line := "tokenyield: hook skipped: " + bin + " not found (reinstall: tokenyield install, or remove: tokenyield uninstall)"
	for _, op := range [][]string{
		{"commit", "-q", "--allow-empty", "-m", "x"}, // commit-msg and post-commit
		{"push", "-q", "origin", "main"},             // pre-push
	} {
		_, stderr, err := e.gitVars(repo, nil, op...)
		if err != nil {
			t.Fatalf("git %s failed: %v\n%s", op[0], err, stderr)
		}
		want := line + "\n"
		if op[0] == "commit" {
			want += line + "\n"
		}
		if stderr != want {
			t.Errorf("git %s stderr:\n%q\nwant\n%q", op[0], stderr, want)
		}
	}
	if got := e.git(repo, "log", "-1", "--format=%s"); got != "x" {
		t.Errorf("commit lost: %q", got)
	}
}

func TestDisable(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"1", "true"} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			repo := e.repo("repo")
			log2 := filepath.Join(e.root, "chained.log")
			writeFile(t, filepath.Join(repo, ".git", "hooks", "post-commit"), "#!/bin/sh\necho chained >>"+shQuote(log2)+"\n", 0o755)
			bin, log := e.fakeBinary(filepath.Join(e.root, "bin"))
			e.install(e.opts(repo, bin))
			if _, stderr, err := e.gitVars(repo, []string{"TOKENYIELD_DISABLE=" + v}, "commit", "-q", "--allow-empty", "-m", "x"); err != nil || stderr != "" {
				t.Fatalf("commit: %v %q", err, stderr)
			}
			if calls := readCalls(t, log); len(calls) != 0 {
				t.Errorf("tokenyield ran although disabled: %+v", calls)
			}
			if readFile(t, log2) != "chained\n" {
				t.Error("the chained hook did not run")
			}
		})
	}
}

func TestQuotedBinaryPath(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	repo := e.repo("repo")
	bin, log := e.fakeBinary(filepath.Join(e.root, "dir with space", "it's $HOME `x` \\n"))
	rep := e.install(e.opts(repo, bin))
	assertInstalled(t, rep.HooksDir, bin)
	e.git(repo, "commit", "-q", "--allow-empty", "-m", "x")
	if n := len(hookCalls(readCalls(t, log), "post-commit")); n != 1 {
		t.Errorf("post-commit calls %d", n)
	}
}

func TestInstallRejectsBadBinary(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	repo := e.repo("repo")
	notExec := filepath.Join(e.root, "plain")
	writeFile(t, notExec, "x", 0o644)
	for _, bin := range []string{"", "tokenyield", filepath.Join(e.root, "missing"), notExec, filepath.Join(e.root, "a\nb")} {
		if _, err := Install(context.Background(), e.opts(repo, bin)); err == nil {
			t.Errorf("Install accepted binary %q", bin)
		}
	}
	bin, _ := e.fakeBinary(filepath.Join(e.root, "bin"))
	if _, err := Install(context.Background(), e.opts(e.root, bin)); !errors.Is(err, ErrNotRepository) {
		t.Errorf("outside a repository: err = %v", err)
	}
}

func TestTrackedHooksDirWarning(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	repo := e.repo("repo")
	writeFile(t, filepath.Join(repo, ".githooks", "commit-msg"), "#!/bin/sh\n", 0o755)
	e.git(repo, "add", ".githooks")
	e.git(repo, "commit", "-q", "-m", "hooks")
	e.git(repo, "config", "core.hooksPath", ".githooks")
	bin, _ := e.fakeBinary(filepath.Join(e.root, "bin"))
	rep := e.install(e.opts(repo, bin))
	if countKind(rep, ActionWarning) != 1 || !strings.Contains(rep.String(), "inside the work tree") {
		t.Errorf("report:\n%s", rep)
	}
	// an ignored directory (husky's .husky/_ has a .gitignore of *) is quiet
	e2 := newTestEnv(t)
	repo2 := e2.repo("repo")
	writeFile(t, filepath.Join(repo2, ".husky", "_", ".gitignore"), "*\n", 0o644)
	e2.git(repo2, "config", "core.hooksPath", ".husky/_")
	bin2, _ := e2.fakeBinary(filepath.Join(e2.root, "bin"))
	if rep := e2.install(e2.opts(repo2, bin2)); countKind(rep, ActionWarning) != 0 {
		t.Errorf("report:\n%s", rep)
	}
}
