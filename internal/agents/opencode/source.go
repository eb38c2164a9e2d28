package opencode

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/sqlitedb"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// flavour is a build that keeps OpenCode's storage: OpenCode itself, or a
// fork under its own name and data directory (Kilo CLI).
type flavour struct {
	agent string // the attribution agent name
	app   string // the data directory's name under the XDG data directory
	db    string // the main database's file name
	// channels are the prefixes of the channel databases (<prefix><channel>.db).
	channels []string
	// dataDirEnv replaces the data directories (a comma-separated list; ""
	// for none); dbEnv names a database (absolute, or relative to the data
	// directory).
	dataDirEnv, dbEnv string
}

var (
	// openCode is OpenCode: ~/.local/share/opencode/opencode.db.
	openCode = flavour{
		agent: attribution.AgentOpenCode, app: "opencode", db: "opencode.db",
		channels: []string{"opencode-"}, dataDirEnv: "OPENCODE_DATA_DIR", dbEnv: "OPENCODE_DB",
	}
	// kiloCLI is Kilo CLI (`kilo`, Kilo-Org/kilocode's packages/opencode):
	// ~/.local/share/kilo/kilo.db, channel builds kilo-<channel>.db or, in
	// some versions, opencode-<channel>.db, KILO_DB as OpenCode's
	// OPENCODE_DB, and ccusage's KILO_DATA_DIR.
	kiloCLI = flavour{
		agent: attribution.AgentKiloCLI, app: "kilo", db: "kilo.db",
		channels: []string{"kilo-", "opencode-"}, dataDirEnv: "KILO_DATA_DIR", dbEnv: "KILO_DB",
	}
)

// Source returns the OpenCode log source: the legacy JSON files below each
// data directory's storage/ (the roots) and the SQLite databases in each
// data directory (the files). See the package documentation.
func Source() tail.Source { return openCode.source() }

// KiloSource returns the Kilo CLI log source, read as OpenCode's: Kilo CLI
// is an OpenCode fork that keeps its storage unchanged under its own data
// directory, ~/.local/share/kilo, and database name, kilo.db.
func KiloSource() tail.Source { return kiloCLI.source() }

// source returns the flavour's log source.
func (fl flavour) source() tail.Source {
	st := newStorage(fl.agent)
	return tail.Source{
		Agent: fl.agent,
		Roots: fl.roots,
		Match: match,
		Files: fl.files,
		Read: func(path string, cur *tail.Cursor, emit func(attribution.Event), stats *tail.Stats) error {
			return read(st, path, cur, emit, stats)
		},
	}
}

// dataDirs returns the flavour's data directories: the comma-separated
// dataDirEnv (ccusage's OPENCODE_DATA_DIR) when set, else
// $XDG_DATA_HOME/<app>, where the tool writes (xdg-basedir, which ignores
// the OS: the same on Linux, macOS and Windows), and ~/.local/share/<app>
// when XDG_DATA_HOME points elsewhere (where ccusage looks).
func (fl flavour) dataDirs(env tail.Env) []string {
	var out tail.PathList
	if entries := env.ListVar(fl.dataDirEnv); entries != nil {
		for _, entry := range entries {
			out.Add(entry)
		}
		return out
	}
	if xdg := env.Get("XDG_DATA_HOME"); xdg != "" {
		out.Add(filepath.Join(xdg, fl.app))
	}
	out.Add(env.InHome(".local", "share", fl.app))
	return out
}

// roots are the storage directories of the legacy JSON files.
func (fl flavour) roots(env tail.Env) []string {
	var out []string
	for _, d := range fl.dataDirs(env) {
		out = append(out, filepath.Join(d, "storage"))
	}
	return out
}

// match accepts, below storage/, message/<session id>/<message id>.json and
// part/<message id>/<part id>.json: the two levels OpenCode writes and its
// JSON-to-SQLite migration reads.
func match(rel string) bool {
	parts := strings.Split(rel, "/")
	return len(parts) == 3 && (parts[0] == "message" || parts[0] == "part") &&
		parts[1] != "" && strings.HasSuffix(parts[2], ".json") && len(parts[2]) > len(".json")
}

// files lists the databases: the main database (opencode.db) and the
// channel databases (opencode-<channel>.db) of each data directory (all of
// them: ccusage reads only the first, but a channel build writes its own
// database), and the dbEnv override (OPENCODE_DB: absolute, or relative to
// the data directory).
func (fl flavour) files(env tail.Env) []string {
	var out []string
	dirs := fl.dataDirs(env)
	for _, d := range dirs {
		out = append(out, filepath.Join(d, fl.db))
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if fl.isChannelDB(e.Name()) {
				out = append(out, filepath.Join(d, e.Name()))
			}
		}
	}
	if v := strings.TrimSpace(env.Get(fl.dbEnv)); v != "" && v != ":memory:" {
		if filepath.IsAbs(v) {
			out = append(out, v)
		} else if len(dirs) > 0 {
			out = append(out, filepath.Join(dirs[0], v))
		}
	}
	return out
}

// isChannelDB reports whether name is a channel database, <prefix><channel>.db,
// the channel sanitised as OpenCode does ([A-Za-z0-9._-]).
func (fl flavour) isChannelDB(name string) bool {
	for _, prefix := range fl.channels {
		ch, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		ch, ok = strings.CutSuffix(ch, ".db")
		if ok && ch != "" && strings.TrimLeft(ch, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == "" {
			return true
		}
	}
	return false
}

// fileKind tells a legacy message file, a legacy part file and a database
// apart by path.
type fileKind int

const (
	kindDB fileKind = iota
	kindMessage
	kindPart
)

func kindOf(path string) fileKind {
	if strings.HasSuffix(path, ".json") && filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(path)))) == "storage" {
		switch filepath.Base(filepath.Dir(filepath.Dir(path))) {
		case "message":
			return kindMessage
		case "part":
			return kindPart
		}
	}
	return kindDB
}

// read reads a database or a legacy file (the scan makes its errors one
// line each).
func read(st *storage, path string, cur *tail.Cursor, emit func(attribution.Event), stats *tail.Stats) error {
	switch kindOf(path) {
	case kindMessage:
		return tail.ReadWhole(path, cur, func(data []byte, emit func(attribution.Event)) error {
			return st.message(path, data, emit)
		}, emit, stats)
	case kindPart:
		return tail.ReadWhole(path, cur, func(data []byte, emit func(attribution.Event)) error {
			return st.part(path, data, emit)
		}, emit, stats)
	}
	query := func(ctx context.Context, db *sql.DB, state []byte, emit func(attribution.Event), tally *sqlitedb.Tally) ([]byte, error) {
		return queryDB(ctx, db, st.agent, state, emit, tally)
	}
	return sqlitedb.Read(path, cur, query, emit, stats)
}
