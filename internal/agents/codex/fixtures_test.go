package codex

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// TestUpstreamFixtures parses the small upstream fixtures: older and newer
// shapes, legacy turn.completed records, info:null, trimmed timestamps.
func TestUpstreamFixtures(t *testing.T) {
	u := attribution.FromOpenAI
	for _, tc := range []struct {
		file   string
		keys   string
		models string
		want   attribution.Usage
	}{
		{
			// Legacy 0.51 event_msg turn.completed: each record is one event.
			file:   "agent-sessions/codex_051_usage.jsonl",
			keys:   "test-usage-session:turn:1 test-usage-session:turn:2",
			models: "gpt-5 gpt-5",
			want:   u(1420, 380, 0, 910, 0).Add(u(2840, 1420, 0, 1520, 0)),
		},
		{
			// One token_count, then info:null and unrelated event kinds.
			file:   "agent-sessions/codex_053_rate_limit.jsonl",
			keys:   "test-ratelimit-session:12273",
			models: "gpt-5",
			want:   u(12091, 10880, 0, 182, 128),
		},
		{
			file:   "agent-sessions/large.jsonl",
			keys:   "019b2ea4-aaaa-bbbb-cccc-58208e1f0000:12273",
			models: "gpt-5.2",
			want:   u(12091, 10880, 0, 182, 128),
		},
		{
			// Records of many versions glued together: only the first
			// session_meta counts, later (subagent, fork) headers are
			// ignored; the all-zero token_count adds nothing; timestamps
			// are "[trimmed for fixture]" and fall back to the last valid one.
			file:   "agent-sessions/schema_coverage_small.jsonl",
			keys:   "019fc8be-3658-7ca3-9e29-000000000000:16422",
			models: "gpt-5.6-luna",
			want:   u(16341, 3584, 0, 81, 63),
		},
		{
			// No session_meta: the thread comes from the file name. The
			// model is the preceding turn_context's for both events, as the
			// reference prescribes; ccusage would take the second event's own
			// info.model (gpt-5.3-codex) instead.
			file:   "ccusage/session-alpha.jsonl",
			keys:   "session-alpha:1200 session-alpha:4200",
			models: "gpt-5.2-codex gpt-5.2-codex",
			want:   u(1000, 250, 0, 125, 75).Add(u(2500, 500, 0, 300, 200)),
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(sampleDir, filepath.FromSlash(tc.file))
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			events, skipped := parseBytes(t, path, data, true)
			var models []string
			for _, e := range events {
				models = append(models, e.Model)
				if e.Time.IsZero() {
					t.Errorf("event %s has no time", e.Key)
				}
			}
			if skipped != 0 || keys(events) != tc.keys || strings.Join(models, " ") != tc.models || sumUsage(events) != tc.want {
				t.Errorf("skipped %d, keys %q, models %q, usage %+v;\nwant keys %q, models %q, usage %+v",
					skipped, keys(events), models, sumUsage(events), tc.keys, tc.models, tc.want)
			}
		})
	}
}

// TestExecJSONOutput reads saved `codex exec --json` output: top-level
// thread.started and turn.completed lines without timestamps.
func TestExecJSONOutput(t *testing.T) {
	data := []byte(`{"type":"thread.started","thread_id":"0199a213-81c0-7800-8aa1-bbab2a035a53"}
{"type":"turn.started"}
{"type":"item.completed","item":{"id":"item_0","type":"agent_message","text":"hi"}}
{"type":"turn.completed","usage":{"input_tokens":24763,"cached_input_tokens":24448,"output_tokens":122}}
{"type":"turn.completed","usage":{"prompt_tokens":100,"completion_tokens":20,"input_tokens_details":{"cached_tokens":50},"output_tokens_details":{"reasoning_tokens":5}}}
`)
	events, skipped := parseBytes(t, "/tmp/exec.jsonl", data, true)
	want := attribution.FromOpenAI(24763, 24448, 0, 122, 0).Add(attribution.FromOpenAI(100, 50, 0, 20, 5))
	if skipped != 0 || len(events) != 2 || sumUsage(events) != want ||
		keys(events) != "0199a213-81c0-7800-8aa1-bbab2a035a53:turn:1 0199a213-81c0-7800-8aa1-bbab2a035a53:turn:2" {
		t.Errorf("skipped %d, events %+v, want %+v", skipped, events, want)
	}
}

// TestTimestamps accepts RFC 3339 strings and epoch seconds or milliseconds.
func TestTimestamps(t *testing.T) {
	want := time.Date(2026, 2, 23, 12, 19, 42, 561e6, time.UTC)
	for _, raw := range []string{`"2026-02-23T12:19:42.561Z"`, `"2026-02-23T13:19:42.561+01:00"`, `1771849182.561`, `1771849182561`, `"1771849182561"`} {
		got, ok := parseTime([]byte(raw))
		if !ok || !got.Equal(want) {
			t.Errorf("parseTime(%s) = %v, %v", raw, got, ok)
		}
	}
	for _, raw := range []string{``, `null`, `"[trimmed for fixture]"`, `-5`, `1e400`, `{}`} {
		if got, ok := parseTime([]byte(raw)); ok {
			t.Errorf("parseTime(%s) = %v, want failure", raw, got)
		}
	}
}

// TestBadInput feeds a rollout with broken lines through tail.ReadFile:
// nothing panics, valid records are kept, broken usage lines are counted as
// skipped, and the half-written last line waits for its newline.
func TestBadInput(t *testing.T) {
	id := uuid7(time.Hour, 1)
	at := func(s int) time.Duration { return time.Hour + time.Duration(s)*time.Second }
	tcLine := func(s int, fields string) string {
		return `{"timestamp":"` + ts(at(s)) + `","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{` + fields + `}}}}`
	}
	t1 := tok(1000, 100, 10, 0)
	t2 := t1.plus(tok(500, 0, 5, 0))
	invalidUTF8 := string(jsonl(t, tokenCount(at(5), t2, tok(500, 0, 5, 0))))
	invalidUTF8 = strings.Replace(strings.TrimSuffix(invalidUTF8, "\n"), `"rate_limits":{`, "\"rate_limits\":{\"plan_type\":\"\xff\xfe\",", 1)

	lines := []any{
		meta(time.Hour, id, nil),
		turnCtx(at(1), uuid7(at(1), 2), "gpt-5.3-codex"),
		tokenCount(at(3), t1, t1), // A
		`{"timestamp":"` + ts(at(4)) + `","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tok`, // truncated: skipped
		invalidUTF8, // B
		`{"timestamp":"` + ts(at(6)) + `","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{}}}`,
		`{"timestamp":"` + ts(at(7)) + `","type":"mystery","payload":{"type":"token_count_v9","info":{}}}`,
		`{"timestamp":"` + ts(at(7)) + `","type":"event_msg","payload":{"type":"agent_message","message":"the \"token_count\" event"}}`,
		tcLine(8, `"input_tokens":-5,"output_tokens":1`),                                                                        // negative: skipped
		tcLine(9, `"input_tokens":1e20,"output_tokens":1`),                                                                      // absurd: skipped
		tcLine(10, `"input_tokens":"12","output_tokens":1`),                                                                     // string: skipped
		tcLine(11, `"input_tokens":1.5,"output_tokens":1`),                                                                      // fraction: skipped
		tokenCount(at(12), tok(300, 0, 3, 0), tok(300, 0, 3, 0)),                                                                // C: backwards, a reset
		tokenCount(at(13), t1, tok(700, 100, 7, 0)),                                                                             // D: same cumulative total as A, new epoch
		`"token_count" is not JSON`,                                                                                             // skipped
		`{"timestamp":"` + ts(at(15)) + `","type":"token_usage_record","payload":{"thread_id":"` + id + `","response_id":"r"}}`, // no usage: skipped
		`{"timestamp":"` + ts(at(16)) + `","type":"turn.completed","usage":[]}`,                                                 // skipped
		tcLine(17, `"input_tokens":1.9e3,"cached_input_tokens":100,"output_tokens":20.0,"total_tokens":1920`),                   // E
	}
	data := jsonl(t, lines...)
	last := tcLine(18, `"input_tokens":2000,"cached_input_tokens":100,"output_tokens":20`)
	data = append(data, last...)

	path := filepath.Join(t.TempDir(), rolloutName(time.Hour, id))
	writeFile(t, path, data)
	r := newReader(t)
	res := r.read(path)
	u := attribution.FromOpenAI
	want := u(1000, 100, 0, 10, 0).Add(u(500, 0, 0, 5, 0)).Add(u(300, 0, 0, 3, 0)).Add(u(700, 100, 0, 7, 0)).Add(u(900, 0, 0, 10, 0))
	wantKeys := fmt.Sprintf("%[1]s:1010 %[1]s:1515 %[1]s:e1:303 %[1]s:e1:1010 %[1]s:e1:1920", id)
	if res.total != want || keys(res.added) != wantKeys {
		t.Errorf("got %+v keys %q\nwant %+v keys %q", res.total, keys(res.added), want, wantKeys)
	}
	if res.stats.Skipped != 8 {
		t.Errorf("skipped %d lines, want 8", res.stats.Skipped)
	}
	for _, e := range res.added {
		if e.Model != "gpt-5.3-codex" || e.Time.IsZero() {
			t.Errorf("event %+v", e)
		}
	}

	// The last line is complete once its newline arrives.
	appendBytes(t, path, []byte("\n"))
	more := r.read(path)
	if more.total != u(100, 0, 0, 0, 0) || len(more.added) != 1 {
		t.Errorf("after the newline: %+v in %d events", more.total, len(more.added))
	}

	// The same bytes, parsed line by line with state round-trips.
	events, skipped := parseBytes(t, path, append(data, '\n'), true)
	if skipped != 8 || len(events) != 6 {
		t.Errorf("line by line: %d events, %d skipped", len(events), skipped)
	}
}

// TestUsageBeforeSessionMeta takes the thread from the file name when usage
// comes first, and keeps it.
func TestUsageBeforeSessionMeta(t *testing.T) {
	id := uuid7(0, 3)
	data := jsonl(t, tokenCount(time.Second, tok(10, 0, 1, 0), tok(10, 0, 1, 0)), meta(0, "another-id", obj{"cwd": "/elsewhere"}),
		tokenCount(2*time.Second, tok(20, 0, 2, 0), tok(10, 0, 1, 0)))
	events, _ := parseBytes(t, "/x/"+rolloutName(0, id)+".zst", data, true)
	if keys(events) != id+":11 "+id+":22" || events[0].Session != attribution.HashSession(attribution.AgentCodex, id) {
		t.Errorf("events %+v", events)
	}
	if events[0].Cwd != "" || events[1].Cwd != "/elsewhere" {
		t.Errorf("cwd %q then %q", events[0].Cwd, events[1].Cwd)
	}
}

// TestModelAndCwd follows turn_context and thread_settings_applied, and
// cleans odd model names.
func TestModelAndCwd(t *testing.T) {
	id := uuid7(0, 4)
	data := jsonl(t,
		meta(0, id, obj{"cwd": "/start"}),
		tokenCount(time.Second, tok(10, 0, 1, 0), tok(10, 0, 1, 0)),
		obj{"timestamp": ts(2 * time.Second), "type": "turn_context", "payload": obj{"cwd": "/repo/a", "model": "gpt-5.5(xhigh)"}},
		tokenCount(3*time.Second, tok(20, 0, 2, 0), tok(10, 0, 1, 0)),
		obj{"timestamp": ts(4 * time.Second), "type": "event_msg", "payload": obj{"type": "thread_settings_applied",
			"thread_settings": obj{"cwd": "/repo/b", "model": "gpt 5 <b>"}}},
		tokenCount(5*time.Second, tok(30, 0, 3, 0), tok(10, 0, 1, 0)),
	)
	events, _ := parseBytes(t, rolloutName(0, id), data, false)
	var got []string
	for _, e := range events {
		got = append(got, e.Model+"@"+e.Cwd)
	}
	if want := "gpt-5@/start gpt-5.5@/repo/a unknown@/repo/b"; strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
}

// TestStateIsSmall keeps the persisted state a few hundred bytes.
func TestStateIsSmall(t *testing.T) {
	for _, f := range localpushFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := NewParser(f, nil)
		for _, l := range bytes.Split(data, []byte("\n")) {
			_ = p.Line(l, func(attribution.Event) {})
		}
		st, _ := p.State()
		if len(st) > 1024 {
			t.Errorf("%s: state is %d bytes: %s", filepath.Base(f), len(st), st)
		}
	}
	if _, err := NewParser("x", []byte("{bad")); err == nil {
		t.Error("NewParser accepted a corrupt state")
	}
}
