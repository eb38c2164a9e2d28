package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tokenyield/tokenyield/internal/ghapi"
)

// The review outcomes cache is a SQLite database of our own (pure-Go
// driver modernc.org/sqlite, no cgo) at <git common dir>/tokenyield/
// review-cache.db, in write-ahead-log mode (see useWAL) so that a reader
// never waits for a writer; two runs at once wait for each other's short
// writes (busy timeout) rather than fail.
//
// Its schema version is PRAGMA user_version (outcomeCacheVersion). An older
// version's tables are dropped and rebuilt (it is a cache); a newer
// version's file, written by a later tokenyield, is left alone and not used.
// A file that is not a database, fails SQLite's quick_check or lacks the
// expected table is moved aside to <path>.corrupt (with its -wal and -shm
// files) and rebuilt, with a warning; a file that cannot be opened for
// other reasons (permissions, locked past the busy timeout, disk full) is
// left alone and the run goes on without a cache.
//
// One row per pull request, keyed by the API root (github.com or a GitHub
// Enterprise Server), the repository ("owner/name" in lower case: GitHub
// names ignore case) and the number:
//
//	state       open | closed | missing (404: not a pull request here)
//	updated_at  the pull request's updated_at (RFC 3339; "" when missing)
//	fetched_at  when the row was written (RFC 3339)
//	data        the PullInfo as JSON (cachedPull; "{}" when missing)
//
// And one row per commit GitHub was asked about (commitpulls.go), with the
// same api and repo columns:
//
//	sha         the commit (40 hex digits, lower case)
//	number      the merged pull request that landed it; 0: none (direct)
//	fetched_at  when the row was written (RFC 3339)

// outcomeCacheVersion is the schema version in PRAGMA user_version. Bump it
// when a table or the JSON in data changes meaning, and drop the old
// tables in migrate. Version 2 added the table commit_pulls.
const outcomeCacheVersion = 2

// pullsTableSince is the version that last changed the table pulls: older
// files have theirs dropped and rebuilt.
const pullsTableSince = 1

// outcomeCacheSchema creates the tables of version outcomeCacheVersion.
var outcomeCacheSchema = []string{`CREATE TABLE IF NOT EXISTS pulls (
	api        TEXT    NOT NULL,
	repo       TEXT    NOT NULL,
	number     INTEGER NOT NULL,
	state      TEXT    NOT NULL,
	updated_at TEXT    NOT NULL,
	fetched_at TEXT    NOT NULL,
	data       TEXT    NOT NULL,
	PRIMARY KEY (api, repo, number)
) WITHOUT ROWID`, `CREATE TABLE IF NOT EXISTS commit_pulls (
	api        TEXT    NOT NULL,
	repo       TEXT    NOT NULL,
	sha        TEXT    NOT NULL,
	number     INTEGER NOT NULL,
	fetched_at TEXT    NOT NULL,
	PRIMARY KEY (api, repo, sha)
) WITHOUT ROWID`}

// outcomeCacheShape are queries that fail unless the tables have the
// columns this version reads (a file of the right version but not ours).
var outcomeCacheShape = []string{
	"SELECT api, repo, number, state, updated_at, fetched_at, data FROM pulls LIMIT 0",
	"SELECT api, repo, sha, number, fetched_at FROM commit_pulls LIMIT 0",
}

// outcomeCacheBusyMillis is how long a run waits for another run's lock.
const outcomeCacheBusyMillis = 5000

// Errors of opening the cache that are not SQLite's own.
var (
	// errCacheNewer: the file's schema is newer than this program's.
	errCacheNewer = errors.New("written by a newer version of tokenyield")
	// errCacheCorrupt: quick_check failed or the table has the wrong shape.
	errCacheCorrupt = errors.New("damaged")
)

// outcomeCache is an open cache, for one repository of one API root.
type outcomeCache struct {
	db        *sql.DB
	path      string
	api, repo string
}

// cachedPull is the JSON in the data column. Its field names are the
// cache's format, independent of the Go names of PullInfo and Outcome.
type cachedPull struct {
	Title   string        `json:"title,omitempty"`
	Author  string        `json:"author,omitempty"`
	Outcome cachedOutcome `json:"outcome"`
}

// cachedOutcome is Outcome in the cache: the same fields with the cache's
// JSON names. The conversions between the two stop compiling when Outcome
// changes, which is when outcomeCacheVersion must change too.
type cachedOutcome struct {
	State          string     `json:"state"`
	Approvals      int        `json:"approvals"`
	ChangeRequests int        `json:"change_requests"`
	Rounds         int        `json:"rounds"`
	ReviewComments int        `json:"review_comments"`
	Created        *time.Time `json:"created_at,omitempty"`
	FirstReview    *time.Time `json:"first_review_at,omitempty"`
	MergedAt       *time.Time `json:"merged_at,omitempty"`
	Merged         bool       `json:"merged"`
}

// openOutcomeCache opens (creating, migrating or rebuilding) the cache at
// path for repo ("owner/name") as fetched from api (the client's BaseURL;
// "" reads the repository's entries of any API root, the latest winning).
// It returns a nil cache when path is "" or the cache cannot be used,
// saying why in the warnings.
func openOutcomeCache(ctx context.Context, path, api, repo string) (*outcomeCache, []string) {
	if path == "" {
		return nil, nil
	}
	_, statErr := os.Stat(path)
	existed := statErr == nil
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, []string{outcomeWarning("cannot create the cache folder (%v); outcomes are not cached", err)}
	}
	key := &outcomeCache{path: path, api: strings.ToLower(strings.TrimRight(api, "/")), repo: strings.ToLower(repo)}
	c, err := key.open(ctx)
	if err == nil {
		return c, nil
	}
	switch {
	case ctx.Err() != nil:
		return nil, nil // the caller reports the context's end
	case errors.Is(err, errCacheNewer):
		return nil, []string{outcomeWarning("the cache %s is %v; this run does not use it (delete it to let this version rebuild it)", path, err)}
	case !existed || !isCacheCorrupt(err):
		return nil, []string{outcomeWarning("cannot use the cache %s (%v); outcomes are not cached this run", path, err)}
	}
	aside := path + ".corrupt"
	if merr := moveCacheAside(path, aside); merr != nil {
		return nil, []string{outcomeWarning("the cache %s is unreadable (%v) and cannot be moved aside (%v); outcomes are not cached this run", path, err, merr)}
	}
	warning := outcomeWarning("the cache %s was unreadable (%v); moved it to %s and started a new one", path, err, aside)
	c, err = key.open(ctx)
	if err != nil {
		return nil, []string{warning, outcomeWarning("cannot create a new cache %s (%v); outcomes are not cached this run", path, err)}
	}
	return c, []string{warning}
}

// openRepoCache opens the cache at path for owner/repo as seen through c
// (nil: any API root) and reads what load reads; a cache that cannot be
// read is a warning, and the run goes on without it.
func openRepoCache[T any](ctx context.Context, c *ghapi.Client, path, owner, repo string, load func(*outcomeCache, context.Context) (T, error)) (*outcomeCache, T, []string) {
	api := ""
	if c != nil {
		api = c.BaseURL()
	}
	cache, warnings := openOutcomeCache(ctx, path, api, owner+"/"+repo)
	var zero T
	if cache == nil {
		return nil, zero, warnings
	}
	entries, err := load(cache, ctx)
	if err != nil {
		warnings = append(warnings, outcomeWarning("cannot read the cache %s (%v); answers are not cached this run", cache.path, err))
		cache.Close()
		return nil, zero, warnings
	}
	return cache, entries, warnings
}

// open opens the database at c.path and migrates it.
func (c *outcomeCache) open(ctx context.Context) (*outcomeCache, error) {
	db, err := sql.Open("sqlite", outcomeCacheDSN(c.path))
	if err != nil {
		return nil, err
	}
	// One connection: the pragmas of the DSN apply per connection, and a
	// run's writes are serial anyway.
	db.SetMaxOpenConns(1)
	out := &outcomeCache{db: db, path: c.path, api: c.api, repo: c.repo}
	if err := out.prepare(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return out, nil
}

// outcomeCacheDSN is the driver's URL for the database file at path.
func outcomeCacheDSN(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	params := url.Values{}
	params.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", outcomeCacheBusyMillis))
	params.Add("_pragma", "synchronous(NORMAL)")
	params.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: params.Encode()}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // Windows: file:///C:/...
	}
	return u.String()
}

// prepare checks the file, migrates its schema and checks the tables'
// shape.
func (c *outcomeCache) prepare(ctx context.Context) error {
	var check string
	if err := c.db.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&check); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if check != "ok" {
		return fmt.Errorf("%w: quick_check: %s", errCacheCorrupt, check)
	}
	if err := c.migrate(ctx); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if err := checkShape(ctx, c.db); err != nil {
		return err
	}
	c.useWAL(ctx)
	return nil
}

// checkShape fails unless the tables have the columns this version reads.
func checkShape(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) error {
	for _, query := range outcomeCacheShape {
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			if isSQLiteError(err, sqlite3.SQLITE_ERROR) {
				// "no such table" or "no such column": not our table.
				return fmt.Errorf("%w: %w", errCacheCorrupt, err)
			}
			return fmt.Errorf("read: %w", err)
		}
		_ = rows.Close()
	}
	return nil
}

// useWAL switches the file to write-ahead logging, once (the mode is
// stored in the file), and only now that the file proved to be ours, so
// that a damaged file is moved aside as it was found. The switch needs the
// file to itself and SQLite does not wait for that (SQLITE_BUSY at once):
// when another run has the file open, this run goes on with the rollback
// journal, which works as well, and a later run switches.
func (c *outcomeCache) useWAL(ctx context.Context) {
	var mode string
	if err := c.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || strings.EqualFold(mode, "wal") {
		return
	}
	_, _ = c.db.ExecContext(ctx, "PRAGMA journal_mode = WAL")
}

// migrate brings the schema to outcomeCacheVersion.
func (c *outcomeCache) migrate(ctx context.Context) error {
	version, err := c.userVersion(ctx, c.db)
	if err != nil || version == outcomeCacheVersion {
		return err
	}
	if version > outcomeCacheVersion {
		return fmt.Errorf("%w (schema %d; this one knows %d)", errCacheNewer, version, outcomeCacheVersion)
	}
	tx, err := c.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one migration at a time
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	// Another run may have migrated while this one waited for the lock.
	if version, err = c.userVersion(ctx, tx); err != nil || version == outcomeCacheVersion {
		return err
	}
	if version > outcomeCacheVersion {
		return fmt.Errorf("%w (schema %d; this one knows %d)", errCacheNewer, version, outcomeCacheVersion)
	}
	if version > 0 && version < pullsTableSince {
		// An older table: rebuilt from GitHub.
		if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS pulls"); err != nil {
			return err
		}
	}
	for _, stmt := range outcomeCacheSchema {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", outcomeCacheVersion)); err != nil {
		return err
	}
	// A file of ours has the right shape now; another is left as it was
	// (rolled back) to be moved aside.
	if err := checkShape(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// userVersion reads PRAGMA user_version.
func (c *outcomeCache) userVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// loadPulls reads the repository's pull requests. A row whose data does
// not decode is left out (it is fetched again and overwritten). A nil cache
// has none.
func (c *outcomeCache) loadPulls(ctx context.Context) (map[int]*PullInfo, error) {
	if c == nil {
		return nil, nil
	}
	rows, err := c.rows(ctx, "number, state, updated_at, data", "pulls")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	entries := map[int]*PullInfo{}
	for rows.Next() {
		var n int
		var state, updated, data string
		if err := rows.Scan(&n, &state, &updated, &data); err != nil {
			return nil, err
		}
		if p, ok := decodeCachedPull(n, state, updated, data); ok {
			entries[n] = p
		}
	}
	return entries, rows.Err()
}

// rows selects columns of table's rows of the repository: those fetched
// from c.api, or, when c.api is "", from any API root, oldest first (so
// that the latest wins when they are put in a map).
func (c *outcomeCache) rows(ctx context.Context, columns, table string) (*sql.Rows, error) {
	if c.api == "" {
		return c.db.QueryContext(ctx, "SELECT "+columns+" FROM "+table+" WHERE repo = ? ORDER BY fetched_at", c.repo)
	}
	return c.db.QueryContext(ctx, "SELECT "+columns+" FROM "+table+" WHERE repo = ? AND api = ?", c.repo, c.api)
}

// decodeCachedPull rebuilds a PullInfo from one row.
func decodeCachedPull(n int, state, updated, data string) (*PullInfo, bool) {
	switch state {
	case pullMissing:
		return &PullInfo{Number: n, State: pullMissing}, true
	case pullOpen, pullClosed:
	default:
		return nil, false
	}
	var cp cachedPull
	if err := json.Unmarshal([]byte(data), &cp); err != nil {
		return nil, false
	}
	p := &PullInfo{Number: n, Title: cp.Title, Author: cp.Author, State: state}
	if t, err := time.Parse(time.RFC3339, updated); err == nil {
		p.UpdatedAt = t.UTC()
	}
	o := Outcome(cp.Outcome)
	o.Created, o.FirstReview, o.MergedAt = outcomeTimePtr(o.Created), outcomeTimePtr(o.FirstReview), outcomeTimePtr(o.MergedAt)
	p.Outcome = o
	return p, true
}

// put writes (or replaces) the entry of pull request n.
func (c *outcomeCache) put(ctx context.Context, n int, p *PullInfo) error {
	data, updated := "{}", ""
	if p.State != pullMissing {
		raw, err := json.Marshal(cachedPull{Title: p.Title, Author: p.Author, Outcome: cachedOutcome(p.Outcome)})
		if err != nil {
			return err
		}
		data = string(raw)
		if !p.UpdatedAt.IsZero() {
			updated = p.UpdatedAt.UTC().Format(time.RFC3339)
		}
	}
	_, err := c.db.ExecContext(ctx, `INSERT INTO pulls (api, repo, number, state, updated_at, fetched_at, data)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (api, repo, number) DO UPDATE SET
			state = excluded.state, updated_at = excluded.updated_at,
			fetched_at = excluded.fetched_at, data = excluded.data`,
		c.api, c.repo, n, p.State, updated, time.Now().UTC().Format(time.RFC3339Nano), data)
	return err
}

// loadCommitPulls reads the repository's commit answers: SHA (lower case)
// to pull request number, 0 for none. A nil cache has none.
func (c *outcomeCache) loadCommitPulls(ctx context.Context) (map[string]int, error) {
	if c == nil {
		return nil, nil
	}
	rows, err := c.rows(ctx, "sha, number", "commit_pulls")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var sha string
		var n int
		if err := rows.Scan(&sha, &n); err != nil {
			return nil, err
		}
		if n >= 0 {
			out[sha] = n
		}
	}
	return out, rows.Err()
}

// putCommitPull writes (or replaces) the answer for commit sha: pull
// request n, 0 for none.
func (c *outcomeCache) putCommitPull(ctx context.Context, sha string, n int) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO commit_pulls (api, repo, sha, number, fetched_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (api, repo, sha) DO UPDATE SET
			number = excluded.number, fetched_at = excluded.fetched_at`,
		c.api, c.repo, strings.ToLower(sha), n, time.Now().UTC().Format(time.RFC3339Nano))
	return err
}

// Close closes the database (checkpointing the write-ahead log). It does
// nothing on a nil cache.
func (c *outcomeCache) Close() {
	if c != nil && c.db != nil {
		_ = c.db.Close()
		c.db = nil
	}
}

// isCacheCorrupt reports whether err says the file is damaged or not ours
// (and may be moved aside), as opposed to unreachable for now.
func isCacheCorrupt(err error) bool {
	return errors.Is(err, errCacheCorrupt) ||
		isSQLiteError(err, sqlite3.SQLITE_NOTADB) || isSQLiteError(err, sqlite3.SQLITE_CORRUPT)
}

// isSQLiteError reports whether err is SQLite's primary result code code.
func isSQLiteError(err error, code int) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == code
}

// moveCacheAside renames the database and its companion files to aside
// (replacing an earlier aside copy), so that SQLite never pairs a new
// database with the old one's write-ahead log.
func moveCacheAside(path, aside string) error {
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		_ = os.Remove(aside + suffix) // an earlier aside copy's companion
		if _, err := os.Lstat(path + suffix); err == nil {
			if err := os.Rename(path+suffix, aside+suffix); err != nil {
				return err
			}
		}
	}
	return os.Rename(path, aside)
}
