package aider

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// fuzzLines feeds data, split into lines, to two parsers of one role: one
// reads straight through, the other is re-created from its State after
// every line. Neither may panic, both must agree line by line and event by
// event, and every event must be one a note can hold.
func fuzzLines(t *testing.T, ro role, data []byte) {
	straight, err := newParser("f", ro, nil)
	if err != nil {
		t.Fatal(err)
	}
	resumed, err := newParser("f", ro, nil)
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
		if resumed, err = newParser("f", ro, st); err != nil {
			t.Fatalf("state %s does not restore: %v", st, err)
		}
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("resumed parser differs:\n%+v\n%+v", a, b)
	}
	keys := map[string]bool{}
	for _, e := range a {
		if err := e.Usage.Validate(); err != nil {
			t.Errorf("invalid usage %+v: %v", e.Usage, err)
		}
		if e.Agent != attribution.AgentAider || e.Key == "" || e.Session == "" || !attribution.ValidName(e.Model) || e.Time.IsZero() || e.Cwd != ro.cwd {
			t.Errorf("bad event %+v", e)
		}
		if ro.kind == kindHistory && keys[e.Key] {
			t.Errorf("chat history key %q emitted twice", e.Key)
		}
		keys[e.Key] = true
	}
}

// FuzzHistoryLines fuzzes the chat history parser (session headers, model
// announcements, every Tokens wording) with state round trips.
func FuzzHistoryLines(f *testing.F) {
	f.Add([]byte("# aider chat started at 2024-08-05 19:33:02\n> Models: claude-3-5-sonnet-20240620 with diff edit format, weak model claude-3-haiku-20240307  \n> Tokens: 12,566 sent, 84 received. Cost: $0.0019 request, $0.0019 session.  "))
	f.Add([]byte("# aider chat started at 2024-08-15 10:50:12\n> Main model: claude-3-5-sonnet-20240620⚡ with diff edit format, prompt cache\n> Tokens: 15k sent, 13k cache write, 1.6k cache hit, 133 received.\nCost: $0.05 message, $0.05 session.  "))
	f.Add([]byte("# aider chat started at 2024-08-15 10:50:12\n> Tokens: 492 sent, 1,278 cached, 72 received. Cost: $0.0026 message, $0.0026 session, cache costs not included.  \n# aider chat started at 2024-08-15 10:50:12\n> Tokens: 529 sent, 90 received, cache costs not included. Cost: $0.00024 message, $0.00024 session."))
	f.Add([]byte("# aider chat started at 2024-08-15 10:50:12\n> Model: gpt-4o-mini with whole edit format\n> Tokens: 2.3k sent, 1.8k cache hit, 91 received.\n> Tokens: 6.1k sent, 1.0k received.\n#### Tokens: 1 sent, 2 received."))
	f.Add([]byte("> Tokens: 1 sent, 2 received.\n# aider chat started at 2024-13-45 99:99:99\n> Tokens: 999999999999999k sent, 1 received.\n> Tokens: 1.2.3k sent, ,5 received"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzLines(t, role{kind: kindHistory, cwd: "/r"}, data)
	})
}

// FuzzAnalyticsLines fuzzes the analytics log parser with state round trips.
func FuzzAnalyticsLines(f *testing.F) {
	f.Add([]byte(`{"event": "launched", "properties": {}, "user_id": "c42c4e6b-f054-44d7-ae1f-6726cc41da88", "time": 1755100327}
{"event": "message_send", "properties": {"main_model": "gemini/gemini-2.5-pro", "weak_model": "gemini/gemini-2.5-flash-lite", "editor_model": "gemini/gemini-2.5-pro", "edit_format": "ask", "prompt_tokens": 10006, "completion_tokens": 81, "total_tokens": 10087, "cost": 0.013317500000000001, "total_cost": 0.013317500000000001}, "user_id": "c42c4e6b-f054-44d7-ae1f-6726cc41da88", "time": 1755100406}`))
	f.Add([]byte(`{"event": "message_send", "properties": {"main_model": "None", "prompt_tokens": 1e3, "completion_tokens": "7"}, "user_id": "u", "time": 1.5e9}`))
	f.Add([]byte(`{"event": "message_send", "properties": {"main_model": null, "prompt_tokens": -1}, "time": -5}
{"event": "launched", "time": "x"}
{"event": "message_send_starting", "properties": {}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzLines(t, role{kind: kindAnalytics}, data)
	})
}

// FuzzParseCount checks the number reader against the independent
// plainNumber of the totals test on every input both accept, and that a
// rounded number is exactly one with a "k".
func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"12,566", "492", "1.6k", "12k", "1.0k", "0", "1.25k", ",1", "1,,2", "k", ".5k", "1.2345k", "999999999999999k"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, rounded, err := parseCount(s)
		if err != nil {
			return
		}
		if n < 0 || rounded != strings.HasSuffix(s, "k") {
			t.Fatalf("parseCount(%q) = %d, %v", s, n, rounded)
		}
		if m, k, ok := plainNumber(s); ok && (m != n || k != rounded) {
			t.Fatalf("parseCount(%q) = %d, %v; plainNumber = %d, %v", s, n, rounded, m, k)
		}
	})
}
