// Package sqlitedb reads agents' SQLite databases (OpenCode, Goose) without
// ever writing to them or holding them locked, with a pure-Go driver
// (modernc.org/sqlite, no cgo).
//
// A database with no write-ahead log beside it (the agent is not running, or
// uses a rollback journal) is opened immutable: SQLite then takes no lock
// and touches no other file. A database with a write-ahead log
// (<name>-wal) is in use by its agent: it is opened read-only, so SQLite
// reads the log and takes only the shared read marks WAL readers take, which
// never block the agent's writes; the connection lives only for one read.
// While a rollback journal (<name>-journal) exists a write is in progress and
// the read waits for the next scan.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// queryTimeout bounds one read of a database.
const queryTimeout = 30 * time.Second

// Open opens the database at path for reading, immutable when no
// write-ahead log is beside it and read-only otherwise (see the package
// documentation). Close it soon: an open reader keeps the agent's
// checkpoints from completing.
func Open(path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, err
	}
	params := url.Values{}
	params.Set("mode", "ro")
	if _, err := os.Stat(abs + "-wal"); errors.Is(err, os.ErrNotExist) {
		params.Set("immutable", "1")
	}
	params.Add("_pragma", "query_only(1)")
	params.Add("_pragma", "busy_timeout(2000)")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: params.Encode()}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // Windows: file:///C:/...
	}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// Query reads a database: it gets the state it returned last time (nil the
// first time) and returns the new one, emitting events. Events must carry
// stable keys: a database is read again in full whenever that is simpler,
// and the callers' de-duplication keeps only what is new. Rows it cannot
// use, or only in part, go into tally.
type Query func(ctx context.Context, db *sql.DB, state []byte, emit func(attribution.Event), tally *Tally) ([]byte, error)

// Tally counts, during one query, the rows the query could not use
// (Skip) or used only in part (Note), and keeps the first, for one warning
// line per read (Read returns it; the skipped rows count in Stats.Skipped).
type Tally struct {
	// Label names the database in the warning ("goose database (schema
	// version 9)"); Unit the rows counted ("sessions").
	Label, Unit    string
	skipped, noted int
	first          string
}

// Skip counts a row that could not be used; what says which and why.
func (t *Tally) Skip(what string) {
	t.skipped++
	t.keep(what)
}

// Note counts a row that was used only in part.
func (t *Tally) Note(what string) {
	t.noted++
	t.keep(what)
}

// Counts returns how many rows were skipped and how many noted.
func (t *Tally) Counts() (skipped, noted int) { return t.skipped, t.noted }

func (t *Tally) keep(what string) {
	if t.first == "" {
		t.first = what
	}
}

// err returns the warning line of the database at path, or nil when every
// row was usable.
func (t *Tally) err(path string) error {
	if t.skipped == 0 && t.noted == 0 {
		return nil
	}
	return fmt.Errorf("%s %s: %d %s of an unexpected shape skipped, %d read in part (first: %s)",
		t.Label, path, t.skipped, t.Unit, t.noted, t.first)
}

// Read runs query on the database at path when it or its write-ahead log
// changed since cur, and then advances cur. An unchanged database costs two
// stats; one written less than two seconds before a read is read once more
// at the next scan (see settleTime). On an error the cursor stays, so the
// next scan tries again. Rows the query tallied come back as a one-line
// error after the cursor advanced (the rest of the database was read).
func Read(path string, cur *tail.Cursor, query Query, emit func(attribution.Event), st *tail.Stats) error {
	st.Files++
	fi, err := os.Stat(path)
	if err != nil {
		st.Errors++
		return fmt.Errorf("stat %s: %w", path, err)
	}
	size, mod := fi.Size(), fi.ModTime().UnixNano()
	if wal, err := os.Stat(path + "-wal"); err == nil {
		size += wal.Size()
		mod = max(mod, wal.ModTime().UnixNano())
	}
	if cur.Size == size && cur.ModNano == mod && cur.Offset == size {
		return nil
	}
	if _, err := os.Stat(path + "-journal"); err == nil {
		return nil // a write is in progress: read at the next scan
	}
	db, err := Open(path)
	if err != nil {
		st.Errors++
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
	defer cancel()
	counting := func(e attribution.Event) { st.Events++; emit(e) }
	var tally Tally
	state, err := query(ctx, db, cur.State, counting, &tally)
	if err != nil {
		st.Errors++
		return fmt.Errorf("%s: %w", path, err)
	}
	st.Read++
	st.Bytes += size
	*cur = tail.Cursor{Size: size, ModNano: mod, Offset: size, State: state}
	if time.Since(time.Unix(0, mod)) < settleTime {
		// A transaction writes its pages to the log before its commit is
		// visible: the sizes just recorded may already include a commit this
		// read did not see, and the files may not change again. Read again
		// next time (the query's own state keeps that cheap).
		cur.Offset = -1
	}
	st.Skipped += int64(tally.skipped)
	return tally.err(path)
}

// settleTime is how long after its last write a database is read again
// even when its files look unchanged.
const settleTime = 2 * time.Second

// Columns returns the column names of table (empty when there is no such
// table), for readers to check a schema before they rely on it.
func Columns(ctx context.Context, db *sql.DB, table string) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		cols[name] = true
	}
	return cols, rows.Err()
}

// Require checks that table has every column in cols. The error names the
// tool, what is missing and what schema was seen, in one line.
func Require(ctx context.Context, db *sql.DB, tool, version, table string, cols ...string) error {
	have, err := Columns(ctx, db, table)
	if err != nil {
		return fmt.Errorf("%s: reading the schema of table %s: %w", tool, table, err)
	}
	var missing []string
	for _, c := range cols {
		if !have[c] {
			missing = append(missing, c)
		}
	}
	if len(have) == 0 {
		return fmt.Errorf("%s database (%s) has no table %q: unsupported schema, usage not read", tool, version, table)
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s database (%s): table %s lacks %s: unsupported schema, usage not read", tool, version, table, strings.Join(missing, ", "))
	}
	return nil
}
