package cline

import (
	"path/filepath"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// TestClineSideFiles: the model, provider and working directory of Cline
// requests without modelInfo come from task_metadata.json and
// state/taskHistory.json; the working directory falls back to older history
// fields and to the prompt's environment details.
func TestClineSideFiles(t *testing.T) {
	const t0 = int64(1760000000000)
	req := func(ts int64, info map[string]any) map[string]any { return msg(ts, sayAPIReqStarted, info) }
	counts := map[string]any{"tokensIn": 12000, "tokensOut": 50, "cacheReads": 10000, "cacheWrites": 0}
	tests := []struct {
		name       string
		history    string // state/taskHistory.json, "" for none
		metadata   string // task_metadata.json, "" for none
		messages   []map[string]any
		wantModels []string
		wantInput  []int64
		wantCwd    string
	}{
		{
			name:     "model_usage in force at each request, its provider decides tokensIn",
			history:  `[{"id":"T","cwdOnTaskInitialization":"/w/app","modelId":"from-history"}]`,
			metadata: `{"model_usage":[{"ts":1760000005000,"model_id":"gpt-4.1","model_provider_id":"openai","mode":"act"},{"ts":1759999999000,"model_id":"claude-sonnet-4","model_provider_id":"anthropic","mode":"plan"}]}`,
			messages: []map[string]any{req(t0+1000, counts), req(t0+6000, counts)},
			// claude-sonnet-4 via anthropic: 12000 uncached; gpt-4.1 via the
			// OpenAI-compatible provider: 12000-10000 = 2000.
			wantModels: []string{"claude-sonnet-4", "gpt-4.1"},
			wantInput:  []int64{12000, 2000},
			wantCwd:    "/w/app",
		},
		{
			name:       "a request logged before the first record takes the first",
			metadata:   `{"model_usage":[{"ts":1760000005000,"model_id":"gpt-4.1","model_provider_id":"litellm"}]}`,
			messages:   []map[string]any{req(t0+1000, counts)},
			wantModels: []string{"gpt-4.1"},
			wantInput:  []int64{2000},
		},
		{
			name:       "modelInfo wins; provider from modelInfo",
			metadata:   `{"model_usage":[{"ts":1,"model_id":"old","model_provider_id":"anthropic"}]}`,
			messages:   []map[string]any{withModel(req(t0, counts), "grok-4", "xai")},
			wantModels: []string{"grok-4"},
			wantInput:  []int64{2000},
		},
		{
			name:       "task history model and shadow worktree (Cline before 3.16)",
			history:    `[{"id":"other","cwdOnTaskInitialization":"/elsewhere"},{"id":"T","shadowGitConfigWorkTree":"/w/old","modelId":"claude-3-7-sonnet"}]`,
			messages:   []map[string]any{req(t0, counts)},
			wantModels: []string{"claude-3-7-sonnet"},
			wantInput:  []int64{12000},
			wantCwd:    "/w/old",
		},
		{
			name: "working directory from the prompt; odd model name",
			messages: []map[string]any{
				withModel(req(t0, map[string]any{"request": "<task>x</task>\n<environment_details>\n# Current Working Directory (/home/dev/proj) Files\nREADME.md", "tokensOut": 5}), "bad model!", ""),
			},
			wantModels: []string{"unknown"},
			wantInput:  []int64{0},
			wantCwd:    "/home/dev/proj",
		},
		{
			name:       "a relative or multi-root working directory is not one",
			history:    `[{"id":"T","cwdOnTaskInitialization":"app"}]`,
			messages:   []map[string]any{req(t0, map[string]any{"request": "# Current Working Directory (workspace: a, b) Files", "tokensOut": 5})},
			wantModels: []string{"unknown"},
			wantInput:  []int64{0},
		},
		{
			name: "legacy api_req_finished and subagent_usage count; keys differ",
			messages: []map[string]any{
				req(t0, map[string]any{"request": "..."}),
				msg(t0+1, sayAPIReqFinished, map[string]any{"tokensIn": 7, "tokensOut": 8}),
				msg(t0+2, saySubagentUsage, map[string]any{"source": "subagents", "tokensIn": 9, "tokensOut": 10, "cacheReads": 0, "cacheWrites": 0}),
			},
			wantModels: []string{"unknown", "unknown"},
			wantInput:  []int64{7, 9},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storage := filepath.Join(t.TempDir(), "globalStorage", clineExtension)
			task := filepath.Join(storage, "tasks", "T")
			if tt.history != "" {
				write(t, filepath.Join(storage, "state", clineTaskHistory), tt.history)
			}
			if tt.metadata != "" {
				write(t, filepath.Join(task, taskMetadataFile), tt.metadata)
			}
			path := filepath.Join(task, uiMessagesFile)
			write(t, path, string(doc(tt.messages...)))
			events, _, err := readEvents(t, Source(), path)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != len(tt.wantModels) {
				t.Fatalf("%d events, want %d: %+v", len(events), len(tt.wantModels), events)
			}
			keys := map[string]bool{}
			for i, e := range events {
				if e.Model != tt.wantModels[i] || e.Usage.Input != tt.wantInput[i] || e.Cwd != tt.wantCwd {
					t.Errorf("event %d: model %q input %d cwd %q, want %q %d %q", i, e.Model, e.Usage.Input, e.Cwd, tt.wantModels[i], tt.wantInput[i], tt.wantCwd)
				}
				if keys[e.Key] {
					t.Errorf("key %q twice", e.Key)
				}
				keys[e.Key] = true
			}
		})
	}
}

func withModel(m map[string]any, model, provider string) map[string]any {
	m["modelInfo"] = map[string]any{"modelId": model, "providerId": provider, "mode": "act"}
	return m
}

// TestRooSideFiles: Roo's working directory from history_item.json, else
// from the environment details of api_conversation_history.json or of an old
// request text; models from the <model> tags.
func TestRooSideFiles(t *testing.T) {
	const t0 = int64(1770000000000)
	req := msg(t0, sayAPIReqStarted, map[string]any{"apiProtocol": "anthropic", "tokensIn": 100, "tokensOut": 1})
	oldReq := msg(t0, sayAPIReqStarted, map[string]any{"request": "<environment_details>\n# Current Working Directory (C:/Users/me/app) Files\n", "tokensIn": 100, "tokensOut": 1})
	history := `[{"role":"user","ts":1770000000400,"content":"<environment_details>\n<model>gpt-5</model>\n# Current Workspace Directory (/w/from-api) Files\n</environment_details>"}]`
	tests := []struct {
		name, item, api string
		msgs            []map[string]any
		wantCwd         string
		wantModel       string
	}{
		{"history_item workspace wins", `{"id":"T","workspace":"/w/item"}`, history, []map[string]any{req}, "/w/item", "gpt-5"},
		{"api history environment details", ``, history, []map[string]any{req}, "/w/from-api", "gpt-5"},
		{"old request text, Windows path", ``, ``, []map[string]any{oldReq}, "C:/Users/me/app", "unknown"},
		{"api history turns without ts give no model", ``, `[{"role":"user","content":"<model>gpt-5</model>"}]`, []map[string]any{req}, "", "unknown"},
		{"assistant turns are not read", ``, `[{"role":"assistant","ts":1770000000400,"content":"<model>gpt-5</model>"}]`, []map[string]any{req}, "", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task := filepath.Join(t.TempDir(), "tasks", "T")
			if tt.item != "" {
				write(t, filepath.Join(task, historyItemFile), tt.item)
			}
			if tt.api != "" {
				write(t, filepath.Join(task, apiHistoryFile), tt.api)
			}
			path := filepath.Join(task, uiMessagesFile)
			write(t, path, string(doc(tt.msgs...)))
			events, _, err := readEvents(t, RooSource(), path)
			if err != nil || len(events) != 1 {
				t.Fatalf("%v: %+v", err, events)
			}
			if e := events[0]; e.Cwd != tt.wantCwd || e.Model != tt.wantModel || e.Agent != attribution.AgentRooCode {
				t.Errorf("event %+v, want cwd %q model %q", e, tt.wantCwd, tt.wantModel)
			}
		})
	}
}

// TestDeletedSums: the sums of requests removed by a checkpoint restore
// count only on a first read of the file (see the package documentation).
func TestDeletedSums(t *testing.T) {
	for _, tt := range []struct {
		f   *flavor
		say string
	}{{clineFlavor(), sayDeletedAPIReqs}, {rooFlavor(), sayAPIReqDeleted}, {kiloFlavor(), sayAPIReqDeleted}} {
		data := doc(msg(1770000000000, tt.say, map[string]any{"tokensIn": 40, "tokensOut": 3, "cacheReads": 30, "cacheWrites": 0, "cost": 0.1}))
		for _, first := range []bool{true, false} {
			var events []attribution.Event
			if err := tt.f.parse(data, task{id: "T", first: first}, func(e attribution.Event) { events = append(events, e) }); err != nil {
				t.Fatal(err)
			}
			if first != (len(events) == 1) {
				t.Errorf("%s %s, first read %v: %d events", tt.f.agent, tt.say, first, len(events))
			}
			if len(events) == 1 && events[0].Key != "T:1770000000000:deleted" {
				t.Errorf("key %q", events[0].Key)
			}
		}
	}
}
