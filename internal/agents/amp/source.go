package amp

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Source returns the Amp log source: thread documents T-*.json under the
// roots listed in the package documentation, each read whole whenever it
// changes (tail.ReadWhole).
func Source() tail.Source {
	return tail.Source{
		Agent: attribution.AgentAmp,
		Roots: roots,
		Match: match,
		Read: func(path string, cur *tail.Cursor, emit func(attribution.Event), st *tail.Stats) error {
			return tail.ReadWhole(path, cur, func(data []byte, emit func(attribution.Event)) error {
				return parseThread(data, path, emit)
			}, emit, st)
		},
	}
}

// editors are the VS Code family applications whose global storage may hold
// the Amp extension's legacy threads3 folder.
var editors = []string{"Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf"}

// roots returns the threads folders in the order described in the package
// documentation. Identical paths are listed once; missing ones are kept (the
// scanner skips them).
func roots(env tail.Env) []string {
	var out tail.PathList
	if entries := env.ListVar("AMP_DATA_DIR"); entries != nil {
		for _, entry := range entries {
			out.Add(filepath.Join(env.ExpandHome(entry), "threads"))
		}
		return out
	}
	if xdg := env.Get("XDG_DATA_HOME"); xdg != "" {
		out.Add(filepath.Join(xdg, "amp", "threads"))
	}
	out.Add(env.InHome(".local", "share", "amp", "threads"))
	if base := editorUserBase(env); base != "" {
		for _, app := range editors {
			out.Add(filepath.Join(base, app, "User", "globalStorage", "sourcegraph.amp", "threads3"))
		}
	}
	return out
}

// editorUserBase returns the folder that holds the VS Code family's per-app
// user directories on env's operating system, or "".
func editorUserBase(env tail.Env) string {
	switch env.GOOS {
	case "darwin":
		return env.InHome("Library", "Application Support")
	case "windows":
		if v := env.Get("APPDATA"); v != "" {
			return v
		}
		return env.InHome("AppData", "Roaming")
	default:
		if v := env.Get("XDG_CONFIG_HOME"); v != "" {
			return v
		}
		return env.InHome(".config")
	}
}

// match accepts thread documents, T-*.json, directly in a root.
func match(rel string) bool {
	if strings.Contains(rel, "/") {
		return false
	}
	base := path.Base(rel)
	return strings.HasPrefix(base, "T-") && strings.HasSuffix(base, ".json") && len(base) > len("T-.json")
}
