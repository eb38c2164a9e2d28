package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tokenyield/tokenyield/internal/hook"
	"github.com/tokenyield/tokenyield/internal/ledger"
	"github.com/tokenyield/tokenyield/internal/tagger"
)

// selfPath is the absolute path of the running binary, which the hook
// scripts call (so they work with a minimal PATH).
func selfPath() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find own binary: %w", err)
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	return p, nil
}

func hookOptions(env *Env, global bool) (hook.Options, error) {
	bin, err := selfPath()
	if err != nil {
		return hook.Options{}, err
	}
	dir, err := os.Getwd()
	if err != nil {
		return hook.Options{}, fmt.Errorf("working directory: %w", err)
	}
	return hook.Options{Dir: dir, Binary: bin, Global: global, Home: env.homeOf()}, nil
}

func runInstall(env *Env, args []string) error {
	fs := newFlags(env, "install", "[--global]")
	global := fs.Bool("global", false, "install for every repository of this user (core.hooksPath)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts, err := hookOptions(env, *global)
	if err != nil {
		return err
	}
	ctx := context.Background()
	rep, err := hook.Install(ctx, opts)
	for _, l := range rep.Lines {
		fmt.Fprintln(env.Stdout, l)
	}
	if err != nil {
		return err
	}
	if *global {
		fmt.Fprintln(env.Stdout, "Each repository starts counting at its first commit after now.")
		return nil
	}
	t, err := tagger.New(ctx, opts.Dir, env.Agents)
	if err != nil {
		return err
	}
	t.Now = env.Now
	bctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := t.Baseline(bctx); err != nil {
		return fmt.Errorf("mark existing usage as seen: %w", err)
	}
	fmt.Fprintf(env.Stdout, "From now on every commit in %s carries the AI usage that produced it.\n", t.Repo.Top)
	fmt.Fprintln(env.Stdout, "Usage logged before now is not attributed. See: tokenyield status")
	return nil
}

func runUninstall(env *Env, args []string) error {
	fs := newFlags(env, "uninstall", "[--global]")
	global := fs.Bool("global", false, "undo a global install")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts, err := hookOptions(env, *global)
	if err != nil {
		return err
	}
	rep, err := hook.Uninstall(context.Background(), opts)
	for _, l := range rep.Lines {
		fmt.Fprintln(env.Stdout, l)
	}
	return err
}

func runDoctor(env *Env, args []string) error {
	fs := newFlags(env, "doctor", "[--json]")
	asJSON := fs.Bool("json", false, "print the problems as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts, err := hookOptions(env, false)
	if err != nil {
		return err
	}
	problems := hook.Check(context.Background(), opts)
	if *asJSON {
		if problems == nil {
			problems = []hook.Problem{}
		}
		if err := writeJSON(env, map[string]any{"problems": problems}); err != nil {
			return err
		}
		for _, p := range problems {
			if p.Severity == hook.SeverityError {
				return errors.New("problems need fixing")
			}
		}
		return nil
	}
	errorsFound, warnings := 0, 0
	for _, p := range problems {
		fmt.Fprintf(env.Stdout, "%-7s %s\n", p.Severity+":", p.What)
		if p.Fix != "" {
			fmt.Fprintf(env.Stdout, "        fix: %s\n", p.Fix)
		}
		switch p.Severity {
		case hook.SeverityError:
			errorsFound++
		case hook.SeverityWarning:
			warnings++
		}
	}
	if errorsFound+warnings == 0 {
		fmt.Fprintln(env.Stdout, "ok: hooks installed and chained, notes follow amend and rebase")
	}
	if errorsFound > 0 {
		return fmt.Errorf("%d problem(s) need fixing", errorsFound)
	}
	return nil
}

func runStatus(env *Env, args []string) error {
	fs := newFlags(env, "status", "[--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	ctx := context.Background()
	t, err := tagger.New(ctx, dir, env.Agents)
	if err != nil {
		return err
	}
	t.Now = env.Now
	opts, err := hookOptions(env, false)
	if err != nil {
		return err
	}
	problems := hook.Check(ctx, opts)
	pctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	pv, err := t.Preview(pctx)
	if err != nil {
		return err
	}
	hookErrs := t.HookErrors()
	if *asJSON {
		return writeJSON(env, map[string]any{
			"worktree": t.Repo.Top, "installed": pv.Baselined, "next_commit": pv.Next,
			"unattributed_events": pv.Elsewhere, "unattributed_tokens": pv.ElsewhereTokens,
			"expired_events": pv.Expired, "expired_tokens": pv.ExpiredTokens,
			"problems": problems, "hook_errors": hookErrs,
		})
	}
	w := env.Stdout
	fmt.Fprintf(w, "worktree %s\n", t.Repo.Top)
	if !pv.Baselined {
		fmt.Fprintln(w, "tokenyield is not installed here: run tokenyield install")
	}
	fmt.Fprintln(w, "\nThe next commit would get:")
	if len(pv.Next.Rows) == 0 {
		fmt.Fprintln(w, "  no AI usage since the last commit")
	} else {
		printNote(w, pv.Next)
	}
	if pv.Elsewhere > 0 {
		fmt.Fprintf(w, "\nUnattributed here: %d calls (%s tokens) in other worktrees, nested repositories or beyond the %s horizon.\n",
			pv.Elsewhere, thousands(pv.ElsewhereTokens), t.Config.Horizon)
	}
	if pv.Expired > 0 {
		fmt.Fprintf(w, "Expired unattributed: %d calls (%s tokens) passed the horizon without a commit.\n", pv.Expired, thousands(pv.ExpiredTokens))
	}
	fmt.Fprintln(w, "\nHooks:")
	healthy := true
	for _, p := range problems {
		healthy = healthy && p.Severity == hook.SeverityInfo
	}
	if healthy {
		fmt.Fprintln(w, "  healthy")
	}
	for _, p := range problems {
		fmt.Fprintf(w, "  %s: %s (fix: %s)\n", p.Severity, p.What, p.Fix)
	}
	if len(hookErrs) > 0 {
		fmt.Fprintln(w, "\nHook errors since the last status (commits were not affected):")
		for _, l := range hookErrs {
			fmt.Fprintln(w, "  "+l)
		}
	}
	warnSkipped(env.Stderr, pv.Scan, false)
	return nil
}

func writeJSON(env *Env, v any) error {
	enc := newJSONEncoder(env.Stdout)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	return nil
}

func runPush(env *Env, args []string) error  { return runSync(env, "push", args) }
func runFetch(env *Env, args []string) error { return runSync(env, "fetch", args) }

// runSync is `tokenyield push` and `tokenyield fetch`: the notes ref to and
// from a remote, merging on both sides, never forcing.
func runSync(env *Env, verb string, args []string) error {
	fs := newFlags(env, verb, "[--remote NAME] [--quiet]")
	remote := fs.String("remote", "origin", "the remote")
	quiet := fs.Bool("quiet", false, "print nothing; log errors to the hook log (used by the pre-push hook)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	g, err := cwdGit()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var msg string
	var warnings []string
	if verb == "push" {
		var r ledger.PushResult
		r, err = ledger.Push(ctx, g, *remote)
		msg = describePush(r)
		for _, f := range r.Fetches {
			warnings = append(warnings, f.Warnings...)
		}
	} else {
		var r ledger.FetchResult
		r, err = ledger.Fetch(ctx, g, *remote)
		msg = describeFetch(r)
		warnings = r.Warnings
	}
	if *quiet {
		if err != nil {
			if t, terr := tagger.New(ctx, g.Dir, env.Agents); terr == nil {
				t.LogError("pre-push", err)
			}
		}
		return nil
	}
	for _, w := range warnings {
		fmt.Fprintf(env.Stderr, "tokenyield: warning: %s\n", oneLine(w, 200))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s %s: %s\n", verb, *remote, msg)
	return nil
}

func describePush(r ledger.PushResult) string {
	switch {
	case r.NothingToPush:
		return "no notes to push yet"
	case r.UpToDate:
		return "notes already up to date"
	case r.Pushed && len(r.Fetches) > 0:
		return fmt.Sprintf("notes pushed after merging the remote's (%d attempts)", r.Attempts)
	case r.Pushed:
		return "notes pushed"
	}
	return "notes not pushed"
}

func describeFetch(r ledger.FetchResult) string {
	switch r.Action {
	case ledger.FetchNoRemoteNotes:
		return "the remote has no tokenyield notes"
	case ledger.FetchUpToDate:
		return "notes already up to date"
	}
	s := fmt.Sprintf("%d notes added, %d merged", r.Added, r.Merged)
	if r.Rejected > 0 {
		s += fmt.Sprintf(", %d invalid notes from the remote ignored", r.Rejected)
	}
	return s
}
