package gitcli

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Scope selects which configuration file a config command reads or writes.
type Scope int

const (
	// ScopeDefault passes no scope flag: reads see the merged configuration
	// (system, global, local, worktree, command line), writes go to the
	// repository's local config.
	ScopeDefault Scope = iota
	// ScopeLocal is the repository's own config (--local).
	ScopeLocal
	// ScopeGlobal is the user's config (--global: ~/.gitconfig or
	// $XDG_CONFIG_HOME/git/config).
	ScopeGlobal
)

// String returns the flag name of the scope, "default" for ScopeDefault.
func (s Scope) String() string {
	switch s {
	case ScopeDefault:
		return "default"
	case ScopeLocal:
		return "local"
	case ScopeGlobal:
		return "global"
	default:
		return fmt.Sprintf("Scope(%d)", int(s))
	}
}

// configArgs builds "config [--scope] [extra...]"; at most one scope may be
// given.
func configArgs(scope []Scope, extra ...string) ([]string, error) {
	args := []string{"config"}
	if len(scope) > 1 {
		return nil, fmt.Errorf("git config: at most one scope, got %d", len(scope))
	}
	if len(scope) == 1 {
		switch scope[0] {
		case ScopeDefault:
		case ScopeLocal:
			args = append(args, "--local")
		case ScopeGlobal:
			args = append(args, "--global")
		default:
			return nil, fmt.Errorf("git config: unknown scope %v", scope[0])
		}
	}
	return append(args, extra...), nil
}

// isUnset reports the exit status git config uses for a missing key: 1 with
// nothing on stderr (an invalid key also exits 1, but says why).
func isUnset(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && ge.ExitCode == 1 && ge.Stderr == ""
}

// ConfigGet returns the value of key (the last one when the key has several)
// and whether it is set. An optional scope restricts the lookup to one file.
func (g *Git) ConfigGet(ctx context.Context, key string, scope ...Scope) (string, bool, error) {
	args, err := configArgs(scope, "-z", "--get", "--", key)
	if err != nil {
		return "", false, err
	}
	out, err := g.Run(ctx, args...)
	if isUnset(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return strings.TrimSuffix(string(out), "\x00"), true, nil
}

// ConfigGetAll returns every value of key in order, or nil when it is unset.
// An optional scope restricts the lookup to one file.
func (g *Git) ConfigGetAll(ctx context.Context, key string, scope ...Scope) ([]string, error) {
	args, err := configArgs(scope, "-z", "--get-all", "--", key)
	if err != nil {
		return nil, err
	}
	out, err := g.Run(ctx, args...)
	if isUnset(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s := strings.TrimSuffix(string(out), "\x00")
	return strings.Split(s, "\x00"), nil
}

// ConfigSet sets key to value, replacing every existing value of key in the
// chosen file (git config --replace-all). ScopeDefault writes the local file.
func (g *Git) ConfigSet(ctx context.Context, key, value string, scope ...Scope) error {
	args, err := configArgs(scope, "--replace-all", "--", key, value)
	if err != nil {
		return err
	}
	_, err = g.Run(ctx, args...)
	return err
}

// ConfigAdd adds value to key, keeping existing values (git config --add).
func (g *Git) ConfigAdd(ctx context.Context, key, value string, scope ...Scope) error {
	args, err := configArgs(scope, "--add", "--", key, value)
	if err != nil {
		return err
	}
	_, err = g.Run(ctx, args...)
	return err
}

// ConfigUnsetAll removes every value of key from the chosen file. Removing a
// key that is not set is not an error.
func (g *Git) ConfigUnsetAll(ctx context.Context, key string, scope ...Scope) error {
	args, err := configArgs(scope, "--unset-all", "--", key)
	if err != nil {
		return err
	}
	_, err = g.Run(ctx, args...)
	if ExitCode(err) == 5 { // "you try to unset an option which does not exist"
		return nil
	}
	return err
}
