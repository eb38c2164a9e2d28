package hook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Errors returned by Install and Uninstall; test with errors.Is.
var (
	// ErrNotRepository: Options.Dir is not inside a git repository.
	ErrNotRepository = errors.New("not inside a git repository")
	// ErrConflict: both <hook> and <hook>.tokenyield-chained exist and differ,
	// so installing would lose one of them; that hook was left alone.
	ErrConflict = errors.New("hook conflict")
	// ErrSharedHooksDir: a local install was asked for, but core.hooksPath
	// comes from global or system config, so every repository shares that
	// directory.
	ErrSharedHooksDir = errors.New("hooks directory is shared by all repositories")
)

// NotesRef is the notes ref tokenyield writes, added to notes.rewriteRef.
const NotesRef = "refs/notes/tokenyield"

// Options says where and how to install.
type Options struct {
	// Dir is any directory inside the repository ("" = the current one). A
	// global install uses it only as git's working directory.
	Dir string
	// Binary is the absolute path of the tokenyield executable the hooks run.
	Binary string
	// Global installs for every repository of the user (global git config).
	Global bool
	// Home is the user's home directory ("" = $HOME). When set it is also
	// passed to git as HOME, which locates the global git config.
	Home string
	// Env is extra environment for git, as "KEY=value" (later entries win);
	// XDG_CONFIG_HOME is read from it before the process environment.
	Env []string
}

func (o Options) git() gitCmd {
	var env []string
	if o.Home != "" {
		env = append(env, "HOME="+o.Home)
	}
	return gitCmd{dir: o.Dir, env: append(env, o.Env...)}
}

// getenv reads key from Env, then Home (for HOME), then the process.
func (o Options) getenv(key string) string {
	for i := len(o.Env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(o.Env[i], "="); ok && k == key {
			return v
		}
	}
	if key == "HOME" && o.Home != "" {
		return o.Home
	}
	return os.Getenv(key)
}

func (o Options) home() (string, error) {
	if h := o.getenv("HOME"); h != "" {
		return h, nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("home directory: %w", err)
	}
	return h, nil
}

// configDir is $XDG_CONFIG_HOME, or ~/.config.
func (o Options) configDir() (string, error) {
	if x := o.getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return x, nil
	}
	h, err := o.home()
	if err != nil {
		return "", err
	}
	return filepath.Join(h, ".config"), nil
}

// globalStatePath is where a global install is recorded.
func (o Options) globalStatePath() (string, error) {
	cfg, err := o.configDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cfg, "tokenyield", "install.json"), nil
}

// ActionKind says what one Action did.
type ActionKind string

// The kinds of Action.
const (
	ActionWrote         ActionKind = "wrote"          // wrote a hook script
	ActionUpdated       ActionKind = "updated"        // rewrote an outdated script of ours
	ActionUnchanged     ActionKind = "unchanged"      // our script was already up to date
	ActionChained       ActionKind = "chained"        // moved an existing hook to <name>.tokenyield-chained
	ActionRestored      ActionKind = "restored"       // moved <name>.tokenyield-chained back
	ActionRemoved       ActionKind = "removed"        // removed a script, record or duplicate
	ActionConfigAdded   ActionKind = "config-added"   // added or set a git config value
	ActionConfigRemoved ActionKind = "config-removed" // removed a git config value
	ActionManager       ActionKind = "manager"        // found a hook manager
	ActionWarning       ActionKind = "warning"        // something the user should know
	ActionNothing       ActionKind = "nothing"        // nothing to do
)

// Action is one machine-readable step of a Report.
type Action struct {
	Kind ActionKind `json:"kind"`
	Hook string     `json:"hook,omitempty"` // git hook name, when about one hook
	Path string     `json:"path,omitempty"` // file or directory acted on
	// Detail is the config key=value, the manager name or the warning text.
	Detail string `json:"detail,omitempty"`
}

// Report is what Install or Uninstall did.
type Report struct {
	Scope    string   `json:"scope"` // "local" or "global"
	HooksDir string   `json:"hooks_dir,omitempty"`
	Managers []string `json:"managers,omitempty"` // hook managers found: husky, lefthook, pre-commit
	// AlreadyInstalled: Install found tokenyield installed already.
	AlreadyInstalled bool     `json:"already_installed,omitempty"`
	Actions          []Action `json:"actions"`
	Lines            []string `json:"lines"` // human-readable, one per step
}

// String returns the human-readable lines, one per line.
func (r Report) String() string {
	if len(r.Lines) == 0 {
		return ""
	}
	return strings.Join(r.Lines, "\n") + "\n"
}

func (r *Report) add(a Action, format string, args ...any) {
	r.Actions = append(r.Actions, a)
	r.Lines = append(r.Lines, fmt.Sprintf(format, args...))
}

func (r *Report) warn(hook, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.add(Action{Kind: ActionWarning, Hook: hook, Path: path, Detail: msg}, "warning: %s", msg)
}

func (r *Report) manager(name, path, format string, args ...any) {
	if !slices.Contains(r.Managers, name) {
		r.Managers = append(r.Managers, name)
	}
	r.add(Action{Kind: ActionManager, Path: path, Detail: name}, format, args...)
}

// target is where an install goes.
type target struct {
	scope     string
	hooksDir  string
	hooksPath string // raw core.hooksPath ("" = unset)
	// sharedScope is the config scope of a non-local core.hooksPath seen by a
	// local install ("global", "system", ...), else "".
	sharedScope string
	statePath   string
	// ownDir: the global hooks directory tokenyield owns; setHooksPath: the
	// install has to point the global core.hooksPath at it.
	ownDir       bool
	setHooksPath bool
	hooksPathVal string // value to write to core.hooksPath
	top          string // work tree top ("" when bare or global)
	commonDir    string
}

func resolveLocal(ctx context.Context, o Options) (target, error) {
	g := o.git()
	common, err := g.commonDir(ctx)
	if err != nil {
		dir := o.Dir
		if dir == "" {
			dir = "."
		}
		return target{}, fmt.Errorf("%w: %s (%w)", ErrNotRepository, dir, err)
	}
	hooks, err := g.hooksDir(ctx)
	if err != nil {
		return target{}, err
	}
	t := target{
		scope:     scopeLocal,
		hooksDir:  filepath.Clean(hooks),
		statePath: filepath.Join(common, "tokenyield", "install.json"),
		top:       g.topLevel(ctx),
		commonDir: common,
	}
	scope, raw, ok, err := g.configScope(ctx, "core.hooksPath")
	if err != nil {
		return target{}, err
	}
	if ok {
		t.hooksPath = raw
		if scope != "local" && scope != "worktree" {
			t.sharedScope = scope
		}
	}
	return t, nil
}

func resolveGlobal(ctx context.Context, o Options) (target, error) {
	g := o.git()
	cfg, err := o.configDir()
	if err != nil {
		return target{}, err
	}
	own := filepath.Join(cfg, "tokenyield", "hooks")
	t := target{scope: scopeGlobal, statePath: filepath.Join(cfg, "tokenyield", "install.json")}
	raw, _, err := g.configGet(ctx, scopeGlobal, "", "core.hooksPath")
	if err != nil {
		return target{}, err
	}
	val, _, err := g.configGet(ctx, scopeGlobal, "path", "core.hooksPath")
	if err != nil {
		return target{}, err
	}
	t.hooksPath = raw
	switch {
	case val == "":
		t.hooksDir, t.ownDir, t.setHooksPath = own, true, true
		t.hooksPathVal = own
		if h, herr := o.home(); herr == nil {
			if rel, rerr := filepath.Rel(h, own); rerr == nil && filepath.IsLocal(rel) {
				// ~ keeps a synced ~/.gitconfig valid on other machines
				t.hooksPathVal = "~/" + filepath.ToSlash(rel)
			}
		}
	case !filepath.IsAbs(val):
		return target{}, fmt.Errorf("the global core.hooksPath %q is relative (to each repository): install into each repository with `tokenyield install` instead of --global", raw)
	default:
		t.hooksDir = filepath.Clean(val)
		t.ownDir = t.hooksDir == own
	}
	return t, nil
}

func resolve(ctx context.Context, o Options) (target, error) {
	if o.Global {
		return resolveGlobal(ctx, o)
	}
	return resolveLocal(ctx, o)
}

func checkBinary(path string) error {
	if path == "" || !filepath.IsAbs(path) {
		return fmt.Errorf("tokenyield binary path %q is not absolute", path)
	}
	if strings.ContainsAny(path, "\n\r\x00") {
		return fmt.Errorf("tokenyield binary path %q contains a line break", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("tokenyield binary: %w", err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("tokenyield binary %s is not an executable file", path)
	}
	return nil
}

// installer carries one Install run.
type installer struct {
	ctx       context.Context
	opts      Options
	g         gitCmd
	t         target
	st        *installState
	rep       *Report
	changed   bool // st must be saved
	conflicts []string
}

// Install writes the hooks and config for Options (see the package doc) and
// records what it changed. Running it again is safe: it updates the scripts
// (for instance to a new binary path) and keeps the one chained original.
// On ErrConflict the Report still describes every hook that was installed.
func Install(ctx context.Context, opts Options) (rep Report, err error) {
	if err := checkBinary(opts.Binary); err != nil {
		return Report{}, err
	}
	t, err := resolve(ctx, opts)
	if err != nil {
		return Report{}, err
	}
	rep = Report{Scope: t.scope, HooksDir: t.hooksDir}
	if t.sharedScope != "" {
		return installShared(t, &rep)
	}
	prior, err := loadState(t.statePath)
	if err != nil {
		return rep, err
	}
	now := time.Now().UTC()
	in := &installer{ctx: ctx, opts: opts, g: opts.git(), t: t, rep: &rep}
	if prior != nil {
		cp := *prior
		cp.Hooks = slices.Clone(prior.Hooks)
		cp.ConfigAdded = slices.Clone(prior.ConfigAdded)
		cp.CreatedDirs = slices.Clone(prior.CreatedDirs)
		in.st = &cp
	} else {
		in.st = &installState{Version: stateVersion, Scope: t.scope, InstalledAt: now}
		in.changed = true
	}
	defer func() {
		if !in.changed {
			return
		}
		in.st.UpdatedAt = now
		created, derr := mkdirAll(filepath.Dir(t.statePath))
		in.st.addDirs(created)
		if derr == nil {
			derr = saveState(t.statePath, in.st)
		}
		if derr != nil && err == nil {
			err = derr
		}
	}()

	if prior != nil && prior.HooksDir != t.hooksDir {
		rep.add(Action{Kind: ActionWarning, Path: t.hooksDir, Detail: "hooks dir changed"},
			"git now runs hooks from %s instead of %s (core.hooksPath changed): moving tokenyield's hooks", t.hooksDir, prior.HooksDir)
		if err := restoreHooks(prior.HooksDir, prior.Hooks, &rep); err != nil {
			return rep, err
		}
		in.st.Hooks = nil
		in.changed = true
		if prior.HooksPathSet && !t.ownDir {
			in.st.HooksPathSet = false
		}
	}
	in.st.HooksDir = t.hooksDir
	in.st.HooksPath = t.hooksPath
	if in.st.Binary != opts.Binary {
		in.st.Binary = opts.Binary
		in.changed = true
	}
	if err := in.hooks(); err != nil {
		return rep, err
	}
	if err := in.config(); err != nil {
		return rep, err
	}
	in.warnTracked()

	wrote := false
	for _, a := range rep.Actions {
		wrote = wrote || a.Kind == ActionWrote || a.Kind == ActionChained || a.Kind == ActionConfigAdded
	}
	if !wrote && len(in.conflicts) == 0 {
		rep.AlreadyInstalled = true
		rep.Lines = append(rep.Lines, fmt.Sprintf("tokenyield is already installed in %s (hooks run %s)", t.hooksDir, opts.Binary))
	} else {
		rep.Lines = append(rep.Lines, fmt.Sprintf("installed tokenyield hooks in %s (they run %s); undo with %s", t.hooksDir, opts.Binary, uninstallCmd(t.scope)))
	}
	if len(in.conflicts) > 0 {
		return rep, fmt.Errorf("%w: %s", ErrConflict, strings.Join(in.conflicts, "; "))
	}
	return rep, nil
}

func installCmd(scope string) string {
	if scope == scopeGlobal {
		return "tokenyield install --global"
	}
	return "tokenyield install"
}

func uninstallCmd(scope string) string {
	if scope == scopeGlobal {
		return "tokenyield uninstall --global"
	}
	return "tokenyield uninstall"
}

// installShared handles a local install whose hooks directory comes from a
// global or system core.hooksPath.
func installShared(t target, rep *Report) (Report, error) {
	all := true
	for _, name := range hookNames {
		data, err := os.ReadFile(filepath.Join(t.hooksDir, name))
		all = all && err == nil && isManaged(data)
	}
	if all {
		rep.AlreadyInstalled = true
		rep.add(Action{Kind: ActionNothing, Path: t.hooksDir},
			"tokenyield is already installed for every repository in %s (core.hooksPath from %s config)", t.hooksDir, t.sharedScope)
		return *rep, nil
	}
	return *rep, fmt.Errorf("%w: core.hooksPath is set in %s config to %s; install there for every repository with `tokenyield install --global` (it chains the hooks already there)",
		ErrSharedHooksDir, t.sharedScope, t.hooksDir)
}

// hooks installs the four scripts.
func (in *installer) hooks() error {
	dir := in.t.hooksDir
	if isHusky(dir) {
		in.rep.manager("husky", dir,
			"husky: core.hooksPath is %s; `husky` (run by `npm install` or `husky install`) may regenerate that directory and drop tokenyield's hooks; `tokenyield doctor` tells, and `%s` chains them again",
			in.t.hooksPath, installCmd(in.t.scope))
	}
	lefthookSeen := false
	created, err := mkdirAll(dir)
	if err != nil {
		return err
	}
	if len(created) > 0 {
		in.st.addDirs(created)
		in.changed = true
	}
	for _, name := range hookNames {
		mgr, err := in.hook(name)
		if err != nil {
			return err
		}
		lefthookSeen = lefthookSeen || mgr == "lefthook"
	}
	if cfg := lefthookConfig(in.t.top); cfg != "" && !lefthookSeen {
		in.rep.manager("lefthook", cfg,
			"lefthook: found %s; if `lefthook install` replaces these hooks later, run `%s` again (`tokenyield doctor` tells)", cfg, installCmd(in.t.scope))
	}
	return nil
}

// hook installs one script and returns the manager of the hook it chained.
func (in *installer) hook(name string) (string, error) {
	p := filepath.Join(in.t.hooksDir, name)
	c := p + chainedSuffix
	pInfo, pExists, err := lstat(p)
	if err != nil {
		return "", err
	}
	if pExists && pInfo.IsDir() {
		return "", fmt.Errorf("hook %s is a directory", p)
	}
	var cur []byte
	if pExists {
		cur, _ = os.ReadFile(p) // a dangling symlink reads as empty: not ours
	}
	_, cExists, err := lstat(c)
	if err != nil {
		return "", err
	}
	hs := in.st.hook(name)
	ours := pExists && isManaged(cur)
	if pExists && !ours {
		mgr := detectManager(cur)
		if isHusky(in.t.hooksDir) && mgr == "" {
			mgr = "husky"
		}
		if cExists {
			same, err := sameContent(p, c)
			if err != nil {
				return "", err
			}
			if !same {
				in.rep.warn(name, p, "%s and %s both exist and differ; left both alone: move one away and run `%s` again", p, filepath.Base(c), installCmd(in.t.scope))
				in.conflicts = append(in.conflicts, p)
				return mgr, nil
			}
			if err := os.Remove(p); err != nil {
				return "", fmt.Errorf("remove %s: %w", p, err)
			}
			in.rep.add(Action{Kind: ActionRemoved, Hook: name, Path: p},
				"%s: identical to %s, which already runs first: replaced", name, filepath.Base(c))
		} else {
			if err := os.Rename(p, c); err != nil {
				return "", fmt.Errorf("chain %s: %w", p, err)
			}
			what := "existing hook"
			if mgr != "" {
				what = "existing " + mgr + " hook"
			}
			in.rep.add(Action{Kind: ActionChained, Hook: name, Path: c, Detail: mgr},
				"%s: kept the %s as %s; it runs first", name, what, filepath.Base(c))
			if mgr != "" && mgr != "husky" {
				in.rep.manager(mgr, c, "%s: %s manages this hook; it keeps running before tokenyield", name, mgr)
			}
			hs.Manager = mgr
		}
		cExists = true
		in.changed = true
	}
	if hs.Chained != cExists {
		hs.Chained = cExists
		in.changed = true
	}
	spec := scriptSpec{hook: name, binary: in.opts.Binary, repoHooks: in.t.scope == scopeGlobal && in.t.ownDir, global: in.t.scope == scopeGlobal}
	if cExists {
		data, err := os.ReadFile(c)
		if err == nil {
			spec.chainSource, spec.chainFlags = chainMode(data)
		}
	}
	want := script(spec)
	if ours && string(cur) == want && pInfo.Mode().Perm()&0o111 != 0 {
		in.rep.add(Action{Kind: ActionUnchanged, Hook: name, Path: p}, "%s: already installed", name)
		return hs.Manager, nil
	}
	if err := writeFileAtomic(p, []byte(want), 0o755); err != nil {
		return "", err
	}
	in.changed = true
	if ours {
		in.rep.add(Action{Kind: ActionUpdated, Hook: name, Path: p}, "%s: updated %s", name, p)
	} else {
		in.rep.add(Action{Kind: ActionWrote, Hook: name, Path: p}, "%s: wrote %s", name, p)
	}
	return hs.Manager, nil
}

// config adds the notes ref to notes.rewriteRef and, for a global install
// into the directory tokenyield owns, points core.hooksPath at it.
func (in *installer) config() error {
	scope := in.t.scope
	vals, err := in.g.configGetAll(in.ctx, scope, "notes.rewriteRef")
	if err != nil {
		return err
	}
	if !rewriteRefCovers(vals) {
		if err := in.g.configAdd(in.ctx, scope, "notes.rewriteRef", NotesRef); err != nil {
			return err
		}
		in.st.ConfigAdded = append(in.st.ConfigAdded, configEntry{Scope: scope, Key: "notes.rewriteRef", Value: NotesRef})
		in.changed = true
		in.rep.add(Action{Kind: ActionConfigAdded, Detail: "notes.rewriteRef=" + NotesRef},
			"git config --%s --add notes.rewriteRef %s (amend and rebase carry tokenyield notes)", scope, NotesRef)
	}
	if in.t.setHooksPath {
		if err := in.g.configSet(in.ctx, scopeGlobal, "core.hooksPath", in.t.hooksPathVal); err != nil {
			return err
		}
		in.st.HooksPathSet = true
		in.st.HooksPath = in.t.hooksPathVal
		in.changed = true
		in.rep.add(Action{Kind: ActionConfigAdded, Path: in.t.hooksDir, Detail: "core.hooksPath=" + in.t.hooksPathVal},
			"git config --global core.hooksPath %s (the scripts there also run each repository's own .git/hooks)", in.t.hooksPathVal)
	} else if in.t.ownDir && !in.st.HooksPathSet {
		// core.hooksPath already points at tokenyield's own directory (an
		// install whose record was lost): nobody else would have set it.
		in.st.HooksPathSet = true
		in.changed = true
	}
	return nil
}

// warnTracked warns when the scripts land in the work tree where git status
// shows them (a committed hooks directory such as .githooks).
func (in *installer) warnTracked() {
	dir, top := in.t.hooksDir, in.t.top
	if top == "" || !within(dir, top) || (in.t.commonDir != "" && within(dir, in.t.commonDir)) {
		return
	}
	for _, name := range hookNames {
		if !in.g.ignored(in.ctx, filepath.Join(dir, name)) {
			in.rep.warn("", dir, "the hooks dir %s is inside the work tree and not ignored: `git status` shows tokenyield's scripts and the renamed hooks; do not commit them", dir)
			return
		}
	}
}

// within reports whether path is dir or below it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

// rewriteRefCovers reports whether notes.rewriteRef values include NotesRef
// (literally or through a glob such as refs/notes/*).
func rewriteRefCovers(vals []string) bool {
	for _, v := range vals {
		if v == NotesRef || globMatch(v, NotesRef) {
			return true
		}
	}
	return false
}

// globMatch matches a git ref glob: * matches any run of characters, slashes
// included; ? one character; anything else itself.
func globMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globMatch(pattern[1:], s[1:])
	default:
		return s != "" && s[0] == pattern[0] && globMatch(pattern[1:], s[1:])
	}
}

func lstat(path string) (fs.FileInfo, bool, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("inspect %s: %w", path, err)
	}
	return fi, true, nil
}

// sameContent reports whether a and b are the same kind of file with the same
// mode and content (or the same symlink target).
func sameContent(a, b string) (bool, error) {
	ai, err := os.Lstat(a)
	if err != nil {
		return false, fmt.Errorf("inspect %s: %w", a, err)
	}
	bi, err := os.Lstat(b)
	if err != nil {
		return false, fmt.Errorf("inspect %s: %w", b, err)
	}
	if ai.Mode() != bi.Mode() {
		return false, nil
	}
	if ai.Mode()&fs.ModeSymlink != 0 {
		at, _ := os.Readlink(a)
		bt, _ := os.Readlink(b)
		return at == bt, nil
	}
	ad, err := os.ReadFile(a)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", a, err)
	}
	bd, err := os.ReadFile(b)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", b, err)
	}
	return bytes.Equal(ad, bd), nil
}

// Uninstall undoes what Install recorded: it removes tokenyield's scripts,
// moves the chained originals back, removes the config values Install added
// (and the global core.hooksPath if Install set it) and the record itself. It
// never removes refs/notes/tokenyield or other data. When tokenyield is not
// installed it says so in the Report and returns no error.
func Uninstall(ctx context.Context, opts Options) (Report, error) {
	t, err := resolve(ctx, opts)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Scope: t.scope, HooksDir: t.hooksDir}
	st, err := loadState(t.statePath)
	if err != nil {
		return rep, err
	}
	if st == nil {
		notInstalled(opts, t, &rep)
		return rep, nil
	}
	rep.HooksDir = st.HooksDir
	g := opts.git()
	if st.HooksPathSet {
		cur, _, err := g.configGet(ctx, scopeGlobal, "path", "core.hooksPath")
		if err != nil {
			return rep, err
		}
		if filepath.Clean(cur) == st.HooksDir {
			if err := g.configUnset(ctx, scopeGlobal, "core.hooksPath"); err != nil {
				return rep, err
			}
			rep.add(Action{Kind: ActionConfigRemoved, Detail: "core.hooksPath=" + st.HooksPath},
				"git config --global --unset core.hooksPath (was %s, set by tokenyield install)", st.HooksPath)
		} else {
			rep.warn("", "", "the global core.hooksPath is now %q, not the %s tokenyield set: left as is", cur, st.HooksDir)
		}
	}
	if err := restoreHooks(st.HooksDir, st.Hooks, &rep); err != nil {
		return rep, err
	}
	for _, c := range st.ConfigAdded {
		if err := g.configUnsetValue(ctx, c.Scope, c.Key, c.Value); err != nil {
			return rep, err
		}
		rep.add(Action{Kind: ActionConfigRemoved, Detail: c.Key + "=" + c.Value},
			"git config --%s --unset %s %s", c.Scope, c.Key, c.Value)
	}
	if err := os.Remove(t.statePath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return rep, fmt.Errorf("remove install record: %w", err)
	}
	rep.add(Action{Kind: ActionRemoved, Path: t.statePath}, "removed the install record %s", t.statePath)
	for i := len(st.CreatedDirs) - 1; i >= 0; i-- {
		os.Remove(st.CreatedDirs[i]) // only when empty; data stays
	}
	rep.Lines = append(rep.Lines, "tokenyield hooks removed; notes (refs/notes/tokenyield) and other data are kept")
	return rep, nil
}

// notInstalled explains an Uninstall with nothing recorded.
func notInstalled(opts Options, t target, rep *Report) {
	where := "in this repository"
	if t.scope == scopeGlobal {
		where = "globally"
	}
	rep.add(Action{Kind: ActionNothing, Path: t.statePath}, "tokenyield is not installed %s (no %s): nothing to do", where, t.statePath)
	if t.scope == scopeLocal {
		if gp, err := opts.globalStatePath(); err == nil {
			if gs, _ := loadState(gp); gs != nil {
				rep.Lines = append(rep.Lines, "it is installed globally: remove that with `tokenyield uninstall --global`")
			}
		}
	}
	for _, name := range hookNames {
		data, err := os.ReadFile(filepath.Join(t.hooksDir, name))
		if err == nil && isManaged(data) && t.sharedScope == "" {
			rep.warn(name, t.hooksDir, "%s holds tokenyield hook scripts without an install record; run `%s` and then `%s` to remove them",
				t.hooksDir, installCmd(t.scope), uninstallCmd(t.scope))
			return
		}
	}
}

// restoreHooks removes tokenyield's scripts from dir and moves the chained
// originals back.
func restoreHooks(dir string, hooks []hookState, rep *Report) error {
	for _, hs := range hooks {
		p := filepath.Join(dir, hs.Name)
		c := p + chainedSuffix
		_, pExists, err := lstat(p)
		if err != nil {
			return err
		}
		if pExists {
			data, _ := os.ReadFile(p)
			if isManaged(data) {
				if err := os.Remove(p); err != nil {
					return fmt.Errorf("remove %s: %w", p, err)
				}
				pExists = false
				rep.add(Action{Kind: ActionRemoved, Hook: hs.Name, Path: p}, "%s: removed %s", hs.Name, p)
			}
		}
		_, cExists, err := lstat(c)
		if err != nil {
			return err
		}
		switch {
		case !cExists:
			if pExists {
				rep.warn(hs.Name, p, "%s is no longer tokenyield's (replaced since install): left as is", p)
			}
		case !pExists:
			if err := os.Rename(c, p); err != nil {
				return fmt.Errorf("restore %s: %w", p, err)
			}
			rep.add(Action{Kind: ActionRestored, Hook: hs.Name, Path: p}, "%s: restored the original hook %s", hs.Name, p)
		default:
			same, err := sameContent(p, c)
			if err != nil {
				return err
			}
			if same {
				if err := os.Remove(c); err != nil {
					return fmt.Errorf("remove %s: %w", c, err)
				}
				rep.add(Action{Kind: ActionRemoved, Hook: hs.Name, Path: c}, "%s: removed %s, identical to the current hook", hs.Name, c)
			} else {
				rep.warn(hs.Name, c, "%s was replaced since install; the original is still in %s: move it back by hand if you want it", p, c)
			}
		}
	}
	return nil
}
