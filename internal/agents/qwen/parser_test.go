package qwen

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

func TestCountsUsage(t *testing.T) {
	tests := []struct {
		name string
		c    counts
		want attribution.Usage
	}{
		{"cached inside the prompt (splitrail 0.18.1)",
			counts{Input: 600, Output: 5, Cached: 50, Total: 605, HasTotal: true},
			attribution.Usage{Input: 550, CacheRead: 50, Output: 5}},
		{"OpenAI-compatible: thoughts inside candidates",
			counts{Input: 1000, Output: 200, Cached: 600, Thoughts: 50, Total: 1200, HasTotal: true},
			attribution.Usage{Input: 400, CacheRead: 600, Output: 200, Reasoning: 50}},
		{"Gemini: thoughts apart",
			counts{Input: 500, Output: 40, Thoughts: 60, Total: 600, HasTotal: true},
			attribution.Usage{Input: 500, Output: 100, Reasoning: 60}},
		{"no total: Gemini semantics",
			counts{Input: 300, Output: 10, Thoughts: 5},
			attribution.Usage{Input: 300, Output: 15, Reasoning: 5}},
		{"tool-use prompt is input",
			counts{Input: 100, Output: 10, Tool: 7, Total: 117, HasTotal: true},
			attribution.Usage{Input: 107, Output: 10}},
		{"prompt without the cached tokens",
			counts{Input: 100, Output: 10, Cached: 900, Total: 1010, HasTotal: true},
			attribution.Usage{Input: 100, CacheRead: 900, Output: 10}},
		{"thoughts above candidates cannot be inside them",
			counts{Input: 100, Output: 10, Thoughts: 20, Total: 110, HasTotal: true},
			attribution.Usage{Input: 100, Output: 30, Reasoning: 20}},
		{"empty", counts{}, attribution.Usage{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.Usage()
			if err != nil || got != tt.want {
				t.Errorf("usage() = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	for _, c := range []counts{{Input: -1}, {Total: attribution.MaxTokensPerEvent + 1}, {Input: attribution.MaxTokensPerEvent, Tool: 1}} {
		if _, err := c.Usage(); !errors.Is(err, errBadNumbers) {
			t.Errorf("usage(%+v) error = %v", c, err)
		}
	}
}

const assistant = `{"uuid":"u-1","parentUuid":"u-0","sessionId":"s-1","timestamp":"2026-06-15T14:40:22.909Z","type":"assistant","cwd":"/home/me/app","version":"0.18.1","model":"coder-model","message":{"role":"model","parts":[{"text":"ok"}]},"usageMetadata":{"promptTokenCount":500,"candidatesTokenCount":20,"thoughtsTokenCount":0,"totalTokenCount":520,"cachedContentTokenCount":100}}`

func TestLine(t *testing.T) {
	at := time.Date(2026, 6, 15, 14, 40, 22, 909e6, time.UTC)
	base := attribution.Event{Agent: attribution.AgentQwenCode, Session: attribution.HashSession(attribution.AgentQwenCode, "s-1"),
		Key: "u-1", Model: "coder-model", Time: at, Cwd: "/home/me/app", Usage: attribution.Usage{Input: 400, CacheRead: 100, Output: 20}}
	with := func(f func(*attribution.Event)) *attribution.Event { e := base; f(&e); return &e }
	r := strings.Replace
	tests := []struct {
		name    string
		path    string // "" for a chats transcript
		line    string
		want    *attribution.Event
		wantErr string
	}{
		{"assistant record", "", assistant, &base, ""},
		{"ui_telemetry copy", "", `{"uuid":"t","sessionId":"s-1","timestamp":"2026-06-15T14:40:22.908Z","type":"system","subtype":"ui_telemetry","systemPayload":{"uiEvent":{"event.name":"qwen-code.api_response","input_token_count":500,"output_token_count":20}}}`, nil, ""},
		{"usage on another type", "", r(assistant, `"type":"assistant"`, `"type":"system"`, 1), nil, ""},
		{"no usageMetadata", "", `{"uuid":"u","type":"assistant","timestamp":"2026-06-15T14:40:22Z","message":{}}`, nil, ""},
		{"usageMetadata null", "", r(assistant, `"usageMetadata":{"promptTokenCount":500,"candidatesTokenCount":20,"thoughtsTokenCount":0,"totalTokenCount":520,"cachedContentTokenCount":100}`, `"usageMetadata":null`, 1), nil, ""},
		{"empty usageMetadata and trimmed fields", "", `{"uuid":"[trimmed for fixture]","timestamp":"[trimmed for fixture]","type":"assistant","usageMetadata":{},"contextWindowSize":0}`, nil, ""},
		{"/branch copy: the origin's session", "", r(assistant, `"sessionId":"s-1"`, `"sessionId":"s-2","forkedFrom":{"sessionId":"s-1","messageUuid":"u-1"}`, 1), &base, ""},
		{"no sessionId: the file's", "", r(assistant, `"sessionId":"s-1",`, "", 1),
			with(func(e *attribution.Event) {
				e.Session = attribution.HashSession(attribution.AgentQwenCode, "sess-file")
			}), ""},
		{"no uuid: session and time", "", r(assistant, `"uuid":"u-1",`, "", 1),
			with(func(e *attribution.Event) { e.Key = "s-1/2026-06-15T14:40:22.909Z" }), ""},
		{"subagent record: the sidecar's model", "sub", r(assistant, `"model":"coder-model",`, `"agentId":"explore-1","isSidechain":true,`, 1),
			with(func(e *attribution.Event) { e.Model = "qwen3-coder-flash" }), ""},
		{"no model anywhere", "", r(assistant, `"model":"coder-model",`, "", 1), with(func(e *attribution.Event) { e.Model = "unknown" }), ""},
		{"odd model name", "", r(assistant, `"coder-model"`, `"coder model\n"`, 1), with(func(e *attribution.Event) { e.Model = "unknown" }), ""},
		{"relative cwd", "", r(assistant, `"/home/me/app"`, `"[trimmed for fixture]"`, 1), with(func(e *attribution.Event) { e.Cwd = "" }), ""},
		{"Windows cwd", "", r(assistant, `"/home/me/app"`, `"C:\\Users\\me\\app"`, 1), with(func(e *attribution.Event) { e.Cwd = `C:\Users\me\app` }), ""},
		{"malformed JSON", "", assistant[:len(assistant)-2], nil, "malformed JSON"},
		{"usageMetadata of the wrong type", "", r(assistant, `"usageMetadata":{`, `"usageMetadata":[],"x":{`, 1), nil, "wrong type"},
		{"count as a string", "", r(assistant, `"promptTokenCount":500`, `"promptTokenCount":"500"`, 1), nil, "bad token count"},
		{"negative count", "", r(assistant, `"promptTokenCount":500`, `"promptTokenCount":-500`, 1), nil, "bad token count"},
		{"bad timestamp", "", r(assistant, `2026-06-15T14:40:22.909Z`, `[trimmed for fixture]`, 1), nil, "timestamp"},
		{"no timestamp", "", r(assistant, `"timestamp":"2026-06-15T14:40:22.909Z",`, "", 1), nil, "timestamp"},
		{"uuid of the wrong type", "", r(assistant, `"uuid":"u-1"`, `"uuid":1`, 1), nil, "wrong type"},
		{"type of the wrong type", "", r(assistant, `"type":"assistant"`, `"type":{}`, 1), nil, "wrong type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/q/projects/-home-me-app/chats/sess-file.jsonl"
			if tt.path == "sub" {
				path = writeSubagent(t, "sess-file", "agent-explore-1", `{"agentId":"explore-1","model":"qwen3-coder-flash"}`)
			}
			p := newParser(path)
			var got []attribution.Event
			err := p.Line([]byte(tt.line), func(e attribution.Event) { got = append(got, e) })
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
			switch {
			case tt.want == nil && len(got) != 0:
				t.Errorf("events = %+v, want none", got)
			case tt.want != nil && (len(got) != 1 || got[0] != *tt.want):
				t.Errorf("events = %+v\nwant %+v", got, *tt.want)
			}
		})
	}
}

// TestState: the parser has no state; the same line gives the same event.
func TestState(t *testing.T) {
	p := newParser("/q/projects/p/chats/s.jsonl")
	if s, err := p.State(); s != nil || err != nil {
		t.Errorf("State = %q, %v", s, err)
	}
	var a, b []attribution.Event
	_ = p.Line([]byte(assistant), func(e attribution.Event) { a = append(a, e) })
	_ = newParser("/q/projects/p/chats/s.jsonl").Line([]byte(assistant), func(e attribution.Event) { b = append(b, e) })
	if len(a) != 1 || len(b) != 1 || a[0] != b[0] {
		t.Errorf("%+v vs %+v", a, b)
	}
}
