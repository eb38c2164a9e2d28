package sqlitedb

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// agentDB opens a database the way an agent does: read-write, WAL.
func agentDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(wal)&_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, output INTEGER)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// sumQuery emits one event per row after the last id it saw (its state).
func sumQuery(ctx context.Context, db *sql.DB, state []byte, emit func(attribution.Event), _ *Tally) ([]byte, error) {
	var last int64
	if len(state) == 8 {
		last = int64(binary.LittleEndian.Uint64(state)) //nolint:gosec // written below
	}
	rows, err := db.QueryContext(ctx, "SELECT id, output FROM calls WHERE id > ? ORDER BY id", last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, out int64
		if err := rows.Scan(&id, &out); err != nil {
			return nil, err
		}
		emit(attribution.Event{Agent: "t", Key: string(rune('a' + id)), Usage: attribution.Usage{Output: out}})
		last = id
	}
	return binary.LittleEndian.AppendUint64(nil, uint64(last)), rows.Err() //nolint:gosec // ids are positive
}

func readOutput(t *testing.T, path string, cur *tail.Cursor, st *tail.Stats) int64 {
	t.Helper()
	var n int64
	if err := Read(path, cur, sumQuery, func(e attribution.Event) { n += e.Usage.Output }, st); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestReadWhileTheAgentWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.db")
	agent := agentDB(t, path)
	if _, err := agent.Exec(`INSERT INTO calls(output) VALUES (10), (20)`); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("the agent's database should have a write-ahead log: %v", err)
	}
	var cur tail.Cursor
	var st tail.Stats
	if got := readOutput(t, path, &cur, &st); got != 30 {
		t.Fatalf("first read: %d, want 30", got)
	}
	// Just written: read once more in case a commit was in flight; nothing new.
	if got := readOutput(t, path, &cur, &st); got != 0 {
		t.Fatalf("second read: %d, want 0", got)
	}
	// Settled (last written a minute ago): an unchanged database is not read.
	old := time.Now().Add(-time.Minute)
	for _, p := range []string{path, path + "-wal"} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	readOutput(t, path, &cur, &st)
	reads := st.Read
	if got := readOutput(t, path, &cur, &st); got != 0 || st.Read != reads {
		t.Fatalf("settled, unchanged database read again: %d, reads %d -> %d", got, reads, st.Read)
	}
	// The agent keeps writing, in a transaction held open across our read:
	// we see the committed state and never block it.
	tx, err := agent.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO calls(output) VALUES (5)`); err != nil {
		t.Fatal(err)
	}
	if got := readOutput(t, path, &cur, &st); got != 0 {
		t.Fatalf("uncommitted rows read: %d", got)
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("the agent's commit failed while we read: %v", err)
	}
	time.Sleep(10 * time.Millisecond) // a new modification time for the log
	if _, err := agent.Exec(`INSERT INTO calls(output) VALUES (100)`); err != nil {
		t.Fatal(err)
	}
	if got := readOutput(t, path, &cur, &st); got != 105 {
		t.Fatalf("after the agent wrote: %d, want 105", got)
	}
	// A checkpoint by the agent (it may truncate the log) loses nothing.
	if _, err := agent.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatalf("the agent could not checkpoint: %v", err)
	}
	if _, err := agent.Exec(`INSERT INTO calls(output) VALUES (1000)`); err != nil {
		t.Fatal(err)
	}
	if got := readOutput(t, path, &cur, &st); got != 1000 {
		t.Fatalf("after a checkpoint: %d, want 1000", got)
	}
}

func TestImmutableWhenNotInUse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "closed.db")
	agent, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agent.Exec(`CREATE TABLE calls (id INTEGER PRIMARY KEY, output INTEGER); INSERT INTO calls(output) VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	_ = agent.Close()
	before, _ := os.ReadDir(dir)
	if err := os.Chmod(path, 0o400); err != nil { // read-only: any write attempt would fail
		t.Fatal(err)
	}
	var cur tail.Cursor
	if got := readOutput(t, path, &cur, &tail.Stats{}); got != 7 {
		t.Fatalf("read %d, want 7", got)
	}
	after, _ := os.ReadDir(dir)
	if len(after) != len(before) {
		t.Fatalf("reading created files: %v -> %v", names(before), names(after))
	}
	// A rollback journal means a write in progress: wait, cursor unchanged.
	if err := os.WriteFile(path+"-journal", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cur = tail.Cursor{}
	if got := readOutput(t, path, &cur, &tail.Stats{}); got != 0 || cur.Size != 0 {
		t.Fatalf("read during a write: %d, cursor %+v", got, cur)
	}
}

func names(es []os.DirEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

func TestRequire(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.db")
	agentDB(t, path)
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	tests := []struct {
		table string
		cols  []string
		want  string // "" = no error, else a part of the message
	}{
		{"calls", []string{"id", "output"}, ""},
		{"calls", []string{"id", "tokens"}, "lacks tokens"},
		{"sessions", []string{"id"}, `no table "sessions"`},
	}
	for _, tt := range tests {
		err := Require(ctx, db, "tool", "v1.2", tt.table, tt.cols...)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "v1.2")) {
			t.Errorf("Require(%s, %v) = %v, want %q", tt.table, tt.cols, err, tt.want)
		}
	}
	if _, err := db.Exec(`INSERT INTO calls(output) VALUES (1)`); err == nil {
		t.Error("a write through the reader's connection succeeded")
	}
}

// TestReadTally: the rows a query tallies come back as one warning line
// after the cursor advanced, counted in Stats.Skipped; a query that fails
// leaves neither.
func TestReadTally(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.db")
	agent := agentDB(t, path)
	if _, err := agent.Exec(`INSERT INTO calls(output) VALUES (10)`); err != nil {
		t.Fatal(err)
	}
	tallying := func(ctx context.Context, db *sql.DB, state []byte, emit func(attribution.Event), tally *Tally) ([]byte, error) {
		tally.Label, tally.Unit = "tool database (v2)", "rows"
		tally.Skip("row 7: bad")
		tally.Skip("row 8: bad")
		tally.Note("row 9: no model")
		return sumQuery(ctx, db, state, emit, tally)
	}
	var cur tail.Cursor
	var st tail.Stats
	err := Read(path, &cur, tallying, func(attribution.Event) {}, &st)
	want := "tool database (v2) " + path + ": 2 rows of an unexpected shape skipped, 1 read in part (first: row 7: bad)"
	if err == nil || err.Error() != want || st.Skipped != 2 || st.Errors != 0 || cur.State == nil {
		t.Errorf("err %v, stats %+v, state %v;\nwant %q, 2 skipped, the cursor advanced", err, st, cur.State, want)
	}
	failing := func(_ context.Context, _ *sql.DB, _ []byte, _ func(attribution.Event), tally *Tally) ([]byte, error) {
		tally.Skip("row 1")
		return nil, errors.New("boom")
	}
	st = tail.Stats{}
	if err := Read(path, &tail.Cursor{}, failing, func(attribution.Event) {}, &st); err == nil || strings.Contains(err.Error(), "skipped") || st.Skipped != 0 {
		t.Errorf("failing query: err %v, stats %+v", err, st)
	}
}
