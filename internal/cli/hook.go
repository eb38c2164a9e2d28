package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"time"

	"github.com/tokenyield/tokenyield/internal/tagger"
)

// runHook is `tokenyield hook <name> [args]`, called by the installed hook
// scripts. Whatever happens it exits 0 and never blocks the commit or the
// push: errors go to the repository's hook log and the user is told once.
func runHook(env *Env, args []string) (err error) {
	if len(args) == 0 {
		return fmt.Errorf("%w: hook name required (commit-msg, post-commit, post-rewrite, pre-push)", errUsage)
	}
	name := args[0]
	// A hook is a short process: collecting garbage would cost more than the
	// memory it frees. The limit keeps a huge backlog of logs bounded.
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(256 << 20)
	dir, _ := os.Getwd()
	start := time.Now()
	setupCtx, cancelSetup := context.WithTimeout(context.Background(), 2*time.Second)
	t, terr := tagger.New(setupCtx, dir, env.Agents)
	cancelSetup()
	if terr != nil {
		fmt.Fprintf(env.Stderr, "tokenyield: %s hook skipped: %v\n", name, terr)
		return nil
	}
	t.Now = env.Now
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
		if err != nil {
			if t.LogError(name, err) {
				fmt.Fprintf(env.Stderr, "tokenyield: the %s hook had a problem; your commit is fine. Details: tokenyield status\n", name)
			}
			err = nil
		}
	}()
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(t.Config.Budget))
	defer cancel()
	if !t.Baselined() && name != "pre-push" {
		// Installed globally and first used here: everything logged so far
		// counts as seen, and this commit gets nothing.
		return t.Baseline(ctx)
	}
	switch name {
	case "commit-msg":
		if len(args) < 2 {
			return errors.New("commit-msg: no message file")
		}
		return t.CommitMsg(ctx, args[1])
	case "post-commit":
		return t.PostCommit(ctx)
	case "post-rewrite":
		kind := "rebase"
		if len(args) > 1 {
			kind = args[1]
		}
		return t.PostRewrite(ctx, kind, env.Stdin)
	case "pre-push":
		if len(args) < 2 {
			return errors.New("pre-push: no remote")
		}
		return pushInBackground(env, dir, args[1])
	}
	return fmt.Errorf("unknown hook %q", name)
}

// pushInBackground starts `tokenyield push --remote R` detached, so the
// user's push never waits for the notes. TOKENYIELD_SYNC=1 runs it in the
// foreground (tests).
func pushInBackground(env *Env, dir, remote string) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own binary: %w", err)
	}
	cmd := exec.Command(self, "push", "--remote", remote, "--quiet") //nolint:gosec // our own binary, a remote name from git
	cmd.Dir = dir
	if env.Agents.Get("TOKENYIELD_SYNC") == "1" {
		cmd.Stdout, cmd.Stderr = env.Stderr, env.Stderr
		return cmd.Run()
	}
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start notes push: %w", err)
	}
	return cmd.Process.Release()
}
