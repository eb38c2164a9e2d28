package goose

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/sqlitedb"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// dbName is the name of Goose's session database.
const dbName = "sessions.db"

// Source returns the Goose log source: the sessions directories of Goose's
// data directories, holding sessions.db and, from versions before it, one
// <session id>.jsonl per session. See the package documentation.
func Source() tail.Source {
	return tail.Source{
		Agent: attribution.AgentGoose,
		Roots: roots,
		Match: match,
		Files: files,
		Read:  read,
	}
}

// files names each sessions directory's database as a single file too, so
// that every scan, quick or not, checks it (two stats when unchanged) and a
// watch covers it before Goose creates it.
func files(env tail.Env) []string {
	var out []string
	for _, r := range roots(env) {
		out = append(out, filepath.Join(r, dbName))
	}
	return out
}

// roots returns the sessions directories Goose writes to. With
// $GOOSE_PATH_ROOT set to an absolute path, Goose uses only
// $GOOSE_PATH_ROOT/data. Otherwise it takes its data directory from the
// etcetera crate's default app strategy: on Windows the Windows strategy,
// %APPDATA%\Block\goose\data; elsewhere, macOS included, the XDG strategy,
// $XDG_DATA_HOME/goose (when absolute) or ~/.local/share/goose. The other
// places ccusage looks are read too (missing ones cost nothing):
// ~/.local/share/Block/goose and, on macOS,
// ~/Library/Application Support/goose.
func roots(env tail.Env) []string {
	var out tail.PathList
	add := func(dataDir string) { // its sessions folder
		if dataDir != "" {
			out.Add(filepath.Join(dataDir, "sessions"))
		}
	}
	if r := env.Get("GOOSE_PATH_ROOT"); isAbs(r, env.GOOS) {
		add(filepath.Join(r, "data"))
		return out
	}
	if env.GOOS == "windows" {
		appData := env.Get("APPDATA")
		if !isAbs(appData, env.GOOS) {
			appData = env.InHome("AppData", "Roaming")
		}
		if appData != "" {
			add(filepath.Join(appData, "Block", "goose", "data"))
		}
		return out
	}
	if xdg := env.Get("XDG_DATA_HOME"); isAbs(xdg, env.GOOS) {
		add(filepath.Join(xdg, "goose"))
	}
	if home := env.InHome(".local", "share"); home != "" {
		add(filepath.Join(home, "goose"))
		add(filepath.Join(home, "Block", "goose"))
	}
	if env.GOOS == "darwin" {
		add(env.InHome("Library", "Application Support", "goose"))
	}
	return out
}

// isAbs reports whether p is absolute under goos's rules (the tests check
// Windows layouts on any OS).
func isAbs(p, goos string) bool {
	if goos != "windows" {
		return strings.HasPrefix(p, "/")
	}
	return strings.HasPrefix(p, `\\`) || len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
}

// match accepts sessions.db and the legacy <session id>.jsonl files, both
// directly in a sessions directory.
func match(rel string) bool {
	if strings.Contains(rel, "/") {
		return false
	}
	return rel == dbName || strings.HasSuffix(rel, ".jsonl") && len(rel) > len(".jsonl")
}

// read reads a database or a legacy file (the scan makes its errors one
// line each).
func read(p string, cur *tail.Cursor, emit func(attribution.Event), st *tail.Stats) error {
	if path.Base(filepath.ToSlash(p)) != dbName {
		return tail.ReadWhole(p, cur, func(data []byte, emit func(attribution.Event)) error {
			return parseLegacy(p, data, func() time.Time {
				if fi, err := os.Stat(p); err == nil {
					return fi.ModTime().UTC()
				}
				return time.Time{}
			}, emit)
		}, emit, st)
	}
	return sqlitedb.Read(p, cur, query, emit, st)
}
