package goose

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the agent's side of the tests writes with it too

	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// samples is this tool's (hand-made) sample folder.
const samples = agenttest.Samples + "/goose"

// t0 is the start of the hand-made databases' history.
var t0 = time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)

// ts returns t0 + d as SQLite's datetime('now') writes it.
func ts(d time.Duration) string { return t0.Add(d).Format(sqliteTime) }

// schema is Goose's sessions.db schema, version 9 (create_schema in
// crates/goose/src/session/session_manager.rs), without the eval tables.
const schema = `
CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
INSERT INTO schema_version (version) VALUES (9);
CREATE TABLE sessions (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	user_set_name BOOLEAN DEFAULT FALSE,
	session_type TEXT NOT NULL DEFAULT 'user',
	working_dir TEXT NOT NULL,
	created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
	updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
	extension_data TEXT DEFAULT '{}',
	total_tokens INTEGER, input_tokens INTEGER, output_tokens INTEGER,
	accumulated_total_tokens INTEGER, accumulated_input_tokens INTEGER, accumulated_output_tokens INTEGER,
	schedule_id TEXT, recipe_json TEXT, user_recipe_values_json TEXT,
	provider_name TEXT, model_config_json TEXT, tenant_id TEXT, user_id TEXT);
CREATE TABLE messages (
	id INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT,
	session_id TEXT NOT NULL REFERENCES sessions(id), role TEXT NOT NULL, content_json TEXT NOT NULL,
	created_timestamp INTEGER NOT NULL, timestamp TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
	tokens INTEGER, metadata_json TEXT);
CREATE INDEX idx_messages_session ON messages(session_id);
CREATE INDEX idx_sessions_updated ON sessions(updated_at DESC);
`

// agent writes sessions.db the way Goose does: read-write, WAL, one
// UPDATE per change that also sets updated_at.
type agent struct {
	t  testing.TB
	db *sql.DB
}

func newAgent(t testing.TB, path string) *agent {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(wal)&_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Exec(schema); err != nil {
		t.Fatal(err)
	}
	return &agent{t: t, db: db}
}

func (a *agent) exec(q string, args ...any) {
	a.t.Helper()
	if _, err := a.db.Exec(q, args...); err != nil {
		a.t.Fatalf("%s: %v", q, err)
	}
}

// create inserts a session as create_session does.
func (a *agent) create(id, workingDir, sessionType, at string) {
	a.t.Helper()
	a.exec(`INSERT INTO sessions (id, name, user_set_name, session_type, working_dir, extension_data, created_at, updated_at)
		VALUES (?, '', FALSE, ?, ?, '{}', ?, ?)`, id, sessionType, workingDir, at, at)
}

// model records the provider and model as Goose does on the first reply.
func (a *agent) model(id, provider, model, at string) {
	a.t.Helper()
	cfg := `{"model_name":"` + model + `","context_limit":null,"temperature":null,"max_tokens":null,"toolshim":false,"toolshim_model":null,"fast_model":null}`
	a.exec(`UPDATE sessions SET provider_name = ?, model_config_json = ?, updated_at = ? WHERE id = ?`, provider, cfg, at, id)
}

// call records one model call as update_session_metrics does: the latest
// call's counts, and the accumulated counts grown by them.
func (a *agent) call(id string, input, output, total int64, at string) {
	a.t.Helper()
	a.exec(`UPDATE sessions SET input_tokens = ?, output_tokens = ?, total_tokens = ?,
		accumulated_input_tokens = COALESCE(accumulated_input_tokens, 0) + ?,
		accumulated_output_tokens = COALESCE(accumulated_output_tokens, 0) + ?,
		accumulated_total_tokens = COALESCE(accumulated_total_tokens, 0) + ?,
		updated_at = ? WHERE id = ?`, input, output, total, input, output, total, at, id)
}

// env returns an environment whose Goose data directory is root/data.
func env(t testing.TB, root string) tail.Env {
	t.Helper()
	return agenttest.Env(t, map[string]string{"GOOSE_PATH_ROOT": root})
}

// sessionsDir returns the sessions directory under a GOOSE_PATH_ROOT.
func sessionsDir(root string) string { return filepath.Join(root, "data", "sessions") }

func scanRoot(t testing.TB, root string) agenttest.Summary {
	t.Helper()
	return agenttest.Scan(t, env(t, root), Source())
}

func scanState(t testing.TB, root string, st *scan.State) agenttest.Summary {
	t.Helper()
	return agenttest.ScanState(t, env(t, root), st, Source())
}

// copyFile copies a sample file into dir.
func copyFile(t testing.TB, src, dir string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(src)), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
