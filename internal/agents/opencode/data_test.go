package opencode

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

func TestTokensUsage(t *testing.T) {
	tests := []struct {
		name     string
		tokens   string
		provider string
		want     attribution.Usage
		err      bool
	}{
		{"anthropic, cache split", `{"input":5,"output":410,"reasoning":0,"cache":{"read":14620,"write":1200},"total":16235}`, "anthropic",
			attribution.Usage{Input: 5, Output: 410, CacheRead: 14620, CacheWrite: 1200}, false},
		{"AI SDK 6: reasoning beside output (total says so)", `{"input":3200,"output":250,"reasoning":640,"cache":{"read":9000,"write":0},"total":13090}`, "openai",
			attribution.Usage{Input: 3200, Output: 890, Reasoning: 640, CacheRead: 9000}, false},
		{"AI SDK 5: reasoning inside output (total says so)", `{"input":3200,"output":890,"reasoning":640,"cache":{"read":9000,"write":0},"total":13090}`, "openai",
			attribution.Usage{Input: 3200, Output: 890, Reasoning: 640, CacheRead: 9000}, false},
		{"no total, OpenAI: inside", `{"input":100,"output":50,"reasoning":30}`, "openai",
			attribution.Usage{Input: 100, Output: 50, Reasoning: 30}, false},
		{"no total, Google: beside", `{"input":100,"output":50,"reasoning":30}`, "google-vertex",
			attribution.Usage{Input: 100, Output: 80, Reasoning: 30}, false},
		{"reasoning above output: beside", `{"input":22,"output":77,"reasoning":78,"total":99}`, "openai",
			attribution.Usage{Input: 22, Output: 155, Reasoning: 78}, false},
		{"negative input clamped", `{"input":-4,"output":3,"cache":{"read":10}}`, "openrouter",
			attribution.Usage{Output: 3, CacheRead: 10}, false},
		{"null cache", `{"input":1,"output":2,"cache":null}`, "x", attribution.Usage{Input: 1, Output: 2}, false},
		{"fraction", `{"input":1.5,"output":2}`, "x", attribution.Usage{}, true},
		{"absurd", `{"input":1e30}`, "x", attribution.Usage{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tk tokens
			if err := json.Unmarshal([]byte(tt.tokens), &tk); err != nil {
				t.Fatal(err)
			}
			got, err := tk.usage(tt.provider)
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("usage = %+v, %v; want %+v, error %v", got, err, tt.want, tt.err)
			}
			if err != nil && !errors.Is(err, errShape) {
				t.Errorf("error %v is not errShape", err)
			}
			if err == nil && got.Validate() != nil {
				t.Errorf("invalid usage %+v", got)
			}
		})
	}
}

func TestParseMessage(t *testing.T) {
	tests := []struct {
		name string
		data string
		want messageInfo
		err  bool
	}{
		{"assistant", `{"id":"msg_1","sessionID":"ses_1","role":"assistant","providerID":"anthropic","modelID":"claude-sonnet-4-5","path":{"cwd":"/r/sub","root":"/r"},"time":{"created":1767312000000,"completed":1767312004000}}`,
			messageInfo{id: "msg_1", session: "ses_1", role: "assistant", model: "claude-sonnet-4-5", provider: "anthropic", cwd: "/r/sub",
				created: time.UnixMilli(1767312000000).UTC(), completed: time.UnixMilli(1767312004000).UTC()}, false},
		{"nested model, string path", `{"role":"assistant","model":{"providerID":"openai","modelID":"gpt-4o-mini"},"path":"/tmp/large","time":{"created":1730000102000}}`,
			messageInfo{role: "assistant", model: "gpt-4o-mini", provider: "openai", created: time.UnixMilli(1730000102000).UTC()}, false},
		{"odd fields ignored", `{"role":"assistant","modelID":7,"time":"yesterday","path":null}`, messageInfo{role: "assistant"}, false},
		{"implausible time", `{"role":"assistant","time":{"created":12}}`, messageInfo{role: "assistant"}, false},
		{"role of another type", `{"role":1,"modelID":"m","tokens":{"input":1}}`, messageInfo{model: "m"}, true},
		{"not JSON", `{"role":`, messageInfo{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseMessage([]byte(tt.data))
			got.tokens = nil
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("parseMessage = %+v, %v\nwant           %+v, error %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestParseStep(t *testing.T) {
	tests := []struct {
		data   string
		ok, er bool
	}{
		{`{"type":"step-finish","reason":"stop","tokens":{"input":1,"output":2}}`, true, false},
		{`{"type":"text","text":"step-finish"}`, false, false},
		{`{"type":"tool","state":{"input":{"x":1}},"tokens":"n/a"}`, false, false},
		{`{"type":"step-finish"}`, false, true},
		{`{"type":"step-finish","tokens":[1]}`, false, true},
		{`not json step-finish`, false, true},
	}
	for _, tt := range tests {
		_, ok, err := parseStep([]byte(tt.data))
		if ok != tt.ok || (err != nil) != tt.er {
			t.Errorf("parseStep(%s) = %v, %v", tt.data, ok, err)
		}
	}
}

func TestForkCopies(t *testing.T) {
	s := session{created: t0}
	for _, tt := range []struct {
		created time.Time
		copied  bool
	}{
		{t0.Add(time.Minute), false},
		{t0.Add(-500 * time.Millisecond), false}, // clock jitter
		{t0.Add(-time.Hour), true},
		{time.Time{}, false},
	} {
		if got := s.copied(tt.created); got != tt.copied {
			t.Errorf("copied(%v) = %v", tt.created, got)
		}
	}
	if (session{}).copied(t0) {
		t.Error("a session of unknown age copies")
	}
}
