package goose

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// history writes a realistic Goose history under the GOOSE_PATH_ROOT root
// and returns the writer, still open in WAL mode:
//
//   - 20260901_1, /work/repo, Anthropic claude-sonnet-4-5: three calls of
//     14000+120, 15210+1400 and 16000+1600 tokens (total = input + output);
//   - 20260901_2, a subagent session in /work/repo/pkg, Gemini 2.5 Pro: two
//     calls whose totals include thoughts (total − input − output = 1000 and
//     300);
//   - 20260901_3, /work/other, OpenAI gpt-5: one call 9000+1500;
//   - 20260901_4, created, no call yet;
//   - 20250815_1, imported from a legacy file before model_config_json
//     existed (schema < 6): accumulated 3000+400, no model;
//   - 20250801_1, imported from a file of a version without accumulated
//     counters: only the latest call's 500+50;
//   - legacy files: 20250815_1.jsonl (the same session as the imported row)
//     and 20250710_2.jsonl (never imported: 700+70).
func history(t testing.TB, root string) *agent {
	t.Helper()
	dir := sessionsDir(root)
	a := newAgent(t, filepath.Join(dir, dbName))
	a.create("20260901_1", "/work/repo", "user", ts(0))
	a.model("20260901_1", "anthropic", "claude-sonnet-4-5", ts(2*time.Second))
	a.call("20260901_1", 14000, 120, 14120, ts(5*time.Second))
	a.call("20260901_1", 15210, 1400, 16610, ts(40*time.Second))
	a.call("20260901_1", 16000, 1600, 17600, ts(90*time.Second))

	a.create("20260901_2", "/work/repo/pkg", "specialist", ts(50*time.Second))
	a.model("20260901_2", "google", "gemini-2.5-pro", ts(50*time.Second))
	a.call("20260901_2", 5000, 300, 6300, ts(60*time.Second))
	a.call("20260901_2", 7000, 500, 7800, ts(70*time.Second))

	a.create("20260901_3", "/work/other", "user", ts(time.Hour))
	a.model("20260901_3", "openai", "gpt-5", ts(time.Hour))
	a.call("20260901_3", 9000, 1500, 10500, ts(time.Hour+20*time.Second))

	a.create("20260901_4", "/work/repo", "user", ts(2*time.Hour))

	a.create("20250815_1", "/work/legacy-repo", "user", "2025-08-15 09:00:00")
	a.exec(`UPDATE sessions SET accumulated_input_tokens = 3000, accumulated_output_tokens = 400, accumulated_total_tokens = 3400,
		input_tokens = 1200, output_tokens = 150, total_tokens = 1350, updated_at = '2025-08-15 09:30:00' WHERE id = '20250815_1'`)
	a.create("20250801_1", "/work/legacy-repo", "user", "2025-08-01 08:00:00")
	a.exec(`UPDATE sessions SET input_tokens = 500, output_tokens = 50, total_tokens = 550, updated_at = '2025-08-01 08:10:00' WHERE id = '20250801_1'`)

	copyFile(t, samples+"/legacy/20250710_2.jsonl", dir)
	copyFile(t, samples+"/legacy/20250709_1.jsonl", dir)
	legacy := `{"working_dir":"/work/legacy-repo","description":"imported","schedule_id":null,"message_count":2,` +
		`"total_tokens":1350,"input_tokens":1200,"output_tokens":150,` +
		`"accumulated_total_tokens":3400,"accumulated_input_tokens":3000,"accumulated_output_tokens":400}` + "\n" +
		`{"role":"user","created":1755250200,"content":[{"type":"text","text":"hi"}]}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "20250815_1.jsonl"), []byte(legacy), 0o644); err != nil {
		t.Fatal(err)
	}
	return a
}

// wantHistory is what history adds up to, by hand:
//
//	20260901_1  input 14000+15210+16000 = 45210, output 120+1400+1600 = 3120
//	20260901_2  input 5000+7000 = 12000, output 300+500 = 800,
//	            total 6300+7800 = 14100: 14100−12000−800 = 1300 reasoning,
//	            output 800+1300 = 2100
//	20260901_3  input 9000, output 1500
//	20250815_1  input 3000, output 400 (database row and legacy file: once)
//	20250801_1  input 500, output 50 (latest call only: LowerBound)
//	20250710_2  input 700, output 70 (legacy file)
//
// Input 45210+12000+9000+3000+500+700 = 70410; output
// 3120+2100+1500+400+50+70 = 7240; reasoning 1300; six sessions.
var wantHistory = struct {
	Total    attribution.Usage
	Sessions int
}{attribution.Usage{Input: 70410, Output: 7240, Reasoning: 1300}, 6}

func TestHistoryTotals(t *testing.T) {
	root := t.TempDir()
	history(t, root)
	got := scanRoot(t, root)
	if got.Total != wantHistory.Total || got.Requests != wantHistory.Sessions {
		t.Errorf("total = %+v in %d sessions, want %+v in %d", got.Total, got.Requests, wantHistory.Total, wantHistory.Sessions)
	}
	if len(got.Problems) != 0 {
		t.Errorf("problems %q", got.Problems)
	}
	type row struct {
		model, cwd string
		at         time.Time
		usage      attribution.Usage
		lower      bool
	}
	want := map[string]row{
		"20260901_1": {"claude-sonnet-4-5", "/work/repo", t0.Add(90 * time.Second), attribution.Usage{Input: 45210, Output: 3120}, false},
		"20260901_2": {"gemini-2.5-pro", "/work/repo/pkg", t0.Add(70 * time.Second), attribution.Usage{Input: 12000, Output: 2100, Reasoning: 1300}, false},
		"20260901_3": {"gpt-5", "/work/other", t0.Add(time.Hour + 20*time.Second), attribution.Usage{Input: 9000, Output: 1500}, false},
		"20250815_1": {"unknown", "/work/legacy-repo", time.Date(2025, 8, 15, 9, 30, 0, 0, time.UTC), attribution.Usage{Input: 3000, Output: 400}, false},
		"20250801_1": {"unknown", "/work/legacy-repo", time.Date(2025, 8, 1, 8, 10, 0, 0, time.UTC), attribution.Usage{Input: 500, Output: 50}, true},
		"20250710_2": {"unknown", "/work/legacy-repo", time.Unix(1752141611, 0).UTC(), attribution.Usage{Input: 700, Output: 70}, false},
	}
	seen := map[string]bool{}
	for id, w := range want {
		h := attribution.HashSession(attribution.AgentGoose, id)
		for _, e := range got.Events {
			if e.Session != h {
				continue
			}
			seen[id] = true
			if g := (row{e.Model, e.Cwd, e.Time, e.Usage, e.LowerBound}); g != w {
				t.Errorf("%s = %+v, want %+v", id, g, w)
			}
		}
	}
	if len(seen) != len(want) || len(got.Events) != len(want) {
		t.Errorf("%d events for sessions %v", len(got.Events), seen)
	}
}

// TestReadWhileGooseWrites scans while Goose keeps its connection open in
// WAL mode and grows a session's counters concurrently: Goose's commits never
// fail, the scans add up to exactly the counters' growth, and the database
// and its write-ahead log are never written by the reader.
func TestReadWhileGooseWrites(t *testing.T) {
	root := t.TempDir()
	a := history(t, root)
	dir := sessionsDir(root)
	before := fileSums(t, dir, dbName, dbName+"-wal")
	st := scan.NewState()
	if got := scanState(t, root, st); got.Total != wantHistory.Total {
		t.Fatalf("first scan = %+v", got.Total)
	}
	if after := fileSums(t, dir, dbName, dbName+"-wal"); after != before {
		t.Fatal("the scan changed the database or its log")
	}

	const calls = 80
	var (
		wg       sync.WaitGroup
		writeErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i <= calls; i++ {
			_, err := a.db.Exec(`UPDATE sessions SET input_tokens = 100, output_tokens = 10, total_tokens = 110,
				accumulated_input_tokens = accumulated_input_tokens + 100,
				accumulated_output_tokens = accumulated_output_tokens + 10,
				accumulated_total_tokens = accumulated_total_tokens + 110,
				updated_at = ? WHERE id = '20260901_3'`, ts(2*time.Hour+time.Duration(i)*time.Second))
			if err != nil {
				writeErr = err
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var total attribution.Usage
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		got := scanState(t, root, st)
		if len(got.Problems) != 0 || got.Requests != 0 {
			t.Fatalf("while Goose writes: problems %q, %d new sessions", got.Problems, got.Requests)
		}
		total = total.Add(got.Total)
	}
	if writeErr != nil {
		t.Fatalf("Goose's commit failed: %v", writeErr)
	}
	if want := (attribution.Usage{Input: 100 * calls, Output: 10 * calls}); total != want {
		t.Errorf("growth seen = %+v, want %+v", total, want)
	}
}

// TestClosedDatabaseUntouched: with Goose closed the database is opened
// immutable and nothing in the sessions directory changes.
func TestClosedDatabaseUntouched(t *testing.T) {
	root := t.TempDir()
	a := history(t, root)
	if err := a.db.Close(); err != nil {
		t.Fatal(err)
	}
	dir := sessionsDir(root)
	if err := os.Chmod(filepath.Join(dir, dbName), 0o400); err != nil {
		t.Fatal(err)
	}
	entries := func() map[string][32]byte {
		out := map[string][32]byte{}
		es, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			out[e.Name()] = fileSums(t, dir, e.Name())
		}
		return out
	}
	before := entries()
	if _, ok := before[dbName+"-wal"]; ok {
		t.Fatal("the closed database still has a log")
	}
	if got := scanRoot(t, root); got.Total != wantHistory.Total || len(got.Problems) != 0 {
		t.Errorf("total = %+v, problems %q", got.Total, got.Problems)
	}
	after := entries()
	if len(after) != len(before) {
		t.Fatalf("files %v became %v", before, after)
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed", k)
		}
	}
}

// fileSums hashes the contents, sizes and modification times of files in dir
// (missing files count as empty).
func fileSums(t testing.TB, dir string, names ...string) [32]byte {
	t.Helper()
	h := sha256.New()
	for _, n := range names {
		p := filepath.Join(dir, n)
		data, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		h.Write(data)
		if fi, err := os.Stat(p); err == nil {
			h.Write([]byte(fi.ModTime().String()))
		}
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}
