package gemini

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
		c    Counts
		want attribution.Usage
	}{
		{"cached inside input (jsonl_v040 g-assistant-2)",
			Counts{Input: 12069, Output: 147, Cached: 11502, Total: 12216, HasTotal: true},
			attribution.Usage{Input: 567, CacheRead: 11502, Output: 147}},
		{"thoughts and tool-use prompt",
			Counts{Input: 3000, Output: 200, Cached: 1800, Thoughts: 50, Tool: 10, Total: 3260, HasTotal: true},
			attribution.Usage{Input: 1210, CacheRead: 1800, Output: 250, Reasoning: 50}},
		{"no total: documented semantics",
			Counts{Input: 100, Output: 5, Cached: 30, Thoughts: 2},
			attribution.Usage{Input: 70, CacheRead: 30, Output: 7, Reasoning: 2}},
		{"inconsistent total: documented semantics",
			Counts{Input: 100, Output: 5, Cached: 30, Total: 999, HasTotal: true},
			attribution.Usage{Input: 70, CacheRead: 30, Output: 5}},
		{"total without the cache: input excludes cached",
			Counts{Input: 100, Output: 10, Cached: 900, Total: 1010, HasTotal: true},
			attribution.Usage{Input: 100, CacheRead: 900, Output: 10}},
		{"total without thoughts: thoughts inside output",
			Counts{Input: 100, Output: 50, Thoughts: 20, Total: 150, HasTotal: true},
			attribution.Usage{Input: 100, Output: 50, Reasoning: 20}},
		{"cached equal to thoughts: the standard reading wins",
			Counts{Input: 100, Output: 50, Cached: 20, Thoughts: 20, Total: 170, HasTotal: true},
			attribution.Usage{Input: 80, CacheRead: 20, Output: 70, Reasoning: 20}},
		{"cached above input is clamped",
			Counts{Input: 10, Output: 1, Cached: 20, Total: 11, HasTotal: true},
			attribution.Usage{CacheRead: 20, Output: 1}},
		{"nothing", Counts{HasTotal: true}, attribution.Usage{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.Usage()
			if err != nil || got != tt.want {
				t.Errorf("usage() = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	for _, c := range []Counts{{Input: -1}, {Output: attribution.MaxTokensPerEvent + 1}, {Input: attribution.MaxTokensPerEvent, Tool: attribution.MaxTokensPerEvent}} {
		if _, err := c.Usage(); !errors.Is(err, errBadNumbers) {
			t.Errorf("usage(%+v) error = %v", c, err)
		}
	}
}

const (
	metaLine = `{"sessionId":"s-1","projectHash":"00","startTime":"2026-05-01T09:00:00.000Z","lastUpdated":"2026-05-01T09:00:00.000Z","kind":"main"}`
	msgLine  = `{"id":"m-1","timestamp":"2026-05-01T09:00:05.250Z","type":"gemini","content":"hi","tokens":{"input":100,"output":7,"cached":40,"thoughts":3,"tool":0,"total":110},"model":"gemini-2.5-pro"}`
)

func TestLines(t *testing.T) {
	at := time.Date(2026, 5, 1, 9, 0, 5, 250e6, time.UTC)
	usage := attribution.Usage{Input: 60, CacheRead: 40, Output: 10, Reasoning: 3}
	event := func(key, model string, tm time.Time, u attribution.Usage) attribution.Event {
		return attribution.Event{Agent: attribution.AgentGeminiCLI, Session: attribution.HashSession(attribution.AgentGeminiCLI, "s-1"),
			Key: key, Model: model, Time: tm, Usage: u}
	}
	tests := []struct {
		name    string
		lines   []string
		want    []attribution.Event
		wantErr string // in the last line's error
	}{
		{"metadata then message", []string{metaLine, msgLine}, []attribution.Event{event("s-1/m-1", "gemini-2.5-pro", at, usage)}, ""},
		{"without metadata the file name is the session", []string{msgLine}, []attribution.Event{{
			Agent: attribution.AgentGeminiCLI, Session: attribution.HashSession(attribution.AgentGeminiCLI, "session-x"),
			Key: "session-x/m-1", Model: "gemini-2.5-pro", Time: at, Usage: usage}}, ""},
		{"tokens not arrived yet", []string{metaLine, strings.Replace(msgLine, `"tokens":{"input":100,"output":7,"cached":40,"thoughts":3,"tool":0,"total":110}`, `"tokens":null`, 1)}, nil, ""},
		{"no tokens field", []string{metaLine, `{"id":"m-2","timestamp":"2026-05-01T09:00:05Z","type":"gemini","content":"","toolCalls":[{"id":"c","name":"ls","args":{}}]}`}, nil, ""},
		{"user message", []string{metaLine, strings.Replace(msgLine, `"type":"gemini"`, `"type":"user"`, 1)}, nil, ""},
		{"all-zero tokens", []string{metaLine, `{"id":"m","timestamp":"2026-05-01T09:00:05Z","type":"gemini","tokens":{"input":0,"output":0,"cached":0,"total":0}}`}, nil, ""},
		{"rewind and metadata update", []string{metaLine, `{"$rewindTo":"m-1"}`, `{"$set":{"lastUpdated":"2026-05-01T09:01:00.000Z","summary":"x"}}`}, nil, ""},
		{"checkpoint: every message of $set.messages",
			[]string{metaLine, `{"$set":{"messages":[{"id":"u","type":"user","timestamp":"2026-05-01T09:00:00Z","content":"q"},` + msgLine + `,{"id":"m-3","timestamp":"2026-05-01T09:00:05.250Z","type":"gemini","tokens":{"input":5,"output":1,"total":6},"model":"gemini-2.5-flash"}]}}`},
			[]attribution.Event{event("s-1/m-1", "gemini-2.5-pro", at, usage), event("s-1/m-3", "gemini-2.5-flash", at, attribution.Usage{Input: 5, Output: 1})}, ""},
		{"legacy record on one line", []string{`{"sessionId":"s-1","projectHash":"00","startTime":"2026-05-01T09:00:00.000Z","messages":[` + msgLine + `]}`},
			[]attribution.Event{event("s-1/m-1", "gemini-2.5-pro", at, usage)}, ""},
		{"a later sessionId does not change keys", []string{metaLine, `{"$set":{"sessionId":"s-2"}}`, msgLine},
			[]attribution.Event{event("s-1/m-1", "gemini-2.5-pro", at, usage)}, ""},
		{"no timestamp: the session start", []string{metaLine, strings.Replace(msgLine, `"timestamp":"2026-05-01T09:00:05.250Z",`, "", 1)},
			[]attribution.Event{event("s-1/m-1", "gemini-2.5-pro", time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), usage)}, ""},
		{"no model: the last one named", []string{metaLine, msgLine, strings.NewReplacer(`"id":"m-1"`, `"id":"m-9"`, `,"model":"gemini-2.5-pro"`, "").Replace(msgLine)},
			[]attribution.Event{event("s-1/m-1", "gemini-2.5-pro", at, usage), event("s-1/m-9", "gemini-2.5-pro", at, usage)}, ""},
		{"no model at all", []string{metaLine, strings.Replace(msgLine, `,"model":"gemini-2.5-pro"`, "", 1)},
			[]attribution.Event{event("s-1/m-1", "unknown", at, usage)}, ""},
		{"odd model name", []string{metaLine, strings.Replace(msgLine, `"gemini-2.5-pro"`, `"<b>pro</b>"`, 1)},
			[]attribution.Event{event("s-1/m-1", "unknown", at, usage)}, ""},
		{"escaped id", []string{metaLine, strings.Replace(msgLine, `"m-1"`, `"m\u002d1"`, 1)},
			[]attribution.Event{event("s-1/m-1", "gemini-2.5-pro", at, usage)}, ""},
		{"malformed JSON", []string{metaLine, msgLine[:len(msgLine)-20]}, nil, "malformed JSON"},
		{"tokens of the wrong type", []string{metaLine, strings.Replace(msgLine, `{"input":100,"output":7,"cached":40,"thoughts":3,"tool":0,"total":110}`, `"many"`, 1)}, nil, "wrong type"},
		{"count as a string", []string{metaLine, strings.Replace(msgLine, `"input":100`, `"input":"100"`, 1)}, nil, "bad token count"},
		{"fractional count", []string{metaLine, strings.Replace(msgLine, `"input":100`, `"input":100.5`, 1)}, nil, "bad token count"},
		{"negative count", []string{metaLine, strings.Replace(msgLine, `"input":100`, `"input":-100`, 1)}, nil, "bad token count"},
		{"no id", []string{metaLine, strings.Replace(msgLine, `"id":"m-1",`, "", 1)}, nil, "no id"},
		{"bad timestamp", []string{metaLine, strings.Replace(msgLine, `2026-05-01T09:00:05.250Z`, `yesterday`, 1)}, nil, "timestamp"},
		{"no timestamp and no start", []string{strings.Replace(msgLine, `"timestamp":"2026-05-01T09:00:05.250Z",`, "", 1)}, nil, "timestamp"},
		{"sessionId of the wrong type", []string{`{"sessionId":7,"projectHash":"00"}`}, nil, "wrong type"},
		{"a bad message in a checkpoint spares the others",
			[]string{metaLine, `{"$set":{"messages":[` + msgLine + `,{"id":"m-4","type":"gemini","tokens":{"input":"x"}}]}}`},
			[]attribution.Event{event("s-1/m-1", "gemini-2.5-pro", at, usage)}, "1 of 2 messages unusable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := newParser(newProjects(), "/x/.gemini/tmp/p/chats/session-x.jsonl", nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []attribution.Event
			var last error
			for _, l := range tt.lines {
				last = p.Line([]byte(l), func(e attribution.Event) { got = append(got, e) })
			}
			if tt.wantErr == "" && last != nil || tt.wantErr != "" && (last == nil || !strings.Contains(last.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want %q", last, tt.wantErr)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("events = %+v\nwant %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("event %d = %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestState: a parser resumed from State keys and times events like one
// that read the file from the top.
func TestState(t *testing.T) {
	p, _ := newParser(newProjects(), "/t/p/chats/session-x.jsonl", nil)
	if s, _ := p.State(); s != nil {
		t.Errorf("empty state = %s", s)
	}
	if err := p.Line([]byte(metaLine), func(attribution.Event) {}); err != nil {
		t.Fatal(err)
	}
	if err := p.Line([]byte(msgLine), func(attribution.Event) {}); err != nil {
		t.Fatal(err)
	}
	saved, err := p.State()
	if err != nil || !strings.Contains(string(saved), `"s":"s-1"`) {
		t.Fatalf("state = %s, %v", saved, err)
	}
	q, err := newParser(newProjects(), "/t/p/chats/session-x.jsonl", saved)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.NewReplacer(`"id":"m-1"`, `"id":"m-2"`, `"timestamp":"2026-05-01T09:00:05.250Z",`, "", `,"model":"gemini-2.5-pro"`, "").Replace(msgLine)
	var got []attribution.Event
	if err := q.Line([]byte(line), func(e attribution.Event) { got = append(got, e) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Key != "s-1/m-2" || got[0].Model != "gemini-2.5-pro" || !got[0].Time.Equal(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("resumed event = %+v", got)
	}
	if _, err := newParser(newProjects(), "x", []byte("{")); err == nil {
		t.Error("bad state accepted")
	}
}

func TestDocument(t *testing.T) {
	doc := `{"sessionId":"s-1","projectHash":"00","startTime":"2026-05-01T09:00:00.000Z","messages":[` + msgLine + `]}`
	tests := []struct {
		name, data string
		events     int
		wantErr    string
	}{
		{"document", doc, 1, ""},
		{"no messages yet", `{"sessionId":"s-1","projectHash":"00","messages":[]}`, 0, ""},
		{"messages null", `{"sessionId":"s-1","messages":null}`, 0, ""},
		{"other schema", `{"history":[{"role":"user"}],"meta":{"model":"x"}}`, 0, "not a Gemini CLI conversation"},
		{"an array (logs.json)", `[{"sessionId":"s"}]`, 0, "not a Gemini CLI conversation"},
		{"truncated", doc[:len(doc)/2], 0, "malformed JSON"},
		{"messages not an array", `{"sessionId":"s-1","messages":{}}`, 0, "messages"},
		{"sessionId of the wrong type", `{"sessionId":1,"messages":[]}`, 0, "malformed JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			err := parseDocument(newProjects(), "/t/p/chats/session-x.json", []byte(tt.data), func(attribution.Event) { n++ })
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
			if n != tt.events {
				t.Errorf("%d events, want %d", n, tt.events)
			}
		})
	}
}
