package hook

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// lefthookConfigs are the file names lefthook reads its configuration from.
var lefthookConfigs = []string{
	"lefthook.yml", ".lefthook.yml", "lefthook.yaml", ".lefthook.yaml",
	"lefthook.toml", ".lefthook.toml", "lefthook.json", ".lefthook.json",
}

// detectManager names the hook manager that wrote a hook script, or "".
func detectManager(content []byte) string {
	s := string(content)
	switch {
	case strings.Contains(s, "lefthook"):
		return "lefthook"
	case strings.Contains(s, "INSTALL_PYTHON") || strings.Contains(s, "pre_commit") || strings.Contains(s, "pre-commit.com"):
		return "pre-commit"
	case strings.Contains(s, "husky"):
		return "husky" // husky 4 and older wrote scripts into .git/hooks
	}
	return ""
}

// isHusky reports whether dir is a husky hooks directory (.husky or .husky/_).
func isHusky(dir string) bool {
	return slices.Contains(strings.Split(filepath.ToSlash(dir), "/"), ".husky")
}

// lefthookConfig returns the path of a lefthook config file at the top of the
// work tree, or "".
func lefthookConfig(top string) string {
	if top == "" {
		return ""
	}
	for _, name := range lefthookConfigs {
		p := filepath.Join(top, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}
