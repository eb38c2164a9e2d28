package qwen

import (
	"bytes"
	"os"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// FuzzLine checks that no line makes the parser panic, that a line yields
// at most one event and none with an error, that every event is one a note
// can hold, and that the parser keeps no state between lines.
func FuzzLine(f *testing.F) {
	f.Add([]byte(assistant))
	f.Add([]byte(`{"type":"assistant","uuid":"u","timestamp":"2026-01-01T00:00:00Z","usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":3,"thoughtsTokenCount":2,"cachedContentTokenCount":20,"totalTokenCount":12},"forkedFrom":{"sessionId":"s"}}`))
	for _, name := range []string{"samples/projects/-tmp-qwentest/chats/69f0814a-8bfc-4c8e-93d3-05757f17b96f.jsonl",
		"samples/projects/-tmp-as-qwen-fixture-project/chats/system_telemetry.jsonl"} {
		if data, err := os.ReadFile(samples + "/" + name); err == nil {
			for _, l := range bytes.Split(data, []byte("\n")) {
				f.Add(l)
			}
		}
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		p := newParser("/q/projects/p/chats/s.jsonl")
		var events []attribution.Event
		err := p.Line(line, func(e attribution.Event) { events = append(events, e) })
		if len(events) > 1 || err != nil && len(events) > 0 {
			t.Fatalf("err = %v with %d events", err, len(events))
		}
		for _, e := range events {
			switch {
			case e.Usage.Validate() != nil || e.Usage.IsZero():
				t.Fatalf("usage %+v", e.Usage)
			case e.Agent != attribution.AgentQwenCode || e.Session == "" || e.Key == "":
				t.Fatalf("event %+v", e)
			case !attribution.ValidName(e.Model):
				t.Fatalf("model %q cannot go into a note", e.Model)
			case e.Time.IsZero():
				t.Fatalf("no time")
			case e.Cwd != "" && !tail.IsAbsAnyOS(e.Cwd):
				t.Fatalf("cwd %q", e.Cwd)
			}
		}
		var again []attribution.Event
		err2 := p.Line(line, func(e attribution.Event) { again = append(again, e) })
		if (err == nil) != (err2 == nil) || len(again) != len(events) || len(events) == 1 && again[0] != events[0] {
			t.Fatalf("second parse differs: %v %+v vs %v %+v", err, events, err2, again)
		}
	})
}
