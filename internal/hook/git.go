package hook

// This file holds the git config and path helpers the package needs; the git
// binary itself runs through internal/gitcli.

import (
	"context"
	"fmt"
	"strings"

	"github.com/tokenyield/tokenyield/internal/gitcli"
)

// Config scopes passed to git config; scopeAll reads the effective value.
const (
	scopeAll    = ""
	scopeLocal  = "local"
	scopeGlobal = "global"
)

// exitCode returns git's exit code carried by err, or -1.
func exitCode(err error) int { return gitcli.ExitCode(err) }

// gitCmd runs git in dir with env appended to the process environment,
// through internal/gitcli.
type gitCmd struct {
	dir string
	env []string
}

// run runs git and returns its stdout without the final newline.
func (g gitCmd) run(ctx context.Context, args ...string) (string, error) {
	bin, err := gitcli.Find()
	if err != nil {
		return "", fmt.Errorf("git not found: %w", err)
	}
	out, err := (&gitcli.Git{Path: bin, Dir: g.dir, Env: g.env}).Run(ctx, args...)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(out), "\n"), nil
}

func scopeArgs(scope string, args ...string) []string {
	out := []string{"config"}
	if scope != scopeAll {
		out = append(out, "--"+scope)
	}
	return append(out, args...)
}

// configGetAll returns every value of key in scope (none when unset).
func (g gitCmd) configGetAll(ctx context.Context, scope, key string) ([]string, error) {
	out, err := g.run(ctx, scopeArgs(scope, "-z", "--get-all", key)...)
	if err != nil {
		if exitCode(err) == 1 {
			return nil, nil
		}
		return nil, err
	}
	var vals []string
	for _, v := range strings.Split(out, "\x00") {
		if v != "" {
			vals = append(vals, v)
		}
	}
	return vals, nil
}

// configGet returns the last value of key in scope; typ is a git --type
// ("path", "bool") or "".
func (g gitCmd) configGet(ctx context.Context, scope, typ, key string) (string, bool, error) {
	args := []string{"--get", key}
	if typ != "" {
		args = append([]string{"--type=" + typ}, args...)
	}
	out, err := g.run(ctx, scopeArgs(scope, args...)...)
	if err != nil {
		if exitCode(err) == 1 {
			return "", false, nil
		}
		return "", false, err
	}
	return out, true, nil
}

// configScope returns the scope ("local", "global", "system", "worktree",
// "command") and raw value of the effective setting of key.
func (g gitCmd) configScope(ctx context.Context, key string) (scope, value string, ok bool, err error) {
	out, err := g.run(ctx, "config", "--show-scope", "--get", key)
	if err != nil {
		if exitCode(err) == 1 {
			return "", "", false, nil
		}
		return "", "", false, err
	}
	scope, value, _ = strings.Cut(out, "\t")
	return scope, value, true, nil
}

func (g gitCmd) configAdd(ctx context.Context, scope, key, value string) error {
	_, err := g.run(ctx, scopeArgs(scope, "--add", key, value)...)
	return err
}

func (g gitCmd) configSet(ctx context.Context, scope, key, value string) error {
	_, err := g.run(ctx, scopeArgs(scope, key, value)...)
	return err
}

// configUnsetValue removes every value of key equal to value; a value that is
// not there is not an error.
func (g gitCmd) configUnsetValue(ctx context.Context, scope, key, value string) error {
	_, err := g.run(ctx, scopeArgs(scope, "--fixed-value", "--unset-all", key, value)...)
	if exitCode(err) == 5 { // no such value
		return nil
	}
	return err
}

// configUnset removes key; a key that is not set is not an error.
func (g gitCmd) configUnset(ctx context.Context, scope, key string) error {
	_, err := g.run(ctx, scopeArgs(scope, "--unset-all", key)...)
	if exitCode(err) == 5 {
		return nil
	}
	return err
}

// absPath runs "git rev-parse --path-format=absolute <flag> [arg]".
func (g gitCmd) absPath(ctx context.Context, flag string, arg ...string) (string, error) {
	return g.run(ctx, append([]string{"rev-parse", "--path-format=absolute", flag}, arg...)...)
}

// commonDir returns the absolute git common dir, or an error outside a repository.
func (g gitCmd) commonDir(ctx context.Context) (string, error) {
	return g.absPath(ctx, "--git-common-dir")
}

// hooksDir returns the absolute directory git runs hooks from (core.hooksPath
// honoured).
func (g gitCmd) hooksDir(ctx context.Context) (string, error) {
	return g.absPath(ctx, "--git-path", "hooks")
}

// topLevel returns the work tree's top directory, "" in a bare repository.
func (g gitCmd) topLevel(ctx context.Context) string {
	out, err := g.run(ctx, "rev-parse", "--show-toplevel")
	if err != nil {
		return ""
	}
	return out
}

// ignored reports whether git ignores path (a tracked path is never ignored).
func (g gitCmd) ignored(ctx context.Context, path string) bool {
	_, err := g.run(ctx, "check-ignore", "-q", "--", path)
	return err == nil
}

// remotes lists the repository's remotes.
func (g gitCmd) remotes(ctx context.Context) ([]string, error) {
	out, err := g.run(ctx, "remote")
	if err != nil {
		return nil, err
	}
	return strings.Fields(out), nil
}
