package hook

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Severity grades a Problem.
type Severity string

// The severities, from worst to mildest.
const (
	// SeverityError: tokenyield does not record or keep usage as it should.
	SeverityError Severity = "error"
	// SeverityWarning: it works now but can lose data or break soon.
	SeverityWarning Severity = "warning"
	// SeverityInfo: worth knowing, nothing is wrong.
	SeverityInfo Severity = "info"
)

// Problem is one finding of Check.
type Problem struct {
	Severity Severity `json:"severity"`
	What     string   `json:"what"` // what is wrong, with the paths and values involved
	Fix      string   `json:"fix"`  // a command or a sentence the user can follow
}

// checker carries one Check run.
type checker struct {
	ctx  context.Context
	opts Options
	g    gitCmd
	out  []Problem
}

func (c *checker) add(sev Severity, fix, format string, args ...any) {
	c.out = append(c.out, Problem{Severity: sev, What: fmt.Sprintf(format, args...), Fix: fix})
}

// Check inspects the installation for `tokenyield doctor`: the repository,
// the four hooks and their chained originals, the binary the hooks run,
// core.hooksPath changes since install, notes.rewriteRef and the notes
// rewrite settings, and the remotes' fetch refspecs for the notes ref. With
// Options.Global it checks the global install (and, inside a repository,
// that repository's view of it). No problems means all is well.
func Check(ctx context.Context, opts Options) []Problem {
	c := &checker{ctx: ctx, opts: opts, g: opts.git()}
	common, err := c.g.commonDir(ctx)
	inRepo := err == nil
	if !inRepo && !opts.Global {
		dir := opts.Dir
		if dir == "" {
			dir = "the current directory"
		}
		c.add(SeverityError, "run `tokenyield doctor` inside your repository (or create one with `git init`)",
			"%s is not inside a git repository", dir)
		return c.out
	}

	var local, global *installState
	if inRepo {
		local = c.state(filepath.Join(common, "tokenyield", "install.json"))
	}
	if gp, err := opts.globalStatePath(); err == nil {
		global = c.state(gp)
	}
	st, scope := local, scopeLocal
	if opts.Global || local == nil {
		st, scope = global, scopeGlobal
	}
	if opts.Global && local != nil && inRepo {
		c.add(SeverityInfo, "", "this repository also has its own tokenyield install in %s", local.HooksDir)
	}

	// the directory git runs hooks from now
	dir := ""
	hooksScope, hooksRaw := "", ""
	if inRepo {
		if d, err := c.g.hooksDir(ctx); err == nil {
			dir = filepath.Clean(d)
		}
		hooksScope, hooksRaw, _, _ = c.g.configScope(ctx, "core.hooksPath")
	} else if v, ok, err := c.g.configGet(ctx, scopeGlobal, "path", "core.hooksPath"); err == nil && ok {
		dir = filepath.Clean(v)
	}

	switch {
	case st == nil && opts.Global:
		c.add(SeverityError, "tokenyield install --global", "tokenyield is not installed globally")
	case st == nil:
		c.add(SeverityError, "tokenyield install", "tokenyield is not installed in this repository (no hooks record in %s)", filepath.Join(common, "tokenyield"))
	default:
		c.hooks(st, scope, dir, hooksScope, hooksRaw)
	}
	c.config(inRepo, scope)
	if inRepo {
		c.remotes()
	}
	if v := opts.getenv("TOKENYIELD_DISABLE"); v != "" && v != "0" && v != "false" {
		c.add(SeverityWarning, "unset TOKENYIELD_DISABLE", "TOKENYIELD_DISABLE=%s is set: the hooks skip tokenyield", v)
	}
	return c.out
}

// state loads an install record, reporting a damaged one.
func (c *checker) state(path string) *installState {
	st, err := loadState(path)
	if err != nil {
		c.add(SeverityError, fmt.Sprintf("remove %s and run `tokenyield install` again", path), "%v", err)
		return nil
	}
	return st
}

// hooks checks the scripts in dir against the install record st.
func (c *checker) hooks(st *installState, scope, dir, hooksScope, hooksRaw string) {
	install := installCmd(scope)
	if dir == "" {
		dir = st.HooksDir
	}
	moved := dir != st.HooksDir
	if moved {
		husky := ""
		if isHusky(dir) || isHusky(st.HooksDir) {
			husky = " (husky may have rewritten core.hooksPath or its directory)"
		}
		if scope == scopeGlobal && (hooksScope == "local" || hooksScope == "worktree") {
			c.add(SeverityError, "tokenyield install (in this repository: it chains the hooks in "+dir+")",
				"this repository's core.hooksPath (%s) overrides the global hooks dir %s, so tokenyield's global hooks do not run here%s", hooksRaw, st.HooksDir, husky)
		} else {
			c.add(SeverityError, install,
				"git runs hooks from %s, but tokenyield was installed in %s: core.hooksPath changed since install (now %q)%s", dir, st.HooksDir, hooksRaw, husky)
		}
	}
	binaries := map[string][]string{}
	for _, name := range hookNames {
		p := filepath.Join(dir, name)
		_, exists, err := lstat(p)
		if err != nil {
			c.add(SeverityError, install, "%v", err)
			continue
		}
		if !exists {
			if !moved { // else the move is the one problem to fix
				c.add(SeverityError, install, "the %s hook is missing from %s", name, dir)
			}
			continue
		}
		data, _ := os.ReadFile(p)
		if !isManaged(data) {
			if moved {
				continue
			}
			who := ""
			if m := detectManager(data); m != "" {
				who = " (" + m + " wrote it)"
			} else if isHusky(dir) {
				who = " (husky may have regenerated " + dir + ")"
			}
			c.add(SeverityError, install+" (it keeps that hook, running it first)",
				"%s is not tokenyield's hook%s, so tokenyield does not run on %s", p, who, name)
			continue
		}
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm()&0o111 == 0 {
			c.add(SeverityError, "chmod +x "+shQuote(p), "%s is not executable, so git skips it", p)
		}
		if bin, ok := scriptBinary(data); ok {
			binaries[bin] = append(binaries[bin], name)
		}
		if moved {
			continue
		}
		if hs, ok := st.findHook(name); ok && hs.Chained {
			cp := p + chainedSuffix
			cfi, err := os.Stat(cp)
			switch {
			case err != nil:
				c.add(SeverityWarning, "restore it from a backup, or run `"+install+"` to record that there is none",
					"the original %s hook kept as %s is gone, so it no longer runs", name, cp)
			case cfi.Mode().Perm()&0o111 == 0:
				c.add(SeverityWarning, "chmod +x "+shQuote(cp),
					"the original %s hook %s is not executable, so it does not run (git would skip it too)", name, cp)
			}
		}
	}
	bins := make([]string, 0, len(binaries))
	for b := range binaries {
		bins = append(bins, b)
	}
	sort.Strings(bins)
	for _, bin := range bins {
		hooks := strings.Join(binaries[bin], ", ")
		fi, err := os.Stat(bin)
		switch {
		case err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0:
			c.add(SeverityError, install+" (with the tokenyield you use now)",
				"the hooks (%s) run %s, which is missing or not executable: they skip tokenyield", hooks, bin)
		case c.opts.Binary != "" && !samePath(bin, c.opts.Binary):
			c.add(SeverityWarning, install+" (the hooks then run "+c.opts.Binary+")",
				"the hooks (%s) run %s, but this tokenyield is %s", hooks, bin, c.opts.Binary)
		}
	}
}

// config checks the notes rewrite settings.
func (c *checker) config(inRepo bool, scope string) {
	read := scopeAll
	if !inRepo {
		read = scopeGlobal
	}
	flag := ""
	if scope == scopeGlobal {
		flag = " --global"
	}
	if env := c.opts.getenv("GIT_NOTES_REWRITE_REF"); env != "" && !rewriteRefCovers(strings.Split(env, ":")) {
		c.add(SeverityError, "add "+NotesRef+" to GIT_NOTES_REWRITE_REF, or unset it",
			"GIT_NOTES_REWRITE_REF=%s overrides notes.rewriteRef and leaves out %s: amend and rebase drop tokenyield notes", env, NotesRef)
	}
	vals, err := c.g.configGetAll(c.ctx, read, "notes.rewriteRef")
	if err != nil {
		c.add(SeverityError, "", "cannot read git config: %v", err)
		return
	}
	if !rewriteRefCovers(vals) {
		c.add(SeverityError, "git config"+flag+" --add notes.rewriteRef "+NotesRef,
			"notes.rewriteRef does not include %s: amend and rebase do not carry tokenyield notes", NotesRef)
	}
	for _, op := range []string{"amend", "rebase"} {
		key := "notes.rewrite." + op
		v, ok, err := c.g.configGet(c.ctx, read, "bool", key)
		if err == nil && ok && v == "false" {
			c.add(SeverityError, c.unsetFix(key),
				"%s is false: notes do not follow %s, so tokenyield notes are lost on %s", key, op, op)
		}
	}
	if v, ok, err := c.g.configGet(c.ctx, read, "", "notes.rewriteMode"); err == nil && ok && strings.EqualFold(v, "ignore") {
		c.add(SeverityError, c.unsetFix("notes.rewriteMode"),
			"notes.rewriteMode is ignore: amend and rebase do not carry tokenyield notes")
	}
}

// unsetFix is the command that removes key where it is set.
func (c *checker) unsetFix(key string) string {
	scope, _, ok, err := c.g.configScope(c.ctx, key)
	if err == nil && ok {
		switch scope {
		case "local", "global", "system", "worktree":
			return fmt.Sprintf("git config --%s --unset %s", scope, key)
		}
	}
	return "remove " + key + " from your git config"
}

// remotes checks that remotes exist and that their fetch refspecs do not
// overwrite the local notes ref.
func (c *checker) remotes() {
	names, err := c.g.remotes(c.ctx)
	if err != nil {
		c.add(SeverityWarning, "", "cannot list remotes: %v", err)
		return
	}
	if len(names) == 0 {
		c.add(SeverityInfo, "add a remote (git remote add origin <url>); the next push takes the notes along",
			"this repository has no remote: notes stay local; the pre-push hook pushes %s with each push", NotesRef)
		return
	}
	for _, name := range names {
		specs, err := c.g.configGetAll(c.ctx, scopeAll, "remote."+name+".fetch")
		if err != nil {
			continue
		}
		for _, spec := range specs {
			force, hit := notesRefspec(spec)
			if !hit {
				continue
			}
			fix := fmt.Sprintf("git config --fixed-value --unset-all remote.%s.fetch %s; fetch notes with `tokenyield fetch`, which merges them", name, shQuote(spec))
			if force {
				c.add(SeverityWarning, fix,
					"remote %s fetches with %s, which force-overwrites %s on every fetch and can drop notes not pushed yet", name, spec, NotesRef)
			} else {
				c.add(SeverityInfo, fix,
					"remote %s fetches %s with %s, which fails the fetch whenever local and remote notes diverge", name, NotesRef, spec)
			}
		}
	}
}

// notesRefspec reports whether a fetch refspec writes the local notes ref,
// and whether it forces the update.
func notesRefspec(spec string) (force, hit bool) {
	if strings.HasPrefix(spec, "^") {
		return false, false
	}
	force = strings.HasPrefix(spec, "+")
	_, dst, ok := strings.Cut(strings.TrimPrefix(spec, "+"), ":")
	if !ok {
		return false, false
	}
	return force, dst == NotesRef || (strings.Contains(dst, "*") && globMatch(dst, NotesRef))
}

// samePath reports whether a and b name the same file.
func samePath(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ai, err := os.Stat(a)
	if err != nil {
		return false
	}
	bi, err := os.Stat(b)
	return err == nil && os.SameFile(ai, bi)
}
