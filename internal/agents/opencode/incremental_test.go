package opencode

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// TestIncremental rescans with the same scan state after OpenCode wrote more:
// only the new calls appear, each once, including after an undo deleted the
// newest rows (whose rowids SQLite then reuses) and after legacy files were
// rewritten or added.
func TestIncremental(t *testing.T) {
	data := t.TempDir()
	main, _ := history(t, data)
	st := scan.NewState()
	if got := scanState(t, data, st); got.Total != wantHistory.Total {
		t.Fatalf("first scan = %+v", got.Total)
	}
	if got := scanState(t, data, st); !got.Total.IsZero() || got.Requests != 0 {
		t.Fatalf("unchanged data scanned again: %+v in %d calls", got.Total, got.Requests)
	}

	steps := []struct {
		name  string
		write func()
		want  attribution.Usage
		calls int
	}{
		{"a running message gets its first step", func() {
			m := func(last map[string]any) map[string]any {
				return assistant("anthropic", "claude-sonnet-4-5", "/work/repo", at(4*time.Hour), 0, last)
			}
			main.message("msg_a6", "ses_a", at(4*time.Hour), m(tok(0, 0, 0, 0, 0, 0)))
			s := tok(20, 30, 0, 40, 50, 140)
			main.part("prt_a6s1", "msg_a6", "ses_a", at(4*time.Hour+5*time.Second), step(s))
			main.message("msg_a6", "ses_a", at(4*time.Hour+5*time.Second), m(s))
		}, attribution.Usage{Input: 20, Output: 30, CacheRead: 40, CacheWrite: 50}, 1},
		{"the same message's second step (its tokens overwritten)", func() {
			s := tok(2, 300, 0, 90, 5, 397)
			main.part("prt_a6s2", "msg_a6", "ses_a", at(4*time.Hour+9*time.Second), step(s))
			main.message("msg_a6", "ses_a", at(4*time.Hour+9*time.Second),
				assistant("anthropic", "claude-sonnet-4-5", "/work/repo", at(4*time.Hour), at(4*time.Hour+9*time.Second), s))
		}, attribution.Usage{Input: 2, Output: 300, CacheRead: 90, CacheWrite: 5}, 1},
		{"undo deletes the newest rows, the next prompt reuses their rowids", func() {
			var top int64
			if err := main.db.QueryRow(`SELECT rowid FROM part WHERE id = 'prt_a6s2'`).Scan(&top); err != nil {
				t.Fatal(err)
			}
			main.exec(`DELETE FROM message WHERE id = 'msg_a6'`) // parts go with it (ON DELETE cascade)
			defer func() {
				var reused int64
				if err := main.db.QueryRow(`SELECT rowid FROM part WHERE id = 'prt_a7s1'`).Scan(&reused); err != nil || reused > top {
					t.Errorf("the new part's rowid %d (%v) is not a reused one (≤ %d)", reused, err, top)
				}
			}()
			main.message("msg_a7", "ses_a", at(4*time.Hour+time.Minute), assistant("openai", "gpt-5", "/work/repo", at(4*time.Hour+time.Minute), 0, tok(0, 0, 0, 0, 0, 0)))
			s := tok(7, 8, 0, 0, 0, 15)
			main.part("prt_a7s1", "msg_a7", "ses_a", at(4*time.Hour+time.Minute+time.Second), step(s))
		}, attribution.Usage{Input: 7, Output: 8}, 1},
		{"a legacy message file rewritten, a new step part file added", func() {
			storage := filepath.Join(data, "storage")
			path := filepath.Join(storage, "message", "ses_l", "msg_l1.json")
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			s := tok(1, 2, 0, 3, 0, 6)
			m["tokens"] = s
			writeJSON(t, path, m)
			p := step(s)
			p["id"], p["messageID"], p["sessionID"] = "prt_l1s2", "msg_l1", "ses_l"
			writeJSON(t, filepath.Join(storage, "part", "msg_l1", "prt_l1s2.json"), p)
		}, attribution.Usage{Input: 1, Output: 2, CacheRead: 3}, 1},
		{"a legacy message without parts, then rewritten unchanged", func() {
			m := assistant("anthropic", "claude-3-5-haiku", "/work/legacy", at(-47*time.Hour), at(-47*time.Hour+time.Second), tok(11, 12, 0, 0, 0, -1))
			m["id"], m["sessionID"] = "msg_l2", "ses_l"
			writeJSON(t, filepath.Join(data, "storage", "message", "ses_l", "msg_l2.json"), m)
		}, attribution.Usage{Input: 11, Output: 12}, 1},
		{"a build of another channel starts its own database", func() {
			dev := newAgent(t, filepath.Join(data, "opencode-dev.db"))
			dev.session("ses_dev", "", "/work/repo", "0.0.0-dev-202609", at(5*time.Hour))
			s := tok(30, 3, 0, 0, 0, 33)
			dev.message("msg_dev1", "ses_dev", at(5*time.Hour), assistant("openai", "gpt-5", "/work/repo", at(5*time.Hour), at(5*time.Hour+time.Second), s))
			dev.part("prt_dev1s1", "msg_dev1", "ses_dev", at(5*time.Hour+time.Second), step(s))
		}, attribution.Usage{Input: 30, Output: 3}, 1},
		{"nothing new", func() {
			path := filepath.Join(data, "storage", "message", "ses_l", "msg_l2.json")
			raw, _ := os.ReadFile(path)
			if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}, attribution.Usage{}, 0},
	}
	for _, s := range steps {
		s.write()
		got := scanState(t, data, st)
		if got.Total != s.want || got.Requests != s.calls || len(got.Problems) != 0 {
			t.Errorf("%s: %+v in %d calls (problems %q), want %+v in %d", s.name, got.Total, got.Requests, got.Problems, s.want, s.calls)
		}
	}
}

// TestWatermarkStopsEarly checks that an incremental read of a large table
// visits only the rows written since (plus the rescan slack), not the whole
// table.
func TestWatermarkStopsEarly(t *testing.T) {
	m := mark{Row: 1000, Updated: at(time.Hour)}
	tests := []struct {
		row, updated int64
		stop         bool
	}{
		{1001, at(0), false},         // a new row
		{1000, at(time.Hour), false}, // within the slack
		{999, at(time.Hour - rescanSlack + time.Second), false},
		{999, at(time.Hour - rescanSlack - time.Second), true}, // old and stale
		{500, at(2 * time.Hour), false},                        // a reused rowid, written since
	}
	for _, tt := range tests {
		if got := m.stop(tt.row, tt.updated); got != tt.stop {
			t.Errorf("stop(%d, %d) = %v, want %v", tt.row, tt.updated, got, tt.stop)
		}
	}
	if (mark{}).stop(1, 1) {
		t.Error("a first read stopped")
	}
	if got := m.advance(900, at(2*time.Hour)); got != (mark{Row: 1000, Updated: at(2 * time.Hour)}) {
		t.Errorf("advance = %+v", got)
	}
}
