package goose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/sqlitedb"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// TestIncremental rescans with the same scan state after Goose wrote more:
// a session's growth appears as an increment (no new request), a new
// session as one request, nothing twice.
func TestIncremental(t *testing.T) {
	root := t.TempDir()
	a := history(t, root)
	st := scan.NewState()
	if got := scanState(t, root, st); got.Total != wantHistory.Total {
		t.Fatalf("first scan = %+v", got.Total)
	}
	if got := scanState(t, root, st); !got.Total.IsZero() {
		t.Fatalf("unchanged data scanned again: %+v", got.Total)
	}
	legacyPath := filepath.Join(sessionsDir(root), "20250710_2.jsonl")
	steps := []struct {
		name     string
		write    func()
		want     attribution.Usage
		sessions int // new sessions (requests)
	}{
		{"a session's next call", func() {
			a.call("20260901_1", 17000, 900, 17900, ts(3*time.Hour))
		}, attribution.Usage{Input: 17000, Output: 900}, 0},
		{"a call dated a little before the latest seen (clock step)", func() {
			a.call("20260901_3", 1000, 100, 1100, ts(3*time.Hour-5*time.Minute))
		}, attribution.Usage{Input: 1000, Output: 100}, 0},
		{"a new session with two calls, one with thoughts", func() {
			a.create("20260901_5", "/work/repo", "user", ts(4*time.Hour))
			a.model("20260901_5", "google", "gemini-2.5-flash", ts(4*time.Hour))
			a.call("20260901_5", 2000, 100, 2100, ts(4*time.Hour+time.Second))
			a.call("20260901_5", 2500, 50, 2650, ts(4*time.Hour+2*time.Second))
		}, attribution.Usage{Input: 4500, Output: 250, Reasoning: 100}, 1},
		{"only the model changes: nothing to count", func() {
			a.model("20260901_5", "google", "gemini-2.5-pro", ts(5*time.Hour))
		}, attribution.Usage{}, 0},
		{"a legacy file saved again with more", func() {
			data, err := os.ReadFile(legacyPath)
			if err != nil {
				t.Fatal(err)
			}
			s := strings.Replace(string(data), `"accumulated_input_tokens":700`, `"accumulated_input_tokens":760`, 1)
			if err := os.WriteFile(legacyPath, []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
		}, attribution.Usage{Input: 60}, 0},
	}
	for _, s := range steps {
		s.write()
		got := scanState(t, root, st)
		if got.Total != s.want || got.Requests != s.sessions || len(got.Problems) != 0 {
			t.Errorf("%s: %+v, %d new sessions (problems %q); want %+v, %d", s.name, got.Total, got.Requests, got.Problems, s.want, s.sessions)
		}
	}
}

// TestWatermark checks the cursor state: the latest updated_at seen, and
// a second read that finds nothing updated since.
func TestWatermark(t *testing.T) {
	root := t.TempDir()
	history(t, root)
	db, err := sqlitedb.Open(filepath.Join(sessionsDir(root), dbName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var (
		n int
		w sqlitedb.Tally
	)
	state, err := query(t.Context(), db, nil, func(attribution.Event) { n++ }, &w)
	if err != nil || n != 5 {
		t.Fatalf("first read: %d events, %v", n, err)
	}
	if want := `{"upd":"` + ts(2*time.Hour) + `"}`; string(state) != want {
		t.Errorf("state = %s, want %s (20260901_4's creation)", state, want)
	}
	n = 0
	if _, err := query(t.Context(), db, state, func(attribution.Event) { n++ }, &w); err != nil || n != 0 {
		t.Errorf("second read: %d events, %v", n, err)
	}
}
