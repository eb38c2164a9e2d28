package copilot

import (
	"bytes"
	"os"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// checkEvent fails on an event a note could not hold.
func checkEvent(t *testing.T, e attribution.Event) {
	t.Helper()
	switch {
	case e.Usage.Validate() != nil:
		t.Fatalf("invalid usage %+v: %v", e.Usage, e.Usage.Validate())
	case e.Usage.IsZero():
		t.Fatalf("zero event %+v", e)
	case e.Agent != attribution.AgentCopilotCLI:
		t.Fatalf("agent %q", e.Agent)
	case !attribution.ValidName(e.Model):
		t.Fatalf("model %q cannot go into a note", e.Model)
	case e.Time.IsZero():
		t.Fatalf("no time")
	case e.Key == "":
		t.Fatalf("no key")
	}
}

// FuzzEventsLog feeds a whole event log (the input split into lines) to an
// events parser, and again resuming from State after every line: both runs
// must agree (the scanner resumes parsers between reads), never panic, and
// emit only valid events.
func FuzzEventsLog(f *testing.F) {
	for _, p := range []string{fixtureLog, smallLog, eventsLog(resumeSession), eventsLog(otelSession)} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, lines := range [][]string{
		{"msg m1 30", "shut m1 1000 50 600 100"},
		{"checkpoint", "shut m1 1000 50 600 0", "resume", "shut2 m1 1000 50 600 0 m2 10 5 0 0"},
		{"msg - 40", "shut m1 100 50 0 0", "msg m1-1m 5", "shut m1 10 5 600 100"},
	} {
		f.Add(bytes.Join(session(lines...), []byte("\n")))
	}
	f.Add([]byte(`{"type":"session.shutdown","id":"x","timestamp":"2026-01-01T00:00:00Z","data":{"modelMetrics":{"m2":{"requests":2}},"tokenDetails":{"input":{"tokenCount":1e3}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Split(data, []byte("\n"))
		if len(lines) > 300 {
			lines = lines[:300] // resuming after every line is quadratic in the state size
		}
		run := func(resume bool) []attribution.Event {
			var evs []attribution.Event
			var state []byte
			p, err := newEventsParser("/nowhere/session-state/S/events.jsonl", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range lines {
				if resume {
					if p, err = newEventsParser("/nowhere/session-state/S/events.jsonl", state, nil); err != nil {
						t.Fatalf("state %s: %v", state, err)
					}
				}
				_ = p.Line(l, func(e attribution.Event) { checkEvent(t, e); evs = append(evs, e) })
				if state, err = p.State(); err != nil {
					t.Fatal(err)
				}
			}
			return evs
		}
		a, b := run(false), run(true)
		if len(a) != len(b) {
			t.Fatalf("%d events in one run, %d resuming", len(a), len(b))
		}
		for i := range a {
			if a[i].Key != b[i].Key || a[i].Usage != b[i].Usage || !a[i].Time.Equal(b[i].Time) {
				t.Fatalf("event %d: %+v vs %+v", i, a[i], b[i])
			}
		}
	})
}

// FuzzOTelLine checks that no export line makes the parser panic and that
// its events are valid and the same when the line is read again.
func FuzzOTelLine(f *testing.F) {
	for _, l := range fileLines(f, handmade+"/"+otelExport) {
		f.Add(l)
	}
	f.Add([]byte(`{"type":"span","name":"chat m","timestamp":"1767225600000","attributes":{"gen_ai.usage.total_tokens":5,"gen_ai.usage.input_tokens":"9e0"}}`))
	f.Add([]byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"GenAI inference: m"},"attributes":[{"key":"gen_ai.response.id","value":{"intValue":"7"}},{"key":"gen_ai.usage.output_tokens","value":{"doubleValue":4.0}}]}]}]}]}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		run := func() ([]attribution.Event, error) {
			p, err := newOTelParser("/x/otel/a.jsonl", []byte(`{"t":1767225600000}`), nil)
			if err != nil {
				t.Fatal(err)
			}
			var evs []attribution.Event
			err = p.Line(line, func(e attribution.Event) { checkEvent(t, e); evs = append(evs, e) })
			return evs, err
		}
		a, errA := run()
		b, errB := run()
		if (errA == nil) != (errB == nil) || len(a) != len(b) {
			t.Fatalf("runs differ: %v %d vs %v %d", errA, len(a), errB, len(b))
		}
		for i := range a {
			if !a[i].Time.Equal(b[i].Time) || a[i].Key != b[i].Key || a[i].Usage != b[i].Usage || a[i].Model != b[i].Model {
				t.Fatalf("event %d: %+v vs %+v", i, a[i], b[i])
			}
		}
	})
}
