package opencode

import (
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the agent's side of the tests writes with it too

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// samples is this tool's sample folder.
const samples = agenttest.Samples + "/opencode/agent-sessions"

// t0 is the start of the hand-made databases' history (2026-09-01 10:00 UTC).
var t0 = time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)

// at returns epoch milliseconds d after t0.
func at(d time.Duration) int64 { return t0.Add(d).UnixMilli() }

// schema is OpenCode's drizzle schema for the tables the reader uses
// (packages/opencode/src/session/session.sql.ts and project.sql.ts), as
// drizzle-kit generates it.
const schema = `
CREATE TABLE project (
	id text PRIMARY KEY, worktree text NOT NULL, vcs text, name text,
	time_created integer NOT NULL, time_updated integer NOT NULL);
CREATE TABLE session (
	id text PRIMARY KEY,
	project_id text NOT NULL REFERENCES project(id) ON DELETE cascade,
	workspace_id text, parent_id text, slug text NOT NULL, directory text NOT NULL, path text,
	title text NOT NULL, version text NOT NULL, share_url text,
	summary_additions integer, summary_deletions integer, summary_files integer, summary_diffs text,
	cost real DEFAULT 0 NOT NULL,
	tokens_input integer DEFAULT 0 NOT NULL, tokens_output integer DEFAULT 0 NOT NULL,
	tokens_reasoning integer DEFAULT 0 NOT NULL, tokens_cache_read integer DEFAULT 0 NOT NULL,
	tokens_cache_write integer DEFAULT 0 NOT NULL,
	revert text, permission text, agent text, model text,
	time_created integer NOT NULL, time_updated integer NOT NULL,
	time_compacting integer, time_archived integer);
CREATE INDEX session_project_idx ON session (project_id);
CREATE INDEX session_parent_idx ON session (parent_id);
CREATE TABLE message (
	id text PRIMARY KEY,
	session_id text NOT NULL REFERENCES session(id) ON DELETE cascade,
	time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
CREATE INDEX message_session_time_created_id_idx ON message (session_id, time_created, id);
CREATE TABLE part (
	id text PRIMARY KEY,
	message_id text NOT NULL REFERENCES message(id) ON DELETE cascade,
	session_id text NOT NULL,
	time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
CREATE INDEX part_message_id_id_idx ON part (message_id, id);
CREATE INDEX part_session_idx ON part (session_id);
`

// agent writes an OpenCode database the way OpenCode does: read-write, WAL,
// foreign keys on, rows upserted with drizzle's time_updated.
type agent struct {
	t  testing.TB
	db *sql.DB
}

// newAgent creates the database at path with OpenCode's schema and keeps the
// writer's connection open until the test ends.
func newAgent(t testing.TB, path string) *agent {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(wal)&_pragma=foreign_keys(1)&_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Exec(schema); err != nil {
		t.Fatal(err)
	}
	a := &agent{t: t, db: db}
	a.exec(`INSERT INTO project (id, worktree, vcs, time_created, time_updated) VALUES ('4f1c0a9e2b7d', '/work/repo', 'git', ?, ?)`, at(0), at(0))
	return a
}

func (a *agent) exec(q string, args ...any) {
	a.t.Helper()
	if _, err := a.db.Exec(q, args...); err != nil {
		a.t.Fatalf("%s: %v", q, err)
	}
}

// session inserts a session row (created and updated at created).
func (a *agent) session(id, parent, dir, version string, created int64) {
	a.t.Helper()
	var p any
	if parent != "" {
		p = parent
	}
	a.exec(`INSERT INTO session (id, project_id, parent_id, slug, directory, title, version, time_created, time_updated)
		VALUES (?, '4f1c0a9e2b7d', ?, 'brave-otter', ?, 'a session', ?, ?, ?)`, id, p, dir, version, created, created)
}

// message upserts a message row as Session.updateMessage does: time_created
// is the message's time.created, time_updated the write time.
func (a *agent) message(id, session string, written int64, data map[string]any) {
	a.t.Helper()
	created := data["time"].(map[string]any)["created"]
	a.exec(`INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data, time_updated = excluded.time_updated`,
		id, session, created, written, mustJSON(a.t, data))
}

// part inserts a part row as Session.updatePart does (time_created is the
// write time).
func (a *agent) part(id, msg, session string, written int64, data map[string]any) {
	a.t.Helper()
	a.exec(`INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data, time_updated = excluded.time_updated`,
		id, msg, session, written, written, mustJSON(a.t, data))
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tok builds a MessageV2 token block; total < 0 leaves total out.
func tok(input, output, reasoning, read, write, total int64) map[string]any {
	m := map[string]any{"input": input, "output": output, "reasoning": reasoning,
		"cache": map[string]any{"read": read, "write": write}}
	if total >= 0 {
		m["total"] = total
	}
	return m
}

// assistant builds an assistant message's data (without id and sessionID, as
// the database stores it); completed 0 leaves it out; cwd "" leaves path out.
func assistant(provider, model, cwd string, created, completed int64, tokens map[string]any) map[string]any {
	tm := map[string]any{"created": created}
	if completed != 0 {
		tm["completed"] = completed
	}
	m := map[string]any{"role": "assistant", "parentID": "msg_parent", "providerID": provider, "modelID": model,
		"mode": "build", "agent": "build", "cost": 0, "time": tm, "tokens": tokens}
	if cwd != "" {
		m["path"] = map[string]any{"cwd": cwd, "root": cwd}
	}
	return m
}

// user builds a user message's data.
func user(created int64) map[string]any {
	return map[string]any{"role": "user", "time": map[string]any{"created": created}, "agent": "build",
		"model": map[string]any{"providerID": "anthropic", "modelID": "claude-sonnet-4-5"}}
}

// step builds a step-finish part's data.
func step(tokens map[string]any) map[string]any {
	return map[string]any{"type": "step-finish", "reason": "tool-calls", "snapshot": "4b825dc6", "cost": 0, "tokens": tokens}
}

// env returns an environment whose OpenCode data directory is dataDir.
func env(t testing.TB, dataDir string) tail.Env {
	t.Helper()
	return agenttest.Env(t, map[string]string{"OPENCODE_DATA_DIR": dataDir})
}

// scanData scans a data directory from scratch.
func scanData(t testing.TB, dataDir string) agenttest.Summary {
	t.Helper()
	return agenttest.Scan(t, env(t, dataDir), Source())
}

// scanState scans a data directory continuing from st.
func scanState(t testing.TB, dataDir string, st *scan.State) agenttest.Summary {
	t.Helper()
	return agenttest.ScanState(t, env(t, dataDir), st, Source())
}

// storageFrom copies a sample storage folder to <new data dir>/storage and
// returns the data directory.
func storageFrom(t testing.TB, sample string) string {
	t.Helper()
	data := t.TempDir()
	if err := os.Rename(agenttest.CopyTree(t, sample), filepath.Join(data, "storage")); err != nil {
		t.Fatal(err)
	}
	return data
}

// writeJSON writes v as a JSON file, creating directories.
func writeJSON(t testing.TB, path string, v any) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(mustJSON(t, v)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fileState is what must not change when the reader reads a file.
type fileState struct {
	Size int64
	Mod  time.Time
	Sum  [32]byte
}

// snapshot records the files of a directory (optionally skipping some names).
func snapshot(t testing.TB, dir string, skip ...string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if slices.Contains(skip, e.Name()) || e.IsDir() {
			out[e.Name()] = fileState{}
			continue
		}
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = fileState{Size: fi.Size(), Mod: fi.ModTime(), Sum: sha256.Sum256(data)}
	}
	return out
}

// readAll reads files with one Source and cursors, collecting the raw
// (not de-duplicated) events and stats.
func readAll(t testing.TB, src tail.Source, paths ...string) ([]attribution.Event, tail.Stats, []error) {
	t.Helper()
	var (
		events []attribution.Event
		st     tail.Stats
		errs   []error
	)
	for _, p := range paths {
		var cur tail.Cursor
		if err := tail.Read(src, p, &cur, func(e attribution.Event) { events = append(events, e) }, &st); err != nil {
			errs = append(errs, err)
		}
	}
	return events, st, errs
}
