package claudecode

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// FuzzParseLine checks that no line makes the parser panic, that a line
// yields at most one event and no event with an error, and that every event
// is one a note can hold.
func FuzzParseLine(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte(progress))
	f.Add([]byte(`{"type":"assistant","message":{"model":"m","usage":{"input_tokens":1,"output_tokens":2,"speed":"fast"}},"timestamp":"2026-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		if hasUsageMarker(line) != bytes.Contains(line, usageMarker) {
			t.Fatalf("prefilter disagrees with bytes.Contains")
		}
		p, err := newParser("f.jsonl", nil)
		if err != nil {
			t.Fatal(err)
		}
		var events []attribution.Event
		err = p.Line(line, func(e attribution.Event) { events = append(events, e) })
		if len(events) > 1 || (err != nil && len(events) > 0) {
			t.Fatalf("err = %v with %d events", err, len(events))
		}
		for _, e := range events {
			switch {
			case e.Usage.Validate() != nil:
				t.Fatalf("invalid usage %+v: %v", e.Usage, e.Usage.Validate())
			case e.Agent != attribution.AgentClaudeCode:
				t.Fatalf("agent %q", e.Agent)
			case !attribution.ValidName(e.Model):
				t.Fatalf("model %q cannot go into a note", e.Model)
			case e.Time.IsZero():
				t.Fatalf("no time")
			case e.Key != "" && !strings.HasPrefix(e.Key, "m:") && !strings.HasPrefix(e.Key, "r:"):
				t.Fatalf("key %q", e.Key)
			}
		}
		// The parser keeps no state: the same line gives the same result.
		var again []attribution.Event
		err2 := p.Line(line, func(e attribution.Event) { again = append(again, e) })
		if len(again) == 1 && len(events) == 1 && again[0].Time.Equal(events[0].Time) {
			again[0].Time = events[0].Time // same instant, maybe another *Location
		}
		if (err == nil) != (err2 == nil) || len(again) != len(events) || (len(events) == 1 && again[0] != events[0]) {
			t.Fatalf("second parse differs: %v %+v vs %v %+v", err, events, err2, again)
		}
	})
}
