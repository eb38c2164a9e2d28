package goose

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// TestSchemaDrift: a database without what the reader needs gives one
// warning line naming Goose and the schema version seen, and no events.
func TestSchemaDrift(t *testing.T) {
	tests := []struct {
		name string
		ddl  string
		want []string
	}{
		{"no sessions table",
			`CREATE TABLE schema_version (version INTEGER PRIMARY KEY); INSERT INTO schema_version VALUES (9), (12);
			 CREATE TABLE conversations (id TEXT PRIMARY KEY);`,
			[]string{"goose database (schema version 12)", `no table "sessions"`}},
		{"counters renamed",
			`CREATE TABLE schema_version (version INTEGER PRIMARY KEY); INSERT INTO schema_version VALUES (10);
			 CREATE TABLE sessions (id TEXT PRIMARY KEY, working_dir TEXT, updated_at TIMESTAMP,
			   accumulated_input_tokens INTEGER, accumulated_output_tokens INTEGER, cumulative_total INTEGER);`,
			[]string{"goose database (schema version 10)", "lacks accumulated_total_tokens"}},
		{"no schema_version table",
			`CREATE TABLE sessions (id TEXT PRIMARY KEY, working_dir TEXT);`,
			[]string{"goose database (unknown version)", "lacks updated_at, accumulated_input_tokens"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := sessionsDir(root)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			db, err := sql.Open("sqlite", filepath.Join(dir, dbName))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tt.ddl); err != nil {
				t.Fatal(err)
			}
			_ = db.Close()
			got := scanRoot(t, root)
			if len(got.Problems) != 1 || len(got.Events) != 0 {
				t.Fatalf("problems %q, %d events", got.Problems, len(got.Events))
			}
			for _, w := range tt.want {
				if !strings.Contains(got.Problems[0], w) {
					t.Errorf("problem %q lacks %q", got.Problems[0], w)
				}
			}
		})
	}
}

// TestOldSchema: a schema version 5 database (before provider_name and
// model_config_json) is read, with the model unknown.
func TestOldSchema(t *testing.T) {
	root := t.TempDir()
	dir := sessionsDir(root)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, dbName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`
		CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
		INSERT INTO schema_version (version) VALUES (5);
		CREATE TABLE sessions (id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',
			user_set_name BOOLEAN DEFAULT FALSE, session_type TEXT NOT NULL DEFAULT 'user', working_dir TEXT NOT NULL,
			created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
			extension_data TEXT DEFAULT '{}', total_tokens INTEGER, input_tokens INTEGER, output_tokens INTEGER,
			accumulated_total_tokens INTEGER, accumulated_input_tokens INTEGER, accumulated_output_tokens INTEGER,
			schedule_id TEXT, recipe_json TEXT, user_recipe_values_json TEXT);
		INSERT INTO sessions (id, working_dir, updated_at, accumulated_input_tokens, accumulated_output_tokens, accumulated_total_tokens)
			VALUES ('20251020_3', '/work/repo', '2025-10-20 14:05:09', 8000, 700, 8700);`); err != nil {
		t.Fatal(err)
	}
	got := scanRoot(t, root)
	if got.Total != (attribution.Usage{Input: 8000, Output: 700}) || len(got.Problems) != 0 || len(got.Events) != 1 {
		t.Fatalf("total %+v, problems %q", got.Total, got.Problems)
	}
	if e := got.Events[0]; e.Model != "unknown" || !e.Time.Equal(time.Date(2025, 10, 20, 14, 5, 9, 0, time.UTC)) {
		t.Errorf("event = %+v", e)
	}
}

// TestRowDrift: sessions whose values have an unexpected type are skipped,
// counted and reported in one line naming the schema version; an unreadable
// model configuration only costs the model name.
func TestRowDrift(t *testing.T) {
	root := t.TempDir()
	a := newAgent(t, filepath.Join(sessionsDir(root), dbName))
	a.create("20260901_1", "/work/repo", "user", ts(0))
	a.call("20260901_1", 100, 10, 110, ts(time.Second))
	a.create("20260901_2", "/work/repo", "user", ts(0))
	a.exec(`UPDATE sessions SET accumulated_input_tokens = 'lots', accumulated_output_tokens = 1, accumulated_total_tokens = 2, updated_at = ? WHERE id = '20260901_2'`, ts(2*time.Second))
	a.create("20260901_3", "/work/repo", "user", ts(0))
	a.exec(`UPDATE sessions SET accumulated_input_tokens = -5, accumulated_output_tokens = 1, accumulated_total_tokens = 2, updated_at = ? WHERE id = '20260901_3'`, ts(3*time.Second))
	a.create("20260901_4", "/work/repo", "user", ts(0))
	a.call("20260901_4", 7, 3, 10, ts(4*time.Second))
	a.exec(`UPDATE sessions SET model_config_json = '{"model_name":', updated_at = ? WHERE id = '20260901_4'`, ts(4*time.Second))
	a.create("20260901_5", "/work/repo", "user", ts(0))
	a.call("20260901_5", 1, 1, 2, ts(5*time.Second))
	a.exec(`UPDATE sessions SET updated_at = 'soon', created_at = 'earlier' WHERE id = '20260901_5'`)

	got := scanRoot(t, root)
	if got.Total != (attribution.Usage{Input: 107, Output: 13}) || got.Requests != 2 {
		t.Errorf("total = %+v in %d sessions", got.Total, got.Requests)
	}
	if st := got.Stats[attribution.AgentGoose]; st.Skipped != 3 {
		t.Errorf("skipped = %d, want 3", st.Skipped)
	}
	if len(got.Problems) != 1 {
		t.Fatalf("problems %q", got.Problems)
	}
	for _, w := range []string{"goose database", "(schema version 9)", "3 sessions of an unexpected shape skipped", "1 read in part"} {
		if !strings.Contains(got.Problems[0], w) {
			t.Errorf("problem %q lacks %q", got.Problems[0], w)
		}
	}
}

// TestNotADatabase: garbage named sessions.db is an error, not a panic.
func TestNotADatabase(t *testing.T) {
	root := t.TempDir()
	dir := sessionsDir(root)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, dbName), []byte("SQLite format 2? no. This is plain text, long enough to look at."), 0o644); err != nil {
		t.Fatal(err)
	}
	got := scanRoot(t, root)
	if len(got.Problems) != 1 || len(got.Events) != 0 || !strings.Contains(got.Problems[0], "goose") {
		t.Errorf("problems %q, %d events", got.Problems, len(got.Events))
	}
}
