package goose

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/sqlitedb"
)

// rescanSlack is how far below the latest updated_at seen an incremental
// read still looks (clock steps, commits that landed just after a read).
const rescanSlack = 10 * time.Minute

// sqliteTime is the layout of SQLite's datetime('now'), which Goose writes
// to updated_at on every change of a session.
const sqliteTime = "2006-01-02 15:04:05"

// dbState is a database cursor's state: the latest updated_at seen, in
// sqliteTime layout ("" before the first read).
type dbState struct {
	Updated string `json:"upd,omitempty"`
}

// The sessions columns the reader needs, and those it uses when present
// (model_config_json and provider_name came with schema version 6).
var (
	requiredColumns = []string{"id", "working_dir", "updated_at",
		"accumulated_input_tokens", "accumulated_output_tokens", "accumulated_total_tokens"}
	optionalColumns = []string{"created_at", "input_tokens", "output_tokens", "total_tokens", "model_config_json"}
)

// schemaVersion names the database's schema version for warnings.
func schemaVersion(ctx context.Context, db *sql.DB) string {
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil || !v.Valid {
		return "unknown version"
	}
	return fmt.Sprintf("schema version %d", v.Int64)
}

// query emits one event per session updated since the state's watermark
// (every session on the first read), carrying the session's cumulative
// counters.
func query(ctx context.Context, db *sql.DB, state []byte, emit func(attribution.Event), w *sqlitedb.Tally) ([]byte, error) {
	var st dbState
	if len(state) > 0 && json.Unmarshal(state, &st) != nil {
		st = dbState{}
	}
	version := schemaVersion(ctx, db)
	w.Label, w.Unit = "goose database ("+version+")", "sessions"
	if err := sqlitedb.Require(ctx, db, "goose", version, "sessions", requiredColumns...); err != nil {
		return nil, err
	}
	have, err := sqlitedb.Columns(ctx, db, "sessions")
	if err != nil {
		return nil, fmt.Errorf("goose database (%s): %w", version, err)
	}
	cols := append([]string(nil), requiredColumns...)
	for _, c := range optionalColumns {
		if have[c] {
			cols = append(cols, c)
		} else {
			cols = append(cols, "NULL")
		}
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM sessions"
	var args []any
	if since, err := time.Parse(sqliteTime, st.Updated); err == nil {
		q += " WHERE updated_at >= ?"
		args = append(args, since.Add(-rescanSlack).Format(sqliteTime))
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("goose database (%s): %w", version, err)
	}
	defer rows.Close()
	latest := st.Updated
	for rows.Next() {
		var r sessionRow
		if err := rows.Scan(&r.id, &r.workingDir, &r.updated, &r.accIn, &r.accOut, &r.accTotal,
			&r.created, &r.in, &r.out, &r.total, &r.modelConfig); err != nil {
			return nil, fmt.Errorf("goose database (%s): %w", version, err)
		}
		if t, ok := parseTime(r.updated); ok {
			if s := t.Format(sqliteTime); s > latest {
				latest = s
			}
		}
		e, note, err := r.event()
		if err != nil {
			w.Skip(fmt.Sprintf("session %s: %v", asText(r.id), err))
			continue
		}
		if note != "" {
			w.Note(fmt.Sprintf("session %s: %s", asText(r.id), note))
		}
		if !e.Usage.IsZero() {
			emit(e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("goose database (%s): %w", version, err)
	}
	return json.Marshal(dbState{Updated: latest})
}

// sessionRow is one row of the sessions table, each column read as any so
// that a value of an unexpected type is reported rather than failing the
// read.
type sessionRow struct {
	id, workingDir, updated, created, modelConfig any
	accIn, accOut, accTotal, in, out, total       any
}

// event converts a row. note describes a field that could not be used
// (the event is still good); err a row that cannot be used.
func (r sessionRow) event() (e attribution.Event, note string, err error) {
	id := asText(r.id)
	if id == "" {
		return e, "", fmt.Errorf("no session id")
	}
	c := counters{}
	for _, f := range []struct {
		name        string
		acc, latest any
		value       *int64
	}{
		{"input", r.accIn, r.in, &c.input},
		{"output", r.accOut, r.out, &c.output},
		{"total", r.accTotal, r.total, &c.total},
	} {
		v, ok, err := count(f.acc)
		if err != nil {
			return e, "", fmt.Errorf("accumulated_%s_tokens: %w", f.name, err)
		}
		if !ok {
			// Sessions from before the accumulated counters: the latest
			// call's counts are all there is.
			if v, ok, err = count(f.latest); err != nil {
				return e, "", fmt.Errorf("%s_tokens: %w", f.name, err)
			}
			c.partial = c.partial || ok
		}
		*f.value = v
	}
	at, ok := parseTime(r.updated)
	if !ok {
		if at, ok = parseTime(r.created); !ok {
			return e, "", fmt.Errorf("updated_at %q is not a time", asText(r.updated))
		}
	}
	model, note := modelName(r.modelConfig)
	return attribution.Event{
		Agent:      attribution.AgentGoose,
		Session:    attribution.HashSession(attribution.AgentGoose, id),
		Key:        id,
		Model:      model,
		Time:       at,
		Cwd:        asText(r.workingDir),
		Usage:      c.usage(),
		LowerBound: c.partial,
	}, note, nil
}

// modelName returns model_config_json's model_name, or "unknown" (with a
// note when the column holds something other than such an object).
func modelName(v any) (string, string) {
	s := asText(v)
	if s == "" {
		return attribution.UnknownName, ""
	}
	var cfg struct {
		ModelName json.RawMessage `json:"model_name"`
	}
	var name string
	if json.Unmarshal([]byte(s), &cfg) != nil || json.Unmarshal(cfg.ModelName, &name) != nil {
		return attribution.UnknownName, "model_config_json has no model_name"
	}
	return attribution.ModelName(name), ""
}
