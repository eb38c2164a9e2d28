package pricing

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// OverridePath returns where the user's price override file lives:
// $TOKENYIELD_PRICES if set, else $TOKENYIELD_HOME/prices.json, else
// $XDG_CONFIG_HOME/tokenyield/prices.json (an XDG_CONFIG_HOME that is not
// absolute is ignored, as the XDG spec asks), else
// <home>/.config/tokenyield/prices.json. It returns "" when none applies
// (no variable set and home empty). getenv is usually os.Getenv; nil means
// os.Getenv.
func OverridePath(getenv func(string) string, home string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	if p := getenv("TOKENYIELD_PRICES"); p != "" {
		return p
	}
	if d := getenv("TOKENYIELD_HOME"); d != "" {
		return filepath.Join(d, "prices.json")
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "tokenyield", "prices.json")
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "tokenyield", "prices.json")
}

// LoadDefault returns Default() with the override file at
// OverridePath(getenv, home) laid over it (see Table.WithOverrides). A
// missing override file is not an error; an unreadable or malformed one is,
// and the error names its path.
func LoadDefault(getenv func(string) string, home string) (*Table, error) {
	path := OverridePath(getenv, home)
	if path == "" {
		return Default(), nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Default(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("pricing: open override file: %w", err)
	}
	defer func() { _ = f.Close() }() // read-only: a close error loses nothing
	o, err := load(f)
	if err != nil {
		return nil, fmt.Errorf("pricing: override file %s: %w", path, err)
	}
	return Default().WithOverrides(o), nil
}
