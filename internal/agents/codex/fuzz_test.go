package codex

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// FuzzParseLine feeds arbitrary bytes, split into lines, to a parser. It
// must not panic, every event must be valid, and a parser re-created from
// its State after every line must emit exactly the same events as one that
// reads straight through. Seeds live in testdata/fuzz/FuzzParseLine.
func FuzzParseLine(f *testing.F) {
	f.Add([]byte(`{"timestamp":"2026-02-23T12:19:42.561Z","type":"session_meta","payload":{"id":"019c8a70-dda7-7f33-98ea-f30553347322","cwd":"/r","source":{"subagent":{"thread_spawn":{}}},"forked_from_id":"p"}}
{"timestamp":"2026-02-23T12:19:42.586Z","type":"turn_context","payload":{"turn_id":"019c8a70-dda8-7000-8000-000000000000","cwd":"/r","model":"gpt-5.3-codex"}}
{"timestamp":"2026-02-23T12:19:50Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":34469,"cached_input_tokens":3456,"output_tokens":431,"reasoning_output_tokens":264,"total_tokens":34900},"last_token_usage":{"input_tokens":34469,"cached_input_tokens":3456,"output_tokens":431,"reasoning_output_tokens":264,"total_tokens":34900}}}}`))
	f.Add([]byte(`{"timestamp":1771849182561,"type":"token_usage_record","payload":{"thread_id":"t","response_id":"resp_1","usage":{"input_tokens":5,"cached_input_tokens":9,"output_tokens":1,"reasoning_output_tokens":7}}}`))
	f.Add([]byte(`{"type":"turn.completed","usage":{"input_tokens":1420,"cached_input_tokens":380,"output_tokens":910}}`))
	f.Add([]byte(`{"type":"event_msg","payload":{"type":"token_count","info":{"last_token_usage":{"input_tokens":1,"output_tokens":2}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		const path = "/h/sessions/rollout-2026-02-23T13-19-38-019c8a70-dda7-7f33-98ea-f30553347322.jsonl"
		straight, err := NewParser(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resumed, err := NewParser(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		var a, b []attribution.Event
		for _, line := range bytes.Split(data, []byte("\n")) {
			errA := straight.Line(line, func(e attribution.Event) { a = append(a, e) })
			errB := resumed.Line(line, func(e attribution.Event) { b = append(b, e) })
			if (errA == nil) != (errB == nil) {
				t.Fatalf("line %q: error %v after a resume, %v without", line, errB, errA)
			}
			st, err := resumed.State()
			if err != nil {
				t.Fatal(err)
			}
			if resumed, err = NewParser(path, st); err != nil {
				t.Fatalf("state %s does not restore: %v", st, err)
			}
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("resumed parser differs:\n%+v\n%+v", a, b)
		}
		for _, e := range a {
			if err := e.Usage.Validate(); err != nil {
				t.Errorf("invalid usage %+v: %v", e.Usage, err)
			}
			if e.Usage.IsZero() || e.Agent != attribution.AgentCodex || e.Key == "" || e.Session == "" || !attribution.ValidName(e.Model) {
				t.Errorf("bad event %+v", e)
			}
		}
	})
}
