package opencode

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
// warning line naming OpenCode and the version seen, and no events.
func TestSchemaDrift(t *testing.T) {
	tests := []struct {
		name string
		ddl  string
		want []string // parts of the one problem
	}{
		{"no part table",
			`CREATE TABLE session (id text PRIMARY KEY, directory text, version text, time_created integer, time_updated integer);
			 INSERT INTO session VALUES ('ses_1', '/r', '1.9.0', 1, 1);
			 CREATE TABLE message (id text PRIMARY KEY, session_id text, time_created integer, time_updated integer, data text);`,
			[]string{"opencode database (version 1.9.0)", `no table "part"`}},
		{"message without data",
			`CREATE TABLE session (id text PRIMARY KEY, directory text, version text, time_created integer, time_updated integer);
			 INSERT INTO session VALUES ('ses_1', '/r', '1.9.1', 1, 1);
			 CREATE TABLE message (id text PRIMARY KEY, session_id text, time_created integer, time_updated integer, payload text);
			 CREATE TABLE part (id text PRIMARY KEY, message_id text, session_id text, time_created integer, time_updated integer, data text);`,
			[]string{"opencode database (version 1.9.1)", "table message lacks data"}},
		{"no version column",
			`CREATE TABLE session (id text PRIMARY KEY, directory text, time_created integer, time_updated integer);
			 CREATE TABLE message (id text PRIMARY KEY, session_id text, time_updated integer, data text);`,
			[]string{"opencode database (unknown version)", `no table "part"`}},
		{"a version with a line break",
			`CREATE TABLE session (id text PRIMARY KEY, directory text, version text, time_created integer, time_updated integer);
			 INSERT INTO session VALUES ('ses_1', '/r', '2.0
evil', 1, 1);
			 CREATE TABLE message (id text PRIMARY KEY, session_id text, time_updated integer, data text);`,
			[]string{"opencode database (version 2.0 evil)", `no table "part"`}},
		{"not an OpenCode database", `CREATE TABLE notes (id integer);`,
			[]string{"opencode database (unknown version)", `no table "message"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			db, err := sql.Open("sqlite", filepath.Join(data, "opencode.db"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tt.ddl); err != nil {
				t.Fatal(err)
			}
			_ = db.Close()
			got := scanData(t, data)
			if len(got.Problems) != 1 || len(got.Events) != 0 {
				t.Fatalf("problems %q, %d events", got.Problems, len(got.Events))
			}
			for _, w := range tt.want {
				if !strings.Contains(got.Problems[0], w) {
					t.Errorf("problem %q lacks %q", got.Problems[0], w)
				}
			}
			if strings.Contains(got.Problems[0], "\n") {
				t.Errorf("problem spans lines: %q", got.Problems[0])
			}
		})
	}
}

// TestDataDrift: rows whose JSON has another shape are skipped and counted,
// reported in one line naming the version of their session; the other rows
// are still read.
func TestDataDrift(t *testing.T) {
	data := t.TempDir()
	a := newAgent(t, filepath.Join(data, "opencode.db"))
	a.session("ses_1", "", "/work/repo", "1.6.0", at(0))
	good := tok(10, 20, 0, 0, 0, 30)
	a.message("msg_1", "ses_1", at(time.Second), assistant("anthropic", "claude-sonnet-4-5", "/work/repo", at(time.Second), at(5*time.Second), good))
	a.part("prt_ok", "msg_1", "ses_1", at(2*time.Second), step(good))
	bad := step(nil)
	bad["tokens"] = map[string]any{"input": "12", "output": 3}
	a.part("prt_bad", "msg_1", "ses_1", at(3*time.Second), bad)
	a.part("prt_notok", "msg_1", "ses_1", at(4*time.Second), map[string]any{"type": "step-finish", "reason": "stop"})
	// A message of an old version (no steps) whose tokens are a list.
	m2 := assistant("openai", "gpt-4o", "/work/repo", at(6*time.Second), at(7*time.Second), nil)
	m2["tokens"] = []int{1, 2}
	a.message("msg_2", "ses_1", at(7*time.Second), m2)
	// A step whose message data is not JSON: counted without the message's details.
	a.exec(`INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES ('msg_3', 'ses_1', ?, ?, '{oops')`, at(8*time.Second), at(8*time.Second))
	a.part("prt_3", "msg_3", "ses_1", at(9*time.Second), step(tok(1, 1, 0, 0, 0, 2)))

	got := scanData(t, data)
	want := attribution.Usage{Input: 11, Output: 21}
	if got.Total != want || got.Requests != 2 {
		t.Errorf("total = %+v in %d calls, want %+v in 2", got.Total, got.Requests, want)
	}
	if st := got.Stats[attribution.AgentOpenCode]; st.Skipped != 3 {
		t.Errorf("skipped = %d, want 3 (prt_bad, prt_notok, msg_2)", st.Skipped)
	}
	if len(got.Problems) != 1 {
		t.Fatalf("problems %q", got.Problems)
	}
	for _, w := range []string{"opencode database", "3 records of an unexpected shape skipped", "1 read in part", "version 1.6.0"} {
		if !strings.Contains(got.Problems[0], w) {
			t.Errorf("problem %q lacks %q", got.Problems[0], w)
		}
	}
	for _, e := range got.Events {
		if e.Usage == (attribution.Usage{Input: 1, Output: 1}) && (e.Model != "unknown" || e.Cwd != "/work/repo") {
			t.Errorf("step of an unreadable message = %+v", e)
		}
	}
}

// TestLegacyDrift: legacy files of another shape are reported with the
// version of their session, counted as skipped, and never stop the others.
func TestLegacyDrift(t *testing.T) {
	data := t.TempDir()
	storage := filepath.Join(data, "storage")
	writeJSON(t, filepath.Join(storage, "session", "p1", "ses_1.json"),
		map[string]any{"id": "ses_1", "version": "1.3.17", "directory": "/work/repo", "time": map[string]any{"created": at(0)}})
	m := assistant("anthropic", "claude-sonnet-4-5", "/work/repo", at(time.Second), at(2*time.Second), nil)
	m["id"], m["sessionID"], m["tokens"] = "msg_1", "ses_1", "lots"
	writeJSON(t, filepath.Join(storage, "message", "ses_1", "msg_1.json"), m)
	if err := os.WriteFile(filepath.Join(storage, "message", "ses_1", "msg_2.json"), []byte(`{"id":"msg_2","role":"assis`), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := assistant("anthropic", "claude-sonnet-4-5", "/work/repo", at(3*time.Second), at(4*time.Second), tok(5, 6, 0, 0, 0, 11))
	ok["id"], ok["sessionID"] = "msg_3", "ses_1"
	writeJSON(t, filepath.Join(storage, "message", "ses_1", "msg_3.json"), ok)
	p := map[string]any{"id": "prt_1", "messageID": "msg_3", "sessionID": "ses_1", "type": "step-finish", "tokens": map[string]any{"input": 1.5}}
	writeJSON(t, filepath.Join(storage, "part", "msg_3", "prt_1.json"), p)

	got := scanData(t, data)
	if !got.Total.IsZero() {
		// msg_3 has a (malformed) step-finish part: its calls are the parts', not the message's.
		t.Errorf("total = %+v", got.Total)
	}
	if st := got.Stats[attribution.AgentOpenCode]; st.Skipped != 3 {
		t.Errorf("skipped = %d, want 3", st.Skipped)
	}
	var versioned int
	for _, p := range got.Problems {
		if strings.Contains(p, "opencode storage (version 1.3.17)") {
			versioned++
		}
		if strings.Contains(p, "\n") {
			t.Errorf("problem spans lines: %q", p)
		}
	}
	if len(got.Problems) != 3 || versioned != 3 {
		t.Errorf("problems = %q, want 3 naming version 1.3.17", got.Problems)
	}
}

// TestNotADatabase: garbage named opencode.db is an error, not a panic.
func TestNotADatabase(t *testing.T) {
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "opencode.db"), []byte("this is not SQLite, just text that is long enough to have a header..."), 0o644); err != nil {
		t.Fatal(err)
	}
	got := scanData(t, data)
	if len(got.Problems) != 1 || len(got.Events) != 0 || !strings.Contains(got.Problems[0], "opencode") {
		t.Errorf("problems %q, %d events", got.Problems, len(got.Events))
	}
}
