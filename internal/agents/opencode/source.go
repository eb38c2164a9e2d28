package opencode

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/sqlitedb"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Source returns the OpenCode log source: the legacy JSON files below each
// data directory's storage/ (the roots) and the SQLite databases in each
// data directory (the files). See the package documentation.
func Source() tail.Source {
	st := newStorage()
	return tail.Source{
		Agent: attribution.AgentOpenCode,
		Roots: roots,
		Match: match,
		Files: files,
		Read: func(path string, cur *tail.Cursor, emit func(attribution.Event), stats *tail.Stats) error {
			return read(st, path, cur, emit, stats)
		},
	}
}

// dataDirs returns OpenCode's data directories: the comma-separated
// OPENCODE_DATA_DIR (ccusage's variable) when set, else
// $XDG_DATA_HOME/opencode, where OpenCode writes (xdg-basedir, which ignores
// the OS: the same on Linux, macOS and Windows), and ~/.local/share/opencode
// when XDG_DATA_HOME points elsewhere (where ccusage looks).
func dataDirs(env tail.Env) []string {
	var out []string
	add := func(p string) {
		if p == "" {
			return
		}
		p = filepath.Clean(p)
		for _, q := range out {
			if q == p {
				return
			}
		}
		out = append(out, p)
	}
	if v := env.Get("OPENCODE_DATA_DIR"); strings.TrimSpace(strings.ReplaceAll(v, ",", "")) != "" {
		for _, entry := range strings.Split(v, ",") {
			add(strings.TrimSpace(entry))
		}
		return out
	}
	if xdg := env.Get("XDG_DATA_HOME"); xdg != "" {
		add(filepath.Join(xdg, "opencode"))
	}
	add(env.InHome(".local", "share", "opencode"))
	return out
}

// roots are the storage directories of the legacy JSON files.
func roots(env tail.Env) []string {
	var out []string
	for _, d := range dataDirs(env) {
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

// files lists the databases: opencode.db and the channel databases
// opencode-<channel>.db of each data directory (all of them: ccusage reads
// only the first, but a channel build writes its own database), and
// $OPENCODE_DB, OpenCode's override (absolute, or relative to the data
// directory).
func files(env tail.Env) []string {
	var out []string
	dirs := dataDirs(env)
	for _, d := range dirs {
		out = append(out, filepath.Join(d, "opencode.db"))
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if isChannelDB(e.Name()) {
				out = append(out, filepath.Join(d, e.Name()))
			}
		}
	}
	if v := strings.TrimSpace(env.Get("OPENCODE_DB")); v != "" && v != ":memory:" {
		if filepath.IsAbs(v) {
			out = append(out, v)
		} else if len(dirs) > 0 {
			out = append(out, filepath.Join(dirs[0], v))
		}
	}
	return out
}

// isChannelDB reports whether name is opencode-<channel>.db, the channel
// sanitised as OpenCode does ([A-Za-z0-9._-]).
func isChannelDB(name string) bool {
	ch, ok := strings.CutPrefix(name, "opencode-")
	if !ok {
		return false
	}
	ch, ok = strings.CutSuffix(ch, ".db")
	if !ok || ch == "" {
		return false
	}
	return strings.TrimLeft(ch, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == ""
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

// read reads one file of any kind. Its errors are one line each.
func read(st *storage, path string, cur *tail.Cursor, emit func(attribution.Event), stats *tail.Stats) error {
	return oneLine(readKind(st, path, cur, emit, stats))
}

// oneLine returns err with line breaks (which data such as a version string
// could bring in) replaced by spaces.
func oneLine(err error) error {
	if err == nil || !strings.ContainsAny(err.Error(), "\r\n") {
		return err
	}
	return errors.New(strings.NewReplacer("\r", " ", "\n", " ").Replace(err.Error()))
}

func readKind(st *storage, path string, cur *tail.Cursor, emit func(attribution.Event), stats *tail.Stats) error {
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
	var w warnings
	query := func(ctx context.Context, db *sql.DB, state []byte, emit func(attribution.Event)) ([]byte, error) {
		w = warnings{}
		out, err := queryDB(ctx, db, state, emit, &w)
		if err != nil {
			w = warnings{}
		}
		return out, err
	}
	if err := sqlitedb.Read(path, cur, query, emit, stats); err != nil {
		return err
	}
	settle(cur)
	stats.Skipped += int64(w.skipped)
	return w.err(path)
}

// recentWrite is how recent a database's last write may be for the next
// scan to read it again even if it looks unchanged.
const recentWrite = 2 * time.Second

// settle makes the next scan query a database again when it or its
// write-ahead log was written just before this read. sqlitedb.Read compares
// sizes and modification times taken before its query, but a transaction
// writes its pages to the log before it commits: a read can take the
// larger size while its snapshot does not include that transaction yet, and
// with coarse modification times nothing would look changed afterwards. The
// extra query is cheap: the watermarks make it read only the newest rows.
func settle(cur *tail.Cursor) {
	if cur.ModNano != 0 && time.Since(time.Unix(0, cur.ModNano)) < recentWrite {
		cur.Offset = -1 // sqlitedb.Read reads again when Offset differs from the size
	}
}

// warnings collects, during one read of a database, the records that could
// not be used (skipped) or only in part (noted), for one warning line.
type warnings struct {
	skipped, noted int
	first          string
}

func (w *warnings) skip(what string) {
	w.skipped++
	if w.first == "" {
		w.first = what
	}
}

func (w *warnings) note(what string) {
	w.noted++
	if w.first == "" {
		w.first = what
	}
}

// err returns the warning line, or nil when every record was usable.
func (w *warnings) err(path string) error {
	if w.skipped == 0 && w.noted == 0 {
		return nil
	}
	return fmt.Errorf("opencode database %s: %d records of an unexpected shape skipped, %d read in part (first: %s)", path, w.skipped, w.noted, w.first)
}
