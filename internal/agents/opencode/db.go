package opencode

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/sqlitedb"
)

// rescanSlack is how far below the newest time_updated seen an incremental
// read keeps looking among rows whose rowids are not new (see mark): rows
// written by a clock slightly behind, or stamped just before the previous
// read and committed just after it, are still found. Rows seen again emit
// the same keys, which the de-duplication absorbs; a longer slack only makes
// each read walk more of the latest rows.
const rescanSlack = time.Minute

// maxCached bounds the per-read caches of messages and sessions.
const maxCached = 20000

// dbState is a database cursor's state: for each table, a watermark.
type dbState struct {
	Part    mark `json:"part"`
	Message mark `json:"message"`
}

// mark is a table's watermark: the highest rowid and the latest
// time_updated (epoch ms) seen. An incremental read walks the table from its
// highest rowid down and stops at the first row that is neither above Row
// nor updated since Updated − rescanSlack. New rows always get rowids above
// every existing row, so this finds every row inserted since, even after
// the newest rows were deleted and their rowids reused (OpenCode's undo
// deletes the latest messages), without reading the whole table.
type mark struct {
	Row     int64 `json:"row"`
	Updated int64 `json:"upd"`
}

// stop reports whether a descending walk has reached rows already read.
func (m mark) stop(row, updated int64) bool {
	if m.Row == 0 && m.Updated == 0 {
		return false // first read: everything
	}
	return row <= m.Row && updated < m.Updated-rescanSlack.Milliseconds()
}

// advance returns the watermark after a walk that saw row and updated.
func (m mark) advance(row, updated int64) mark {
	return mark{Row: max(m.Row, row), Updated: max(m.Updated, updated)}
}

// required lists the columns the reader relies on (drizzle schema in
// packages/opencode/src/session/session.sql.ts).
var required = []struct {
	table string
	cols  []string
}{
	{"message", []string{"id", "session_id", "time_updated", "data"}},
	{"part", []string{"id", "message_id", "session_id", "time_created", "time_updated", "data"}},
	{"session", []string{"id", "directory", "time_created"}},
}

// dbVersion returns the OpenCode version that last wrote a session, for
// warnings ("unknown version" when the schema has none).
func dbVersion(ctx context.Context, db *sql.DB) string {
	var v sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT version FROM session ORDER BY time_updated DESC LIMIT 1`).Scan(&v); err != nil {
		return versionOr("")
	}
	return versionOr(v.String)
}

// dbRead is one read of a database, inside one read transaction so that
// parts and messages are seen in the same state.
type dbRead struct {
	tx         *sql.Tx
	agent      string
	version    string
	hasVersion bool // session.version exists
	emit       func(attribution.Event)
	warn       *sqlitedb.Tally

	messages map[string]*messageInfo // nil: no such message
	sessions map[string]session
	stepped  map[string]bool // messages whose step-finish parts were seen
}

// queryDB is the sqlitedb.Query of an OpenCode database: it emits one event
// per step-finish part, and one per assistant message that has none.
func queryDB(ctx context.Context, db *sql.DB, agent string, state []byte, emit func(attribution.Event), warn *sqlitedb.Tally) ([]byte, error) {
	var st dbState
	if len(state) > 0 && json.Unmarshal(state, &st) != nil {
		st = dbState{}
	}
	version := dbVersion(ctx, db)
	warn.Label, warn.Unit = "opencode database", "records"
	for _, r := range required {
		if err := sqlitedb.Require(ctx, db, "opencode", version, r.table, r.cols...); err != nil {
			return nil, err
		}
	}
	cols, err := sqlitedb.Columns(ctx, db, "session")
	if err != nil {
		return nil, fmt.Errorf("opencode database (%s): %w", version, err)
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("opencode database (%s): %w", version, err)
	}
	defer func() { _ = tx.Rollback() }()
	r := &dbRead{
		tx: tx, agent: agent, version: version, hasVersion: cols["version"], emit: emit, warn: warn,
		messages: map[string]*messageInfo{}, sessions: map[string]session{}, stepped: map[string]bool{},
	}
	if st.Part, err = r.steps(ctx, st.Part); err != nil {
		return nil, fmt.Errorf("opencode database (%s): parts: %w", version, err)
	}
	if st.Message, err = r.fallbacks(ctx, st.Message); err != nil {
		return nil, fmt.Errorf("opencode database (%s): messages: %w", version, err)
	}
	return json.Marshal(st)
}

// steps emits the step-finish parts written since m.
func (r *dbRead) steps(ctx context.Context, m mark) (mark, error) {
	rows, err := r.tx.QueryContext(ctx, `
		SELECT rowid, id, message_id, session_id, time_created, time_updated,
		       CASE WHEN data LIKE '%step-finish%' THEN data END
		FROM part ORDER BY rowid DESC`)
	if err != nil {
		return m, err
	}
	defer rows.Close()
	next := m
	for rows.Next() {
		var (
			rowid                  int64
			id, msgID, sesID, data sql.NullString
			created, updated       any
		)
		if err := rows.Scan(&rowid, &id, &msgID, &sesID, &created, &updated, &data); err != nil {
			return m, err
		}
		upd := asInt(updated)
		if m.stop(rowid, upd) {
			break
		}
		next = next.advance(rowid, upd)
		if !data.Valid {
			continue
		}
		p, ok, err := parseStep([]byte(data.String))
		if err != nil {
			r.warn.Skip(fmt.Sprintf("part %s (%s): %v", id.String, r.sessionVersion(ctx, sesID.String), err))
			continue
		}
		if !ok {
			continue
		}
		r.stepped[msgID.String] = true
		msg, err := r.message(ctx, msgID.String)
		if err != nil {
			return m, err
		}
		ses, err := r.session(ctx, sesID.String)
		if err != nil {
			return m, err
		}
		info := messageInfo{session: sesID.String}
		if msg != nil {
			info = *msg
		}
		u, err := p.Tokens.usage(info.provider)
		if err != nil {
			r.warn.Skip(fmt.Sprintf("part %s (%s): %v", id.String, versionOr(ses.version), err))
			continue
		}
		written := fromMillis(asInt(created))
		c := call{agent: r.agent, key: partKey + id.String, session: sesID.String, msg: info, ses: ses, usage: u,
			at: stepTime(written, info)}
		if info.created.IsZero() && info.completed.IsZero() {
			c.at = written // no message time: the part's own
		}
		if e, ok := c.event(); ok {
			r.emit(e)
		}
	}
	return next, rows.Err()
}

// fallbacks emits the assistant messages written since m that have tokens
// but no step-finish part (messages of OpenCode versions before step-finish
// parts, migrated into the database).
func (r *dbRead) fallbacks(ctx context.Context, m mark) (mark, error) {
	rows, err := r.tx.QueryContext(ctx, `
		SELECT rowid, id, session_id, time_updated,
		       CASE WHEN data LIKE '%"tokens"%' THEN data END
		FROM message ORDER BY rowid DESC`)
	if err != nil {
		return m, err
	}
	defer rows.Close()
	next := m
	for rows.Next() {
		var (
			rowid           int64
			id, sesID, data sql.NullString
			updated         any
		)
		if err := rows.Scan(&rowid, &id, &sesID, &updated, &data); err != nil {
			return m, err
		}
		upd := asInt(updated)
		if m.stop(rowid, upd) {
			break
		}
		next = next.advance(rowid, upd)
		if !data.Valid || r.stepped[id.String] {
			continue
		}
		info, err := parseMessage([]byte(data.String))
		var u attribution.Usage
		if err == nil && info.tokens != nil {
			u, err = info.tokens.usage(info.provider)
		}
		if err != nil {
			r.warn.Skip(fmt.Sprintf("message %s (%s): %v", id.String, r.sessionVersion(ctx, sesID.String), err))
			continue
		}
		if info.role == "user" || info.tokens == nil || u.IsZero() {
			continue
		}
		has, err := r.hasSteps(ctx, id.String)
		if err != nil {
			return m, err
		}
		if has {
			continue
		}
		ses, err := r.session(ctx, sesID.String)
		if err != nil {
			return m, err
		}
		c := call{agent: r.agent, key: messageKey + id.String, session: sesID.String, msg: info, ses: ses, usage: u}
		if e, ok := c.event(); ok {
			r.emit(e)
		}
	}
	return next, rows.Err()
}

// hasSteps reports whether a message has a step-finish part.
func (r *dbRead) hasSteps(ctx context.Context, msgID string) (bool, error) {
	rows, err := r.tx.QueryContext(ctx, `SELECT data FROM part WHERE message_id = ? AND data LIKE '%step-finish%'`, msgID)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var data sql.NullString
		if err := rows.Scan(&data); err != nil {
			return false, err
		}
		if _, ok, err := parseStep([]byte(data.String)); ok || err != nil {
			return true, nil // a malformed step-finish part still means steps
		}
	}
	return false, rows.Err()
}

// message returns a message's data (nil when there is no such row). Message
// data of an unexpected shape is reported and treated as absent.
func (r *dbRead) message(ctx context.Context, id string) (*messageInfo, error) {
	if m, ok := r.messages[id]; ok {
		return m, nil
	}
	var data, sesID sql.NullString
	err := r.tx.QueryRowContext(ctx, `SELECT data, session_id FROM message WHERE id = ?`, id).Scan(&data, &sesID)
	var out *messageInfo
	switch {
	case err == sql.ErrNoRows:
	case err != nil:
		return nil, err
	default:
		info, perr := parseMessage([]byte(data.String))
		if perr != nil {
			r.warn.Note(fmt.Sprintf("message %s (%s): %v", id, r.sessionVersion(ctx, sesID.String), perr))
		}
		info.id, info.session = id, sesID.String
		out = &info
	}
	if len(r.messages) >= maxCached {
		clear(r.messages)
	}
	r.messages[id] = out
	return out, nil
}

// session returns a session's directory, creation time and version (zero
// when there is no such row).
func (r *dbRead) session(ctx context.Context, id string) (session, error) {
	if s, ok := r.sessions[id]; ok {
		return s, nil
	}
	q := `SELECT directory, time_created, '' FROM session WHERE id = ?`
	if r.hasVersion {
		q = `SELECT directory, time_created, version FROM session WHERE id = ?`
	}
	var (
		dir, version sql.NullString
		created      any
	)
	err := r.tx.QueryRowContext(ctx, q, id).Scan(&dir, &created, &version)
	if err != nil && err != sql.ErrNoRows {
		return session{}, err
	}
	s := session{directory: dir.String, created: fromMillis(asInt(created)), version: version.String}
	if len(r.sessions) >= maxCached {
		clear(r.sessions)
	}
	r.sessions[id] = s
	return s, nil
}

// sessionVersion names the version of a session for warnings, falling back
// to the database's.
func (r *dbRead) sessionVersion(ctx context.Context, id string) string {
	if s, err := r.session(ctx, id); err == nil && s.version != "" {
		return versionOr(s.version)
	}
	return r.version
}

// asInt converts an integer column read as any (0 when it holds something
// else).
func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case []byte:
		n, _ := strconv.ParseInt(string(x), 10, 64)
		return n
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}
