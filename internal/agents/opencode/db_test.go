package opencode

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/sqlitedb"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// history writes a realistic OpenCode history into dataDir (see the figures
// in wantHistory) and returns the writers, still open in WAL mode.
//
//   - ses_a (OpenCode 1.4.3, /work/repo): a user turn, then msg_a2, an
//     Anthropic tool loop of 3 LLM calls (3 step-finish parts; the message's
//     tokens are the last step's, as OpenCode overwrites them); a second turn
//     msg_a4, one OpenAI call with 640 reasoning tokens stored the AI SDK 6
//     way (output without reasoning, total = everything).
//   - ses_b, a subagent session of ses_a: msg_b1, two Gemini calls with
//     thoughts, stored the older way (no total; Google thoughts not in
//     output).
//   - ses_c, migrated from OpenCode 0.3 JSON files: msg_c1 with tokens but
//     no step-finish part and no path (the session's directory is the cwd).
//   - ses_f, a fork of ses_a made an hour later: copies of msg_a1/msg_a2 and
//     of msg_a2's parts under new ids, keeping their times.
//   - opencode-beta.db, a beta build's own database: one call.
//   - legacy storage/: a copy of msg_c1 (same id: the migration kept it) and
//     msg_l1 of a session never migrated, with one step-finish part.
func history(t testing.TB, dataDir string) (main, beta *agent) {
	t.Helper()
	main = newAgent(t, filepath.Join(dataDir, "opencode.db"))
	main.session("ses_a", "", "/work/repo", "1.4.3", at(0))
	main.message("msg_a1", "ses_a", at(time.Second), user(at(time.Second)))
	a2 := func(completed int64, last map[string]any) map[string]any {
		return assistant("anthropic", "claude-sonnet-4-5", "/work/repo", at(2*time.Second), completed, last)
	}
	s1 := tok(12, 180, 0, 0, 14000, 14192)
	s2 := tok(8, 95, 0, 14000, 620, 14723)
	s3 := tok(5, 410, 0, 14620, 1200, 16235)
	main.message("msg_a2", "ses_a", at(2*time.Second), a2(0, tok(0, 0, 0, 0, 0, 0)))
	main.part("prt_a2s1", "msg_a2", "ses_a", at(10*time.Second), step(s1))
	main.message("msg_a2", "ses_a", at(10*time.Second), a2(0, s1))
	main.part("prt_a2s2", "msg_a2", "ses_a", at(20*time.Second), step(s2))
	main.message("msg_a2", "ses_a", at(20*time.Second), a2(0, s2))
	main.part("prt_a2s3", "msg_a2", "ses_a", at(39*time.Second), step(s3))
	main.message("msg_a2", "ses_a", at(40*time.Second), a2(at(40*time.Second), s3))

	main.message("msg_a3", "ses_a", at(60*time.Second), user(at(60*time.Second)))
	a4 := tok(3200, 250, 640, 9000, 0, 3200+9000+250+640)
	main.message("msg_a4", "ses_a", at(61*time.Second), assistant("openai", "gpt-5", "/work/repo", at(61*time.Second), 0, tok(0, 0, 0, 0, 0, 0)))
	main.part("prt_a4s1", "msg_a4", "ses_a", at(74*time.Second), step(a4))
	main.message("msg_a4", "ses_a", at(75*time.Second), assistant("openai", "gpt-5", "/work/repo", at(61*time.Second), at(75*time.Second), a4))

	main.session("ses_b", "ses_a", "/work/repo", "1.4.3", at(30*time.Second))
	b1 := tok(4000, 300, 1200, 0, 0, -1)
	b2 := tok(4600, 120, 200, 0, 0, -1)
	main.message("msg_b1", "ses_b", at(31*time.Second), assistant("google", "gemini-2.5-pro", "/work/repo/pkg", at(31*time.Second), 0, b1))
	main.part("prt_b1s1", "msg_b1", "ses_b", at(34*time.Second), step(b1))
	main.part("prt_b1s2", "msg_b1", "ses_b", at(38*time.Second), step(b2))
	main.message("msg_b1", "ses_b", at(38*time.Second), assistant("google", "gemini-2.5-pro", "/work/repo/pkg", at(31*time.Second), at(38*time.Second), b2))

	// Migrated: the migration wrote the row with time_updated = its own time.
	main.session("ses_c", "", "/work/other", "0.3.130", at(-24*time.Hour))
	c1 := assistant("anthropic", "claude-3-5-sonnet-20241022", "", at(-24*time.Hour+5*time.Second), at(-24*time.Hour+9*time.Second), tok(900, 150, 0, 0, 0, -1))
	main.message("msg_c1", "ses_c", at(50*time.Second), c1)

	main.session("ses_f", "", "/work/repo", "1.4.3", at(time.Hour))
	main.message("msg_f1", "ses_f", at(time.Hour), user(at(time.Second)))
	main.message("msg_f2", "ses_f", at(time.Hour), a2(at(40*time.Second), s3))
	for i, s := range []map[string]any{s1, s2, s3} {
		main.part("prt_f2s"+string(rune('1'+i)), "msg_f2", "ses_f", at(time.Hour), step(s))
	}

	beta = newAgent(t, filepath.Join(dataDir, "opencode-beta.db"))
	beta.session("ses_beta", "", "/work/repo", "1.5.0-beta.2", at(2*time.Hour))
	bt := tok(500, 60, 0, 0, 0, 560)
	beta.message("msg_beta1", "ses_beta", at(2*time.Hour+time.Second), assistant("openai", "gpt-5-mini", "/work/repo", at(2*time.Hour+time.Second), at(2*time.Hour+9*time.Second), bt))
	beta.part("prt_beta1s1", "msg_beta1", "ses_beta", at(2*time.Hour+8*time.Second), step(bt))

	storage := filepath.Join(dataDir, "storage")
	legacyC1 := c1
	legacyC1["id"], legacyC1["sessionID"] = "msg_c1", "ses_c"
	writeJSON(t, filepath.Join(storage, "message", "ses_c", "msg_c1.json"), legacyC1)
	writeJSON(t, filepath.Join(storage, "session", "4f1c0a9e2b7d", "ses_c.json"),
		map[string]any{"id": "ses_c", "version": "0.3.130", "directory": "/work/other", "time": map[string]any{"created": at(-24 * time.Hour)}})
	l1 := tok(700, 40, 0, 300, 0, 1040)
	legacyL1 := assistant("anthropic", "claude-sonnet-4", "/work/legacy", at(-48*time.Hour), at(-48*time.Hour+20*time.Second), l1)
	legacyL1["id"], legacyL1["sessionID"] = "msg_l1", "ses_l"
	writeJSON(t, filepath.Join(storage, "message", "ses_l", "msg_l1.json"), legacyL1)
	sl1 := step(l1)
	sl1["id"], sl1["messageID"], sl1["sessionID"] = "prt_l1s1", "msg_l1", "ses_l"
	writeJSON(t, filepath.Join(storage, "part", "msg_l1", "prt_l1s1.json"), sl1)
	writeJSON(t, filepath.Join(storage, "part", "msg_l1", "prt_l1t0.json"),
		map[string]any{"id": "prt_l1t0", "messageID": "msg_l1", "sessionID": "ses_l", "type": "text", "text": "Done: step-finish is a part type."})
	writeJSON(t, filepath.Join(storage, "session", "4f1c0a9e2b7d", "ses_l.json"),
		map[string]any{"id": "ses_l", "version": "1.0.20", "directory": "/work/legacy", "time": map[string]any{"created": at(-48 * time.Hour)}})
	return main, beta
}

// wantHistory is what history's calls add up to, derived by hand:
//
//	msg_a2 steps   input 12+8+5=25, output 180+95+410=685,
//	               cache read 0+14000+14620=28620, cache write 14000+620+1200=15820
//	msg_a4         input 3200, output 250+640=890 (reasoning 640 added: total
//	               13090 = 3200+9000+250+640), cache read 9000
//	msg_b1 steps   input 4000+4600=8600, output (300+1200)+(120+200)=1820
//	               (Google, no total: thoughts added), reasoning 1400
//	msg_c1         input 900, output 150 (message tokens, once for DB + file)
//	beta           input 500, output 60
//	msg_l1 step    input 700, output 40, cache read 300
//	ses_f copies   nothing
//
// Input 25+3200+8600+900+500+700 = 13925; output 685+890+1820+150+60+40 =
// 3645; reasoning 640+1400 = 2040; cache read 28620+9000+300 = 37920;
// cache write 15820; 3+1+2+1+1+1 = 9 calls.
var wantHistory = struct {
	Total    attribution.Usage
	Requests int
}{
	Total:    attribution.Usage{Input: 13925, Output: 3645, Reasoning: 2040, CacheRead: 37920, CacheWrite: 15820},
	Requests: 9,
}

func TestHistoryTotals(t *testing.T) {
	data := t.TempDir()
	history(t, data)
	got := scanData(t, data)
	if got.Total != wantHistory.Total || got.Requests != wantHistory.Requests {
		t.Errorf("total = %+v in %d calls,\nwant    %+v in %d", got.Total, got.Requests, wantHistory.Total, wantHistory.Requests)
	}
	if len(got.Problems) != 0 {
		t.Errorf("problems: %q", got.Problems)
	}
	if s := got.Stats[attribution.AgentOpenCode]; s.Skipped != 0 || s.Errors != 0 {
		t.Errorf("stats = %+v", s)
	}

	// Every event, by session: model, cwd and time.
	type row struct {
		model, cwd string
		at         time.Time
		usage      attribution.Usage
	}
	want := map[string][]row{
		"ses_a": {
			{"claude-sonnet-4-5", "/work/repo", t0.Add(10 * time.Second), attribution.Usage{Input: 12, Output: 180, CacheWrite: 14000}},
			{"claude-sonnet-4-5", "/work/repo", t0.Add(20 * time.Second), attribution.Usage{Input: 8, Output: 95, CacheRead: 14000, CacheWrite: 620}},
			{"claude-sonnet-4-5", "/work/repo", t0.Add(39 * time.Second), attribution.Usage{Input: 5, Output: 410, CacheRead: 14620, CacheWrite: 1200}},
			{"gpt-5", "/work/repo", t0.Add(74 * time.Second), attribution.Usage{Input: 3200, Output: 890, Reasoning: 640, CacheRead: 9000}},
		},
		"ses_b": {
			{"gemini-2.5-pro", "/work/repo/pkg", t0.Add(34 * time.Second), attribution.Usage{Input: 4000, Output: 1500, Reasoning: 1200}},
			{"gemini-2.5-pro", "/work/repo/pkg", t0.Add(38 * time.Second), attribution.Usage{Input: 4600, Output: 320, Reasoning: 200}},
		},
		"ses_c":    {{"claude-3-5-sonnet-20241022", "/work/other", t0.Add(-24*time.Hour + 9*time.Second), attribution.Usage{Input: 900, Output: 150}}},
		"ses_beta": {{"gpt-5-mini", "/work/repo", t0.Add(2*time.Hour + 8*time.Second), attribution.Usage{Input: 500, Output: 60}}},
		"ses_l":    {{"claude-sonnet-4", "/work/legacy", t0.Add(-48*time.Hour + 20*time.Second), attribution.Usage{Input: 700, Output: 40, CacheRead: 300}}},
	}
	bySession := map[string][]row{}
	for _, e := range got.Events {
		bySession[e.Session] = append(bySession[e.Session], row{e.Model, e.Cwd, e.Time, e.Usage})
	}
	for sid, rows := range want {
		h := attribution.HashSession(attribution.AgentOpenCode, sid)
		if g := bySession[h]; len(g) != len(rows) {
			t.Errorf("%s: %d events, want %d: %+v", sid, len(g), len(rows), g)
			continue
		}
		for i, r := range rows {
			if g := bySession[h][i]; g.model != r.model || g.cwd != r.cwd || !g.at.Equal(r.at) || g.usage != r.usage {
				t.Errorf("%s event %d = %+v, want %+v", sid, i, g, r)
			}
		}
	}
	if n := len(bySession[attribution.HashSession(attribution.AgentOpenCode, "ses_f")]); n != 0 {
		t.Errorf("the fork's copies were counted: %d events", n)
	}
}

// TestKeys reads each file directly (no de-duplication) to check the keys:
// one per step-finish part, the message key only for msg_c1, and the same
// key for its database row and its legacy file.
func TestKeys(t *testing.T) {
	data := t.TempDir()
	history(t, data)
	src := Source()
	events, st, errs := readAll(t, src,
		filepath.Join(data, "opencode.db"), filepath.Join(data, "opencode-beta.db"),
		filepath.Join(data, "storage", "message", "ses_c", "msg_c1.json"),
		filepath.Join(data, "storage", "message", "ses_l", "msg_l1.json"),
		filepath.Join(data, "storage", "part", "msg_l1", "prt_l1s1.json"),
		filepath.Join(data, "storage", "part", "msg_l1", "prt_l1t0.json"))
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	var keys []string
	for _, e := range events {
		keys = append(keys, e.Key)
	}
	want := "p:prt_b1s2 p:prt_b1s1 p:prt_a4s1 p:prt_a2s3 p:prt_a2s2 p:prt_a2s1 m:msg_c1 p:prt_beta1s1 m:msg_c1 p:prt_l1s1"
	if strings.Join(keys, " ") != want {
		t.Errorf("keys = %s\nwant   %s", strings.Join(keys, " "), want)
	}
	if st.Events != int64(len(events)) || st.Skipped != 0 {
		t.Errorf("stats = %+v", st)
	}
}

// TestReadWhileOpenCodeWrites scans while OpenCode's writer keeps its
// connection open in WAL mode and commits calls concurrently: the writer
// never fails, the scans see each committed call exactly once, and the
// database and its write-ahead log are never written by the reader.
func TestReadWhileOpenCodeWrites(t *testing.T) {
	data := t.TempDir()
	main, _ := history(t, data)
	before := snapshot(t, data, "opencode.db-shm", "opencode-beta.db-shm", "storage")
	st := scan.NewState()
	first := scanState(t, data, st)
	if first.Total != wantHistory.Total {
		t.Fatalf("first scan = %+v", first.Total)
	}
	if after := snapshot(t, data, "opencode.db-shm", "opencode-beta.db-shm", "storage"); !equalSnapshots(before, after) {
		t.Fatalf("the scan changed the data directory:\n%v\n%v", before, after)
	}

	// OpenCode runs a long tool loop in a new session while we scan.
	main.session("ses_w", "", "/work/repo", "1.4.3", at(3*time.Hour))
	msg := func(completed int64, last map[string]any) map[string]any {
		return assistant("anthropic", "claude-opus-4-1", "/work/repo", at(3*time.Hour), completed, last)
	}
	main.message("msg_w1", "ses_w", at(3*time.Hour), msg(0, tok(0, 0, 0, 0, 0, 0)))
	const steps = 60
	var (
		wg       sync.WaitGroup
		writeErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i <= steps; i++ {
			written := at(3*time.Hour + time.Duration(i)*time.Second)
			s := tok(int64(i), 10, 0, 100, 0, int64(i)+110)
			tx, err := main.db.Begin()
			if err == nil {
				_, err = tx.Exec(`INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, 'msg_w1', 'ses_w', ?, ?, ?)`,
					"prt_w1s"+strconv.Itoa(i), written, written, mustJSON(t, step(s)))
			}
			if err == nil {
				_, err = tx.Exec(`UPDATE message SET data = ?, time_updated = ? WHERE id = 'msg_w1'`, mustJSON(t, msg(0, s)), written)
			}
			if err == nil {
				err = tx.Commit()
			}
			if err != nil {
				writeErr = err
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	// Scan again and again while OpenCode writes, then once more after.
	var (
		total    attribution.Usage
		requests int
	)
	stop := make(chan struct{})
	go func() { wg.Wait(); close(stop) }()
	for running := true; running; {
		select {
		case <-stop:
			running = false
		default:
		}
		got := scanState(t, data, st)
		if len(got.Problems) != 0 {
			t.Fatalf("problems while OpenCode writes: %q", got.Problems)
		}
		total, requests = total.Add(got.Total), requests+got.Requests
	}
	if writeErr != nil {
		t.Fatalf("OpenCode's commit failed: %v", writeErr)
	}
	// Σ i for i = 1..60 = 1830 input; 60×10 output; 60×100 cache read.
	want := attribution.Usage{Input: 1830, Output: 600, CacheRead: 6000}
	if total != want || requests != steps {
		t.Errorf("while writing: %+v in %d calls, want %+v in %d", total, requests, want, steps)
	}
}

func equalSnapshots(a, b map[string]fileState) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !v.Mod.Equal(w.Mod) || v.Size != w.Size || v.Sum != w.Sum {
			return false
		}
	}
	return true
}

// TestQueryNestedLookups checks the reader's look-ups inside the open
// transaction on its single connection.
func TestQueryNestedLookups(t *testing.T) {
	data := t.TempDir()
	history(t, data)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "opencode.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var n int
	var w sqlitedb.Tally
	if _, err := queryDB(context.Background(), db, attribution.AgentOpenCode, nil, func(attribution.Event) { n++ }, &w); err != nil {
		t.Fatal(err)
	}
	if skipped, noted := w.Counts(); n != 7 || skipped+noted != 0 { // a2×3, a4, b1×2, c1
		t.Errorf("%d events, warnings %+v", n, w)
	}
}

// TestClosedDatabaseUntouched: with OpenCode closed (no write-ahead log) the
// databases are opened immutable: reading creates, changes and locks
// nothing, even with the files read-only.
func TestClosedDatabaseUntouched(t *testing.T) {
	data := t.TempDir()
	main, beta := history(t, data)
	for _, a := range []*agent{main, beta} {
		if err := a.db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"opencode.db", "opencode-beta.db"} {
		if err := os.Chmod(filepath.Join(data, name), 0o400); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, data)
	if _, err := os.Stat(filepath.Join(data, "opencode.db-wal")); err == nil {
		t.Fatal("the closed database still has a write-ahead log")
	}
	got := scanData(t, data)
	if got.Total != wantHistory.Total || len(got.Problems) != 0 {
		t.Errorf("total = %+v, problems %q", got.Total, got.Problems)
	}
	if after := snapshot(t, data); !equalSnapshots(before, after) {
		t.Errorf("reading changed the data directory:\n%v\n%v", before, after)
	}
}
