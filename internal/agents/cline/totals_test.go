package cline

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// ccusage does not read Cline, Roo Code or Kilo Code, so every figure below
// is checked two ways: against numbers derived by hand from the fixture (the
// derivation is in the comments) and against an independent plain
// encoding/json pass over the same file (rawRows) combined with the
// extension's own task totals (Cline's taskHistory.json, Roo's
// history_item.json), which are sums of the raw fields.

// Cline sample (modelInfo.providerId "anthropic": tokensIn is the uncached
// rest, FromAnthropic):
//
//	ts 1770577389904  in 10  out 733  cacheWrites 12954  cacheReads  8096
//	ts 1770577405498  in 10  out 534  cacheWrites 43988  cacheReads 21050
//	ts 1770577418648  in 10  out 120  cacheWrites     0  cacheReads 65038  (cancelled, billed)
//	ts 1770577430000  still streaming: no counts, no event
//
// Input 30, Output 733+534+120 = 1387, CacheWrite 12954+43988 = 56942,
// CacheRead 8096+21050+65038 = 94184, 3 requests.
var clineWant = attribution.Usage{Input: 30, Output: 1387, CacheWrite: 56942, CacheRead: 94184}

// Roo sample (2026-02-09, after Roo 3.29.5):
//
//	ts 1770600001000  openai     in 18250  out 412  cacheWrites    0  cacheReads 16384
//	  inclusive: Input 18250-16384 = 1866
//	ts 1770600009000  anthropic  in    12  out 980  cacheWrites 2100  cacheReads 30400
//	  newer Roo would write the whole prompt, but 12 < 30400+2100: the
//	  uncached rest, Input 12
//
// Input 1878, Output 1392, CacheWrite 2100, CacheRead 46784, 2 requests.
var rooWant = attribution.Usage{Input: 1878, Output: 1392, CacheWrite: 2100, CacheRead: 46784}

// Kilo sample (hand-made):
//
//	task A, 2025-11-04 (before Kilo 4.119.0: Anthropic tokensIn is the uncached rest)
//	  +1s   anthropic  in 3000  out 450  cacheWrites 1200  cacheReads  800  Input 3000
//	  +21s  anthropic  in    6  out 300  cacheWrites 2500  cacheReads 4200  Input 6
//	task B, 2026-01-15 (after: tokensIn is the whole prompt)
//	  +1s   anthropic  in 25000 out  700 cacheWrites 3000  cacheReads 21000  Input 25000-21000-3000 = 1000
//	  +40s  openai     in 30000 out 1200 cacheWrites    0  cacheReads 24576  Input 30000-24576 = 5424
//	  +90s  anthropic  in 12000 out   40 cacheWrites    0  cacheReads 11800  Input 200 (cancelled, billed)
//	  +96s  openai     still streaming: nothing
//
// Input 3000+6+1000+5424+200 = 9630, Output 450+300+700+1200+40 = 2690,
// CacheWrite 1200+2500+3000 = 6700, CacheRead 800+4200+21000+24576+11800 =
// 62376, 5 requests.
var kiloWant = attribution.Usage{Input: 9630, Output: 2690, CacheWrite: 6700, CacheRead: 62376}

// Cline SDK sample (hand-made; inputTokens includes the cache counts):
//
//	lead  msg_a1  in 20000 out 600 cacheRead     0 cacheWrite 19000  Input 1000
//	lead  msg_a2  in 21500 out 250 cacheRead 19000 cacheWrite  2000  Input  500
//	lead  msg_e1  display-only error banner: not a model call
//	lead  msg_a3  in 22000 out  90 cacheRead 21000 cacheWrite     0  Input 1000 (model from the manifest)
//	sub   msg_s1  in  8000 out 300                                   Input 8000
//
// Input 10500, Output 1240, CacheRead 40000, CacheWrite 21000, 4 requests.
var sdkWant = attribution.Usage{Input: 10500, Output: 1240, CacheRead: 40000, CacheWrite: 21000}

func TestClineTotals(t *testing.T) {
	env := agenttest.Env(t, nil)
	storage := install(t, env, clineSample, "Code")
	got := agenttest.Scan(t, env, Source())
	if got.Total != clineWant || got.Requests != 3 || len(got.Problems) != 0 {
		t.Fatalf("total %+v in %d requests (problems %q), want %+v in 3", got.Total, got.Requests, got.Problems, clineWant)
	}

	// Independent pass: every row is Anthropic-style, so the sums of the
	// raw fields are the totals, and they equal Cline's own task totals.
	file := filepath.Join(storage, "saoudrizwan.claude-dev", "tasks", clineTaskID, "ui_messages.json")
	in, out, cr, cw, n := rawSums(rawRows(t, file))
	if ref := (attribution.Usage{Input: in, Output: out, CacheRead: cr, CacheWrite: cw}); ref != got.Total || n != got.Requests {
		t.Errorf("plain decode: %+v in %d rows, reader %+v in %d", ref, n, got.Total, got.Requests)
	}
	own := jsonNumbers(t, filepath.Join(storage, "saoudrizwan.claude-dev", "state", "taskHistory.json"), "tokensIn", "tokensOut", "cacheWrites", "cacheReads")
	if own["tokensIn"] != in || own["tokensOut"] != out || own["cacheWrites"] != cw || own["cacheReads"] != cr {
		t.Errorf("taskHistory.json totals %v differ from the rows' sums", own)
	}

	sess := attribution.HashSession(attribution.AgentCline, clineTaskID)
	for _, e := range got.Events {
		if e.Agent != attribution.AgentCline || e.Session != sess || e.Model != "claude-opus-4-6" || e.Cwd != "/home/dev/src/jira-ui" {
			t.Errorf("event %+v", e)
		}
	}
	if first := got.Events[0].Time; !first.Equal(time.UnixMilli(1770577389904)) || first.Location() != time.UTC {
		t.Errorf("first event at %v", first)
	}

	// Keys are "<taskId>:<ts>".
	events, st, err := readEvents(t, Source(), file)
	if err != nil || st.Events != 3 || st.Skipped != 0 {
		t.Fatalf("read: %v, stats %+v", err, st)
	}
	for i, ts := range []int64{1770577389904, 1770577405498, 1770577418648} {
		if want := clineTaskID + ":" + strconv.FormatInt(ts, 10); events[i].Key != want {
			t.Errorf("key %q, want %q", events[i].Key, want)
		}
	}
}

func TestRooTotals(t *testing.T) {
	env := agenttest.Env(t, nil)
	storage := install(t, env, rooSample, "Code")
	got := agenttest.Scan(t, env, RooSource())
	if got.Total != rooWant || got.Requests != 2 || len(got.Problems) != 0 {
		t.Fatalf("total %+v in %d requests (problems %q), want %+v in 2", got.Total, got.Requests, got.Problems, rooWant)
	}

	// Independent pass: the raw sums are Roo's own task totals; the reader
	// differs from them only by the cache reads of the openai row, which its
	// tokensIn already included.
	task := filepath.Join(storage, "rooveterinaryinc.roo-cline", "tasks", rooTaskID)
	rows := rawRows(t, filepath.Join(task, "ui_messages.json"))
	in, out, cr, cw, n := rawSums(rows)
	own := jsonNumbers(t, filepath.Join(task, "history_item.json"), "tokensIn", "tokensOut", "cacheWrites", "cacheReads")
	if own["tokensIn"] != in || own["tokensOut"] != out || own["cacheWrites"] != cw || own["cacheReads"] != cr {
		t.Errorf("history_item.json totals %v differ from the rows' sums", own)
	}
	var included int64
	for _, r := range rows {
		if r.Protocol == "openai" {
			included += r.CacheReads + r.CacheWrites
		}
	}
	if ref := (attribution.Usage{Input: in - included, Output: out, CacheRead: cr, CacheWrite: cw}); ref != got.Total || n != got.Requests {
		t.Errorf("plain decode: %+v in %d rows, reader %+v in %d", ref, n, got.Total, got.Requests)
	}
	for _, e := range got.Events {
		// No api_conversation_history.json in the sample: no model record.
		if e.Agent != attribution.AgentRooCode || e.Session != attribution.HashSession(attribution.AgentRooCode, rooTaskID) ||
			e.Model != "unknown" || e.Cwd != "/home/dev/src/app" {
			t.Errorf("event %+v", e)
		}
	}
}

func TestKiloTotals(t *testing.T) {
	env := agenttest.Env(t, nil)
	env.GOOS = "darwin" // and ~/Library/Application Support
	storage := install(t, env, kiloSample, "Code")
	got := agenttest.Scan(t, env, KiloSource())
	if got.Total != kiloWant || got.Requests != 5 || len(got.Problems) != 0 {
		t.Fatalf("total %+v in %d requests (problems %q), want %+v in 5", got.Total, got.Requests, got.Problems, kiloWant)
	}

	// Independent pass: Input is the raw tokensIn minus the cache counts of
	// the rows whose tokensIn includes them (openai rows, and anthropic rows
	// from 2025-11-12 on when tokensIn is at least their cache counts).
	cutoff := time.Date(2025, 11, 12, 0, 0, 0, 0, time.UTC).UnixMilli()
	var ref attribution.Usage
	rows := 0
	for _, id := range []string{kiloTaskA, kiloTaskB} {
		for _, r := range rawRows(t, filepath.Join(storage, "kilocode.kilo-code", "tasks", id, "ui_messages.json")) {
			if !r.HasCounts {
				continue
			}
			rows++
			in := r.TokensIn
			if (r.Protocol == "openai" || r.Ts >= cutoff) && in >= r.CacheReads+r.CacheWrites {
				in -= r.CacheReads + r.CacheWrites
			}
			ref = ref.Add(attribution.Usage{Input: in, Output: r.TokensOut, CacheRead: r.CacheReads, CacheWrite: r.CacheWrites})
		}
	}
	if ref != got.Total || rows != got.Requests {
		t.Errorf("plain decode: %+v in %d rows, reader %+v in %d", ref, rows, got.Total, got.Requests)
	}

	// Models come from the <model> tags of api_conversation_history.json,
	// the working directory from its environment details.
	wantModels := []string{"claude-sonnet-4-5", "claude-sonnet-4-5", "anthropic/claude-sonnet-4.5", "openai/gpt-5", "anthropic/claude-sonnet-4.5"}
	for i, e := range got.Events {
		if e.Model != wantModels[i] || e.Cwd != "/home/dev/src/kilo-app" || e.Agent != attribution.AgentKiloCode {
			t.Errorf("event %d: %+v, want model %s", i, e, wantModels[i])
		}
	}
	if a, b := got.Events[0].Session, got.Events[4].Session; a == b || b != attribution.HashSession(attribution.AgentKiloCode, kiloTaskB) {
		t.Errorf("sessions %q, %q", a, b)
	}
}

func TestClineSDKTotals(t *testing.T) {
	data := agenttest.CopyTree(t, clineSDK)
	env := agenttest.Env(t, map[string]string{"CLINE_DATA_DIR": data})
	got := agenttest.Scan(t, env, Source())
	if got.Total != sdkWant || got.Requests != 4 || len(got.Problems) != 0 {
		t.Fatalf("total %+v in %d requests (problems %q), want %+v in 4", got.Total, got.Requests, got.Problems, sdkWant)
	}
	lead := attribution.HashSession(attribution.AgentCline, sdkSessionID)
	sub := attribution.HashSession(attribution.AgentCline, sdkSessionID+"__explorer-1")
	models := map[string]int{}
	for _, e := range got.Events {
		models[e.Model]++
		if (e.Session != lead && e.Session != sub) || e.Cwd != "/home/dev/src/sdk-app" {
			t.Errorf("event %+v", e)
		}
	}
	if models["anthropic/claude-sonnet-4.5"] != 3 || models["anthropic/claude-haiku-4.5"] != 1 {
		t.Errorf("models %v", models)
	}
	events, _, err := readEvents(t, Source(), filepath.Join(data, "sessions", sdkSessionID, sdkSessionID+".messages.json"))
	if err != nil || len(events) != 3 || events[0].Key != "sdk:"+sdkSessionID+"/"+sdkSessionID+":msg_a1" {
		t.Errorf("lead file: %v, %+v", err, events)
	}
}

// TestAllSourcesTogether scans the three extensions and Cline's data dir in
// one home: each source reads only its own files.
func TestAllSourcesTogether(t *testing.T) {
	data := agenttest.CopyTree(t, clineSDK)
	env := agenttest.Env(t, map[string]string{"CLINE_DATA_DIR": data})
	install(t, env, clineSample, "Cursor")
	copyDir(t, filepath.Join(rooSample, rooExtension), filepath.Join(env.Home, ".vscode-server", "data", "User", "globalStorage", rooExtension))
	copyDir(t, filepath.Join(kiloSample, kiloExtension), filepath.Join(env.Home, ".config", "VSCodium", "User", "globalStorage", kiloExtension))
	got := agenttest.Scan(t, env, Source(), RooSource(), KiloSource())
	want := clineWant.Add(sdkWant).Add(rooWant).Add(kiloWant)
	if got.Total != want || got.Requests != 3+4+2+5 || len(got.Problems) != 0 {
		t.Errorf("total %+v in %d requests (problems %q), want %+v in 14", got.Total, got.Requests, got.Problems, want)
	}
	for agent, files := range map[string]int{attribution.AgentCline: 3, attribution.AgentRooCode: 1, attribution.AgentKiloCode: 2} {
		if s := got.Stats[agent]; s == nil || s.Files != files {
			t.Errorf("%s: stats %+v, want %d files", agent, s, files)
		}
	}
}
