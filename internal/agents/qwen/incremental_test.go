package qwen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// TestIncremental grows the synthetic tree between scans sharing one
// scan.State: each scan reports only the new usage.
func TestIncremental(t *testing.T) {
	tree := agenttest.CopyTree(t, syntheticDir)
	env := agenttest.Env(t, map[string]string{"QWEN_DATA_DIR": tree})
	st := scan.NewState()
	step := func(name string, want attribution.Usage, requests int) agenttest.Summary {
		t.Helper()
		got := agenttest.ScanState(t, env, st, Source())
		if got.Total != want || got.Requests != requests || len(got.Problems) != 0 {
			t.Errorf("%s: new usage %+v in %d requests (problems %q), want %+v in %d", name, got.Total, got.Requests, got.Problems, want, requests)
		}
		return got
	}
	step("first scan", syntheticWant, 5)
	step("nothing changed", attribution.Usage{}, 0)

	chats := filepath.Join(tree, "projects", "-home-dev-api", "chats")
	session := filepath.Join(chats, synSession+".jsonl")
	lines := strings.Split(strings.TrimSpace(read(t, session)), "\n")
	rec := func(uuid, ts, usage string) string {
		return `{"uuid":"` + uuid + `","parentUuid":null,"sessionId":"` + synSession + `","timestamp":"` + ts +
			`","type":"assistant","cwd":"/home/dev/api","version":"0.21.13","model":"qwen3-coder-plus","message":{"role":"model","parts":[{"text":"x"}]},"usageMetadata":` + usage + `}`
	}
	telemetry := `{"uuid":"e1","sessionId":"` + synSession + `","timestamp":"2026-07-03T08:00:00.000Z","type":"system","subtype":"ui_telemetry","systemPayload":{"uiEvent":{"event.name":"qwen-code.api_response","input_token_count":1200,"output_token_count":80,"cached_content_token_count":1000,"thoughts_token_count":20,"total_token_count":1280}}}`
	a6 := rec("e2", "2026-07-03T08:00:00.001Z", `{"promptTokenCount":1200,"candidatesTokenCount":80,"thoughtsTokenCount":20,"totalTokenCount":1280,"cachedContentTokenCount":1000}`)
	a7 := rec("e3", "2026-07-03T08:00:09.000Z", `{"promptTokenCount":100,"candidatesTokenCount":5,"totalTokenCount":105}`)
	appendFile(t, session, telemetry+"\n"+a6+"\n"+a7[:50])
	// A second /branch of the session: copies only.
	var fork []string
	for _, l := range lines[:9] {
		fork = append(fork, strings.Replace(l, `"sessionId":"`+synSession+`"`, `"sessionId":"f-2","forkedFrom":{"sessionId":"`+synSession+`","messageUuid":"x"}`, 1))
	}
	if err := os.WriteFile(filepath.Join(chats, "f-2.jsonl"), []byte(strings.Join(fork, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// a6 (OpenAI-compatible): Input 200, CacheRead 1000, Output 80, Reasoning 20.
	step("appended, and a branch of copies", attribution.Usage{Input: 200, CacheRead: 1000, Output: 80, Reasoning: 20}, 1)

	appendFile(t, session, a7[50:]+"\n")
	step("the half record completed", attribution.Usage{Input: 100, Output: 5}, 1)

	// The branch file replaced by a shorter version of itself.
	branch := filepath.Join(chats, synBranch+".jsonl")
	short := strings.SplitAfter(read(t, branch), "\n")
	if err := os.WriteFile(branch+".new", []byte(strings.Join(short[:3], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(branch+".new", branch); err != nil {
		t.Fatal(err)
	}
	got := step("a file rewritten shorter", attribution.Usage{}, 0)
	if s := got.Stats[attribution.AgentQwenCode]; s.Rewrites != 1 {
		t.Errorf("rewrites = %d, want 1", s.Rewrites)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
