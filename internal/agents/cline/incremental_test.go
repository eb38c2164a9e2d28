package cline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// TestIncrementalRewrites rewrites the Cline sample's ui_messages.json in
// place between scans that share one scan.State, as Cline does while a task
// runs: each scan must report only the usage that is new.
func TestIncrementalRewrites(t *testing.T) {
	env := agenttest.Env(t, nil)
	storage := install(t, env, clineSample, "Code")
	path := filepath.Join(storage, clineExtension, "tasks", clineTaskID, uiMessagesFile)
	st := scan.NewState()
	step := func(name string, want attribution.Usage, requests int) {
		t.Helper()
		got := agenttest.ScanState(t, env, st, Source())
		if got.Total != want || got.Requests != requests || len(got.Problems) != 0 {
			t.Errorf("%s: new usage %+v in %d requests (problems %q), want %+v in %d", name, got.Total, got.Requests, got.Problems, want, requests)
		}
	}
	step("first scan", clineWant, 3)
	step("nothing changed", attribution.Usage{}, 0)

	var msgs []map[string]any
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &msgs); err != nil {
		t.Fatal(err)
	}
	streaming := msgs[len(msgs)-1] // ts 1770577430000, no counts yet
	if streaming["ts"].(float64) != 1770577430000 {
		t.Fatalf("last message %v", streaming)
	}
	info := func(in, out, cw, cr int) string {
		b, _ := json.Marshal(map[string]any{"request": "[attempt_completion] ...", "tokensIn": in, "tokensOut": out, "cacheWrites": cw, "cacheReads": cr})
		return string(b)
	}
	// The streaming request completes, and a new one is appended.
	streaming["text"] = info(10, 250, 1500, 65038)
	newer := msg(1770577450000, sayAPIReqStarted, info(5, 40, 0, 66000))
	newer["modelInfo"] = map[string]any{"providerId": "anthropic", "modelId": "claude-opus-4-6", "mode": "act"}
	msgs = append(msgs, newer)
	writeNewer(t, path, doc(msgs...))
	step("completed and appended", attribution.Usage{Input: 10 + 5, Output: 250 + 40, CacheWrite: 1500, CacheRead: 65038 + 66000}, 2)
	step("nothing changed again", attribution.Usage{}, 0)

	// The new request's output grows (a rewrite with a larger count): only
	// the increase, and no new request.
	newer["text"] = info(5, 90, 0, 66000)
	writeNewer(t, path, doc(msgs...))
	step("a count grew", attribution.Usage{Output: 50}, 0)

	// A checkpoint restore deletes the last two requests and records their
	// sum in deleted_api_reqs: nothing new, it was all counted already.
	restored := append(append([]map[string]any{}, msgs[:len(msgs)-2]...),
		msg(1770577460000, sayDeletedAPIReqs, map[string]any{"tokensIn": 15, "tokensOut": 340, "cacheWrites": 1500, "cacheReads": 131038, "cost": 0.1}))
	writeNewer(t, path, doc(restored...))
	step("checkpoint restore", attribution.Usage{}, 0)

	// A new state (the usage command, another worktree's hook) reading the
	// restored file sees the deleted requests only as their sum: counted.
	fresh := agenttest.Scan(t, env, Source())
	want := clineWant.Add(attribution.Usage{Input: 15, Output: 340, CacheWrite: 1500, CacheRead: 131038})
	if fresh.Total != want || fresh.Requests != 4 {
		t.Errorf("fresh scan of the restored file: %+v in %d requests, want %+v in 4", fresh.Total, fresh.Requests, want)
	}

	// A rewrite caught half-written is skipped and reported; the next
	// complete version is read without counting anything twice.
	full := doc(restored...)
	writeNewer(t, path, full[:len(full)/2])
	got := agenttest.ScanState(t, env, st, Source())
	if got.Requests != 0 || len(got.Problems) != 1 || got.Stats[attribution.AgentCline].Skipped != 1 {
		t.Errorf("half-written file: %d requests, problems %q, stats %+v", got.Requests, got.Problems, got.Stats[attribution.AgentCline])
	}
	writeNewer(t, path, full)
	step("complete again", attribution.Usage{}, 0)
}

// TestIncrementalRename replaces Roo's file by a new one (write to a
// temporary file, then rename, as Roo's safeWriteJson does) with one more
// request.
func TestIncrementalRename(t *testing.T) {
	env := agenttest.Env(t, nil)
	storage := install(t, env, rooSample, "Code")
	path := filepath.Join(storage, rooExtension, "tasks", rooTaskID, uiMessagesFile)
	st := scan.NewState()
	if got := agenttest.ScanState(t, env, st, RooSource()); got.Total != rooWant || got.Requests != 2 {
		t.Fatalf("first scan %+v in %d", got.Total, got.Requests)
	}
	var msgs []map[string]any
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &msgs); err != nil {
		t.Fatal(err)
	}
	msgs = append(msgs, msg(1770600030000, sayAPIReqStarted, map[string]any{"apiProtocol": "anthropic", "tokensIn": 40000, "tokensOut": 500, "cacheWrites": 900, "cacheReads": 32512, "cost": 0.02}))
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, doc(msgs...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	// 2026-02-09, Anthropic protocol, 40000 >= 32512+900: the whole prompt.
	want := attribution.Usage{Input: 40000 - 32512 - 900, Output: 500, CacheWrite: 900, CacheRead: 32512}
	if got := agenttest.ScanState(t, env, st, RooSource()); got.Total != want || got.Requests != 1 {
		t.Errorf("after the rename: %+v in %d, want %+v in 1", got.Total, got.Requests, want)
	}
}
