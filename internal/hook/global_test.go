package hook

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func (e *testEnv) globalOpts(dir, bin string, vars ...string) Options {
	o := e.opts(dir, bin)
	o.Global = true
	o.Env = e.with(vars...)
	return o
}

func TestGlobalInstall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		vars []string // extra environment
		// cfg is the config directory; hooksPath the value install writes
		want func(e *testEnv) (cfg, hooksPath string)
	}{
		{"XDG_CONFIG_HOME", nil, func(e *testEnv) (string, string) {
			return e.xdg, filepath.Join(e.xdg, "tokenyield", "hooks")
		}},
		{"~/.config", []string{"XDG_CONFIG_HOME="}, func(e *testEnv) (string, string) {
			return filepath.Join(e.home, ".config"), "~/.config/tokenyield/hooks"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newTestEnv(t)
			e.extra = e.with(tt.vars...)
			cfg, hooksPath := tt.want(e)
			repo := e.repo("repo")
			e.bare(repo)
			log2 := filepath.Join(e.root, "repo-hooks.log")
			localHooks := filepath.Join(repo, ".git", "hooks")
			writeFile(t, filepath.Join(localHooks, "commit-msg"), "#!/bin/sh\necho \"repo $(basename \"$0\") $1\" >>"+shQuote(log2)+"\n", 0o755)
			writeFile(t, filepath.Join(localHooks, "pre-push"), "#!/bin/sh\necho \"repo pre-push $1 $(cat)\" >>"+shQuote(log2)+"\n", 0o755)
			bin, log := e.fakeBinary(filepath.Join(e.root, "bin"))
			beforeGlobal := e.configList(repo, "global")
			beforeLocal := e.configList(repo, "local")
			beforeRepoHooks := snapshot(t, localHooks)
			beforeCfg := snapshot(t, cfg)

			o := e.globalOpts(repo, bin)
			rep := e.install(o)
			dir := filepath.Join(cfg, "tokenyield", "hooks")
			if rep.Scope != "global" || rep.HooksDir != dir {
				t.Fatalf("report %+v", rep)
			}
			assertInstalled(t, dir, bin)
			if got := e.git(repo, "config", "--global", "core.hooksPath"); got != hooksPath {
				t.Errorf("global core.hooksPath = %q, want %q", got, hooksPath)
			}
			if got := e.git(repo, "config", "--global", "--get-all", "notes.rewriteRef"); got != NotesRef {
				t.Errorf("global notes.rewriteRef = %q", got)
			}
			if e.configList(repo, "local") != beforeLocal {
				t.Error("a global install changed the repository config")
			}

			// the repository's own hooks still run, then tokenyield, once
			e.git(repo, "commit", "-q", "--allow-empty", "-m", "x")
			e.git(repo, "push", "-q", "origin", "main")
			calls := readCalls(t, log)
			if len(hookCalls(calls, "commit-msg")) != 1 || len(hookCalls(calls, "post-commit")) != 1 || len(hookCalls(calls, "pre-push")) != 1 {
				t.Errorf("calls %+v", calls)
			}
			pp := hookCalls(calls, "pre-push")[0]
			wantLog := "repo commit-msg .git/COMMIT_EDITMSG\nrepo pre-push origin " + strings.TrimSuffix(pp.stdin, ";") + "\n"
			if got := readFile(t, log2); got != wantLog {
				t.Errorf("repository hooks log %q, want %q", got, wantLog)
			}
			for _, g := range []bool{true, false} {
				co := o
				co.Global = g
				if ps := Check(ctx, co); len(ps) != 0 {
					t.Errorf("Check(Global=%v) after a clean install: %+v", g, ps)
				}
			}
			outside := o
			outside.Dir = e.root
			if ps := Check(ctx, outside); len(ps) != 0 {
				t.Errorf("Check(Global) outside a repository: %+v", ps)
			}
			if rep := e.install(o); !rep.AlreadyInstalled {
				t.Errorf("second global install:\n%s", rep)
			}

			e.uninstall(o)
			if after := e.configList(repo, "global"); after != beforeGlobal {
				t.Errorf("global config not restored:\nbefore %q\nafter  %q", beforeGlobal, after)
			}
			if d := diffSnapshots(beforeCfg, snapshot(t, cfg)); d != "" {
				t.Errorf("config dir not restored:\n%s", d)
			}
			if d := diffSnapshots(beforeRepoHooks, snapshot(t, localHooks)); d != "" {
				t.Errorf("repository hooks changed:\n%s", d)
			}
		})
	}
}

// A repository installed locally and then globally records each commit once:
// the local script, run by the global one, leaves the recording to it.
func TestGlobalAndLocalRecordOnce(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	repo := e.repo("repo")
	bin, log := e.fakeBinary(filepath.Join(e.root, "bin"))
	e.install(e.opts(repo, bin))
	e.install(e.globalOpts(repo, bin))
	e.git(repo, "commit", "-q", "--allow-empty", "-m", "x")
	calls := readCalls(t, log)
	if len(hookCalls(calls, "commit-msg")) != 1 || len(hookCalls(calls, "post-commit")) != 1 {
		t.Errorf("calls %+v", calls)
	}
	if msg := e.git(repo, "log", "-1", "--format=%B"); strings.Count(msg, "AI-Tokens") != 1 {
		t.Errorf("message %q", msg)
	}
}

func TestGlobalExistingHooksPath(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	repo := e.repo("repo")
	log2 := filepath.Join(e.root, "hooks.log")
	user := filepath.Join(e.root, "user hooks")
	writeFile(t, filepath.Join(user, "post-commit"), "#!/bin/sh\necho user >>"+shQuote(log2)+"\n", 0o755)
	writeFile(t, filepath.Join(user, "pre-commit"), "#!/bin/sh\nexit 0\n", 0o755)
	// hidden by the user's core.hooksPath before tokenyield; stays hidden
	writeFile(t, filepath.Join(repo, ".git", "hooks", "post-commit"), "#!/bin/sh\necho local >>"+shQuote(log2)+"\n", 0o755)
	e.git(repo, "config", "--global", "core.hooksPath", user)
	bin, log := e.fakeBinary(filepath.Join(e.root, "bin"))
	beforeGlobal := e.configList(repo, "global")
	beforeUser := snapshot(t, user)

	// a local install would write into the shared directory: refused
	if _, err := Install(context.Background(), e.opts(repo, bin)); !errors.Is(err, ErrSharedHooksDir) {
		t.Fatalf("local install: err = %v, want ErrSharedHooksDir", err)
	}
	o := e.globalOpts(repo, bin)
	rep := e.install(o)
	if rep.HooksDir != user || countKind(rep, ActionChained) != 1 {
		t.Errorf("report:\n%s", rep)
	}
	if got := e.git(repo, "config", "--global", "core.hooksPath"); got != user {
		t.Errorf("core.hooksPath changed to %q", got)
	}
	e.git(repo, "commit", "-q", "--allow-empty", "-m", "x")
	if got := readFile(t, log2); got != "user\n" {
		t.Errorf("hooks log %q", got)
	}
	if n := len(hookCalls(readCalls(t, log), "post-commit")); n != 1 {
		t.Errorf("post-commit calls %d", n)
	}
	// now the local install sees tokenyield's scripts there
	if rep, err := Install(context.Background(), e.opts(repo, bin)); err != nil || !rep.AlreadyInstalled {
		t.Errorf("local install after global: %v\n%s", err, rep)
	}
	rep = e.uninstall(e.opts(repo, bin))
	if !strings.Contains(rep.String(), "installed globally") {
		t.Errorf("local uninstall:\n%s", rep)
	}

	e.uninstall(o)
	if d := diffSnapshots(beforeUser, snapshot(t, user)); d != "" {
		t.Errorf("user hooks not restored:\n%s", d)
	}
	if after := e.configList(repo, "global"); after != beforeGlobal {
		t.Errorf("global config not restored:\nbefore %q\nafter  %q", beforeGlobal, after)
	}
}
