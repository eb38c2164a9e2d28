package copilot

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// TestEventLines covers single records of the event log: which emit, which
// fail (counted as skipped by the scanner), which are ignored.
func TestEventLines(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		output int64 // output of the one event expected; 0 for none
		key    string
		model  string
		err    error // nil, or a cause the error must wrap
	}{
		{"message", `{"type":"assistant.message","data":{"messageId":"m","model":"gpt-5","outputTokens":12},"id":"e4","timestamp":"2026-03-26T17:50:36.000Z"}`,
			12, "S/e4", "gpt-5", nil},
		{"no record id: message id", `{"type":"assistant.message","data":{"messageId":"m7","outputTokens":"3"},"timestamp":"2026-03-26T17:50:36Z"}`,
			3, "S/m:m7", "m0", nil},
		{"no ids: line number", `{"type":"assistant.message","data":{"outputTokens":3},"timestamp":"2026-03-26T17:50:36Z"}`,
			3, "S/L1", "m0", nil},
		{"zero output", `{"type":"assistant.message","data":{"outputTokens":0},"id":"e1","timestamp":"2026-03-26T17:50:36Z"}`, 0, "", "", nil},
		{"no output field: estimated from the text", `{"type":"assistant.message","data":{"content":"hi"},"id":"e1","timestamp":"2026-03-26T17:50:36Z"}`, 1, "S/e1", "m0", nil},
		{"no output field and nothing said", `{"type":"assistant.message","data":{"content":"","toolRequests":[]},"id":"e1","timestamp":"2026-03-26T17:50:36Z"}`, 0, "", "", nil},
		{"odd model name", `{"type":"assistant.message","data":{"model":"<b>x</b>","outputTokens":1},"id":"e1","timestamp":"2026-03-26T17:50:36Z"}`,
			1, "S/e1", "unknown", nil},
		{"negative output", `{"type":"assistant.message","data":{"outputTokens":-4},"id":"e1","timestamp":"2026-03-26T17:50:36Z"}`, 0, "", "", errBadCount},
		{"fractional output", `{"type":"assistant.message","data":{"outputTokens":1.5},"id":"e1","timestamp":"2026-03-26T17:50:36Z"}`, 0, "", "", errBadCount},
		{"no time", `{"type":"assistant.message","data":{"outputTokens":4},"id":"e1","timestamp":"[trimmed]"}`, 0, "", "", errNoTime},
		{"truncated usage line", `{"type":"assistant.message","data":{"outputTokens":4`, 0, "", "", errBadLine},
		{"data of another type", `{"type":"session.shutdown","data":[1],"id":"e1","timestamp":"2026-03-26T17:50:36Z"}`, 0, "", "", errBadLine},
		{"truncated other line", `{"type":"tool.execution_complete","data":{`, 0, "", "", nil},
		{"tool line mentioning a message type", `{"type":"tool.execution_complete","data":{"result":"assistant.message outputTokens"},"id":"e1"}`, 0, "", "", nil},
		{"not JSON", `garbage`, 0, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := newEventsParser("/nowhere/session-state/S/events.jsonl", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			p.st.Model = "m0"
			var evs []attribution.Event
			err = p.Line([]byte(tt.line), func(e attribution.Event) { evs = append(evs, e) })
			switch {
			case tt.err == nil && err != nil:
				t.Fatalf("error %v", err)
			case tt.err != nil && !errors.Is(err, tt.err):
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if tt.output == 0 {
				if len(evs) != 0 {
					t.Errorf("events %+v", evs)
				}
				return
			}
			if len(evs) != 1 || evs[0].Usage != (attribution.Usage{Output: tt.output}) || evs[0].Key != tt.key || evs[0].Model != tt.model || !evs[0].LowerBound {
				t.Errorf("events %+v, want output %d key %s model %s", evs, tt.output, tt.key, tt.model)
			}
		})
	}
}

// TestEventContext covers the records that set the session, model and
// working directory, and the state that carries them to the next read.
func TestEventContext(t *testing.T) {
	lines := []string{
		`{"type":"session.start","data":{"sessionId":"real-id","selectedModel":"auto","context":{"cwd":"[trimmed]","gitRoot":"C:\\src\\app"}},"id":"e1","timestamp":"2026-01-01T00:00:00Z"}`,
		`{"type":"session.auto_mode_resolved","data":{"chosenModel":"gpt-5-mini"},"id":"e2","timestamp":"2026-01-01T00:00:01Z"}`,
		`{"type":"assistant.message","data":{"outputTokens":1},"id":"e3","timestamp":"2026-01-01T00:00:02Z"}`,
		`{"type":"session.resume","data":{"context":{"cwd":"/srv/app"}},"id":"e4","timestamp":"2026-01-01T01:00:00Z"}`,
		`{"type":"session.model_change","data":{"newModel":"claude-haiku-4.5"},"id":"e5","timestamp":"2026-01-01T01:00:01Z"}`,
		`{"type":"assistant.message","data":{"outputTokens":2},"id":"e6","timestamp":"not a time"}`,
		`{"type":"assistant.turn_start","data":{"model":"gpt-5"},"id":"e7","timestamp":"2026-01-01T01:00:03Z"}`,
		`{"type":"assistant.message","data":{"outputTokens":3},"id":"e8","timestamp":"2026-01-01T01:00:04Z"}`,
	}
	type want struct{ model, cwd, at string }
	wants := []want{
		{"gpt-5-mini", `C:\src\app`, "2026-01-01T00:00:02Z"},
		{"claude-haiku-4.5", "/srv/app", "2026-01-01T01:00:01Z"}, // no time: the last one seen
		{"gpt-5", "/srv/app", "2026-01-01T01:00:04Z"},
	}
	// Read the lines one parser per line, through State, as separate scans do.
	var state []byte
	var evs []attribution.Event
	for _, l := range lines {
		p, err := newEventsParser("/nowhere/session-state/dir-name/events.jsonl", state, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Line([]byte(l), func(e attribution.Event) { evs = append(evs, e) }); err != nil {
			t.Fatal(err)
		}
		if state, err = p.State(); err != nil {
			t.Fatal(err)
		}
	}
	if len(evs) != len(wants) {
		t.Fatalf("%d events", len(evs))
	}
	for i, w := range wants {
		e := evs[i]
		if e.Model != w.model || e.Cwd != w.cwd || e.Time.Format("2006-01-02T15:04:05Z") != w.at ||
			e.Session != attribution.HashSession(attribution.AgentCopilotCLI, "real-id") || !strings.HasPrefix(e.Key, "real-id/") {
			t.Errorf("event %d = %+v, want %+v", i, e, w)
		}
	}
	if _, err := newEventsParser("/x/events.jsonl", []byte("{"), nil); err == nil {
		t.Error("bad state accepted")
	}
}

// A message logged without outputTokens gets an estimate from its text and
// tool requests, marked Estimated (and LowerBound: reasoning is not logged).
// "Hello, world!" is 4 tokens in both o200k_base and cl100k_base ("Hello",
// ",", " world", "!"); the tool request JSON below is counted as logged.
func TestEstimatedOutput(t *testing.T) {
	line := `{"type":"assistant.message","data":{"model":"gpt-5","content":"Hello, world!"},"id":"e9","timestamp":"2026-03-26T17:50:36Z"}`
	p, err := newEventsParser("/nowhere/session-state/S/events.jsonl", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var evs []attribution.Event
	if err := p.Line([]byte(line), func(e attribution.Event) { evs = append(evs, e) }); err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Usage.Output != 4 || !evs[0].Estimated || !evs[0].LowerBound {
		t.Fatalf("events %+v, want one estimated event of 4 output tokens", evs)
	}
	if n := estimateOutput("gpt-5", "", json.RawMessage(`[{"name":"shell"}]`)); n == 0 {
		t.Fatal("tool requests alone must be estimated")
	}
}
