package cline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/scan"
)

func TestParseSDKSession(t *testing.T) {
	s := sdkSession{dir: "s1", stem: "agent-2", model: "manifest-model", cwd: "/w"}
	tests := []struct {
		name    string
		data    string
		inputs  []int64
		session string
		wantErr string
	}{
		{"bare array", `[{"id":"a","role":"assistant","ts":1770000000000,"metrics":{"inputTokens":50,"cacheReadTokens":40,"outputTokens":2}}]`, []int64{10}, "s1__agent-2", ""},
		{"sessionId names the session", `{"sessionId":"root__x","messages":[{"id":"a","role":"assistant","ts":1770000000000,"metrics":{"inputTokens":5}}]}`, []int64{5}, "root__x", ""},
		{"user turns, no metrics, display-only: nothing", `{"messages":[{"id":"u","role":"user","ts":1,"metrics":{"inputTokens":5}},{"id":"a","role":"assistant","ts":1770000000000},{"id":"b","role":"assistant","ts":1770000000000,"metadata":{"displayOnly":true},"metrics":{"inputTokens":5}}]}`, nil, "", ""},
		{"input smaller than cache: read as uncached", `[{"id":"a","role":"assistant","ts":1770000000000,"metrics":{"inputTokens":5,"cacheReadTokens":40}}]`, []int64{5}, "s1__agent-2", ""},
		{"numbers as strings", `[{"id":"a","role":"assistant","ts":1770000000000,"metrics":{"inputTokens":"5"}},{"id":"b","role":"assistant","ts":1770000000000,"metrics":{"inputTokens":6}}]`, []int64{6}, "s1__agent-2", "inputTokens"},
		{"no id", `[{"role":"assistant","ts":1770000000000,"metrics":{"inputTokens":5}}]`, nil, "", "without id"},
		{"metrics not an object", `[{"id":"a","role":"assistant","ts":1770000000000,"metrics":[5]}]`, nil, "", "not an object"},
		{"not JSON", `{"messages":[`, nil, "", "session messages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var events []attribution.Event
			err := parseSDKSession([]byte(tt.data), s, func(e attribution.Event) { events = append(events, e) })
			if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
			if len(events) != len(tt.inputs) {
				t.Fatalf("%d events, want %d", len(events), len(tt.inputs))
			}
			for i, e := range events {
				if e.Usage.Input != tt.inputs[i] || e.Model != "manifest-model" || e.Cwd != "/w" || e.Session != attribution.HashSession(attribution.AgentCline, tt.session) {
					t.Errorf("event %+v", e)
				}
			}
		})
	}
}

// TestSDKIncremental rewrites a session's messages file with one more call.
func TestSDKIncremental(t *testing.T) {
	data := agenttest.CopyTree(t, clineSDK)
	env := agenttest.Env(t, map[string]string{"CLINE_DATA_DIR": data})
	st := scan.NewState()
	if got := agenttest.ScanState(t, env, st, Source()); got.Total != sdkWant || got.Requests != 4 {
		t.Fatalf("first scan %+v in %d", got.Total, got.Requests)
	}
	path := filepath.Join(data, "sessions", sdkSessionID, sdkSessionID+".messages.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]any
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	file["messages"] = append(file["messages"].([]any), map[string]any{
		"id": "msg_a4", "role": "assistant", "ts": 1783670500000,
		"metrics": map[string]any{"inputTokens": 23000, "outputTokens": 70, "cacheReadTokens": 22000, "cacheWriteTokens": 500},
	})
	out, err := json.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	writeNewer(t, path, out)
	want := attribution.Usage{Input: 500, Output: 70, CacheRead: 22000, CacheWrite: 500}
	if got := agenttest.ScanState(t, env, st, Source()); got.Total != want || got.Requests != 1 {
		t.Errorf("after the rewrite: %+v in %d, want %+v in 1", got.Total, got.Requests, want)
	}
}
