package hook

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// stateVersion is the schema version of install.json.
const stateVersion = 1

// installState is what an install changed, so that Uninstall can undo exactly
// that. It is stored as JSON in install.json.
type installState struct {
	Version int    `json:"v"`
	Scope   string `json:"scope"` // scopeLocal or scopeGlobal
	// HooksDir is the absolute directory the scripts were written to.
	HooksDir string `json:"hooks_dir"`
	// HooksPath is core.hooksPath as configured when installing ("" = unset).
	HooksPath string `json:"hooks_path,omitempty"`
	// HooksPathSet: the install set the global core.hooksPath to HooksDir.
	HooksPathSet bool        `json:"hooks_path_set,omitempty"`
	Binary       string      `json:"binary"`
	Hooks        []hookState `json:"hooks"`
	// ConfigAdded are the config values the install added.
	ConfigAdded []configEntry `json:"config_added,omitempty"`
	// CreatedDirs are directories the install created, parents first.
	CreatedDirs []string  `json:"created_dirs,omitempty"`
	InstalledAt time.Time `json:"installed_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// hookState is one installed hook.
type hookState struct {
	Name string `json:"name"`
	// Chained: the hook that was there is kept as <name>.tokenyield-chained.
	Chained bool `json:"chained,omitempty"`
	// Manager names the hook manager that wrote the chained hook, if known.
	Manager string `json:"manager,omitempty"`
}

// configEntry is one config value added by an install.
type configEntry struct {
	Scope string `json:"scope"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

// hook returns the record of name, adding one when missing.
func (s *installState) hook(name string) *hookState {
	for i := range s.Hooks {
		if s.Hooks[i].Name == name {
			return &s.Hooks[i]
		}
	}
	s.Hooks = append(s.Hooks, hookState{Name: name})
	return &s.Hooks[len(s.Hooks)-1]
}

func (s *installState) findHook(name string) (hookState, bool) {
	for _, h := range s.Hooks {
		if h.Name == name {
			return h, true
		}
	}
	return hookState{}, false
}

func (s *installState) addDirs(dirs []string) {
	for _, d := range dirs {
		seen := false
		for _, have := range s.CreatedDirs {
			seen = seen || have == d
		}
		if !seen {
			s.CreatedDirs = append(s.CreatedDirs, d)
		}
	}
}

// loadState reads install.json; a missing file is (nil, nil).
func loadState(path string) (*installState, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read install record: %w", err)
	}
	var s installState
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("install record %s is damaged (%w); delete it and run tokenyield install again", path, err)
	}
	if s.Version != stateVersion {
		return nil, fmt.Errorf("install record %s has version %d; this tokenyield reads version %d", path, s.Version, stateVersion)
	}
	return &s, nil
}

// saveState writes install.json atomically into an existing directory.
func saveState(path string, s *installState) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode install record: %w", err)
	}
	return writeFileAtomic(path, append(data, '\n'), 0o644)
}

// mkdirAll creates dir and its missing parents, returning those it created,
// parents first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append([]string{d}, missing...)
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	return missing, nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, with mode exactly perm.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tokenyield-tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Chmod(perm)
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}
