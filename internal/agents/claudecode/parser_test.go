package claudecode

import (
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// base is a well-formed assistant line of a recent Claude Code.
const base = `{"parentUuid":"p","isSidechain":false,"userType":"external","cwd":"/w","sessionId":"s1","version":"2.1.100","gitBranch":"main","type":"assistant","requestId":"req_1","timestamp":"2026-05-01T10:00:00.000Z","uuid":"u","message":{"id":"msg_1","model":"claude-opus-4-7","role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"echo \"usage\":{}","usage":{"output_tokens":999}}}],"usage":{"input_tokens":10,"cache_creation_input_tokens":20,"cache_read_input_tokens":30,"cache_creation":{"ephemeral_5m_input_tokens":20,"ephemeral_1h_input_tokens":0},"output_tokens":40,"service_tier":"standard"}}}`

// progress embeds a subagent's message in a parent transcript line.
const progress = `{"parentUuid":"p","isSidechain":false,"cwd":"/parent","sessionId":"s1","version":"2.1.39","type":"progress","data":{"message":{"type":"assistant","timestamp":"2026-05-01T09:00:00.123Z","message":{"model":"claude-haiku-4-5","id":"msg_sub","type":"message","role":"assistant","content":[],"usage":{"input_tokens":1,"cache_creation_input_tokens":2,"cache_read_input_tokens":3,"output_tokens":4}},"requestId":"req_sub","uuid":"x"},"type":"agent_progress","agentId":"a1"},"toolUseID":"t","timestamp":"2026-05-01T09:00:05.000Z","uuid":"y"}`

// with returns base with old replaced by new (which must occur).
func with(t *testing.T, line, old, new string) string {
	t.Helper()
	if !strings.Contains(line, old) {
		t.Fatalf("%q not in the line", old)
	}
	return strings.Replace(line, old, new, 1)
}

const usageBase = `"usage":{"input_tokens":10,"cache_creation_input_tokens":20,"cache_read_input_tokens":30,"cache_creation":{"ephemeral_5m_input_tokens":20,"ephemeral_1h_input_tokens":0},"output_tokens":40,"service_tier":"standard"}`

type outcome int

const (
	kept    outcome = iota // one event
	ignored                // no event, no error
	skipped                // error: counted as skipped
)

type lineCase struct {
	name  string
	line  string
	want  outcome
	check func(t *testing.T, e attribution.Event)
}

func lineCases(t *testing.T) []lineCase {
	u := func(s string) string { return with(t, base, usageBase, `"usage":`+s) }
	return []lineCase{
		{"assistant", base, kept, func(t *testing.T, e attribution.Event) {
			want := attribution.Event{
				Agent: "claude-code", Session: attribution.HashSession("claude-code", "s1"), Key: "m:msg_1",
				Model: "claude-opus-4-7", Time: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), Cwd: "/w",
				Usage: attribution.Usage{Input: 10, CacheWrite: 20, CacheRead: 30, Output: 40},
			}
			if !e.Time.Equal(want.Time) {
				t.Errorf("time = %v", e.Time)
			}
			e.Time = want.Time
			if e != want {
				t.Errorf("event = %+v\nwant    %+v", e, want)
			}
		}},
		{"progress-embedded subagent message", progress, kept, func(t *testing.T, e attribution.Event) {
			if e.Key != "m:msg_sub" || e.Model != "claude-haiku-4-5" || e.Cwd != "/parent" || !e.LowerBound ||
				!e.Time.Equal(time.Date(2026, 5, 1, 9, 0, 0, 123e6, time.UTC)) ||
				e.Usage != (attribution.Usage{Input: 1, CacheWrite: 2, CacheRead: 3, Output: 4}) {
				t.Errorf("event = %+v", e)
			}
		}},
		{"progress without its own timestamp", with(t, progress, `"timestamp":"2026-05-01T09:00:00.123Z",`, ``), kept, func(t *testing.T, e attribution.Event) {
			if !e.Time.Equal(time.Date(2026, 5, 1, 9, 0, 5, 0, time.UTC)) {
				t.Errorf("time = %v, want the line's", e.Time)
			}
		}},
		{"untyped line (ccusage fixture style)", with(t, base, `"type":"assistant",`, ``), kept, nil},
		{"fast mode", u(`{"input_tokens":1,"output_tokens":2,"speed":"fast"}`), kept, func(t *testing.T, e attribution.Event) {
			if e.Model != "claude-opus-4-7-fast" {
				t.Errorf("model = %q", e.Model)
			}
		}},
		{"standard speed", u(`{"input_tokens":1,"output_tokens":2,"speed":"standard"}`), kept, func(t *testing.T, e attribution.Event) {
			if e.Model != "claude-opus-4-7" {
				t.Errorf("model = %q", e.Model)
			}
		}},
		{"no message id", with(t, base, `"id":"msg_1",`, ``), kept, func(t *testing.T, e attribution.Event) {
			if e.Key != "r:req_1" {
				t.Errorf("key = %q", e.Key)
			}
		}},
		{"empty message id", with(t, base, `"id":"msg_1",`, `"id":"",`), kept, func(t *testing.T, e attribution.Event) {
			if e.Key != "r:req_1" {
				t.Errorf("key = %q", e.Key)
			}
		}},
		{"no ids", with(t, with(t, base, `"id":"msg_1",`, ``), `"requestId":"req_1",`, `"requestId":null,`), kept, func(t *testing.T, e attribution.Event) {
			if e.Key != "" {
				t.Errorf("key = %q", e.Key)
			}
		}},
		{"cache split without total", u(`{"input_tokens":1,"output_tokens":2,"cache_creation":{"ephemeral_5m_input_tokens":3,"ephemeral_1h_input_tokens":4}}`), kept, func(t *testing.T, e attribution.Event) {
			if e.Usage != (attribution.Usage{Input: 1, Output: 2, CacheWrite: 7}) {
				t.Errorf("usage = %+v", e.Usage)
			}
		}},
		{"version 2.1.96", with(t, base, `2.1.100`, `2.1.96`), kept, wantLower(true)},
		{"version 2.1.97", with(t, base, `2.1.100`, `2.1.97`), kept, wantLower(false)},
		{"version 2.2.0", with(t, base, `2.1.100`, `2.2.0`), kept, wantLower(false)},
		{"version 1.0.128", with(t, base, `2.1.100`, `1.0.128`), kept, wantLower(true)},
		{"version 10.0.0", with(t, base, `2.1.100`, `10.0.0`), kept, wantLower(false)},
		{"version 2.1.5-beta", with(t, base, `2.1.100`, `2.1.5-beta`), kept, wantLower(true)},
		{"version garbage", with(t, base, `2.1.100`, `v2`), kept, wantLower(false)},
		{"no version", with(t, base, `"version":"2.1.100",`, ``), kept, wantLower(false)},
		{"no cwd or session", with(t, base, `"cwd":"/w","sessionId":"s1",`, ``), kept, func(t *testing.T, e attribution.Event) {
			if e.Cwd != "" || e.Session != "" {
				t.Errorf("cwd %q session %q", e.Cwd, e.Session)
			}
		}},
		{"escaped Windows cwd", with(t, base, `"cwd":"/w"`, `"cwd":"C:\\Users\\me\\repo"`), kept, func(t *testing.T, e attribution.Event) {
			if e.Cwd != `C:\Users\me\repo` {
				t.Errorf("cwd = %q", e.Cwd)
			}
		}},
		{"timestamp with offset", with(t, base, `2026-05-01T10:00:00.000Z`, `2026-05-01T12:00:00+02:00`), kept, wantTime(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))},
		{"timestamp without millis", with(t, base, `2026-05-01T10:00:00.000Z`, `2026-05-01T10:00:00Z`), kept, wantTime(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))},
		{"leap day", with(t, base, `2026-05-01T10:00:00.000Z`, `2028-02-29T23:59:59.999Z`), kept, wantTime(time.Date(2028, 2, 29, 23, 59, 59, 999e6, time.UTC))},
		{"invalid UTF-8 in text", with(t, base, `"name":"Bash"`, "\"name\":\"B\xffash\""), kept, nil},
		{"odd model name", with(t, base, `claude-opus-4-7`, "claude\xff<b>"), kept, func(t *testing.T, e attribution.Event) {
			if e.Model != "unknown" {
				t.Errorf("model = %q", e.Model)
			}
		}},

		{"unknown type", with(t, base, `"type":"assistant"`, `"type":"future-kind"`), ignored, nil},
		{"user line quoting usage", `{"type":"user","message":{"role":"user","content":"the \"usage\" field"},"timestamp":"2026-05-01T10:00:00.000Z"}`, ignored, nil},
		{"usage only inside a tool input", with(t, base, `,`+usageBase, ``), ignored, nil},
		{"usage null", u(`null`), ignored, nil},
		{"synthetic", with(t, base, `claude-opus-4-7`, `<synthetic>`), ignored, nil},
		{"API error", with(t, base, `"type":"assistant",`, `"type":"assistant","isApiErrorMessage":true,`), ignored, nil},
		{"API error explicitly false", with(t, base, `"type":"assistant",`, `"type":"assistant","isApiErrorMessage":false,`), kept, nil},
		{"progress embedding a user message", with(t, progress, `"type":"assistant"`, `"type":"user"`), ignored, nil},
		{"hook progress mentioning usage", `{"type":"progress","data":{"type":"hook_progress","hookName":"\"usage\""},"timestamp":"2026-05-01T10:00:00.000Z"}`, ignored, nil},
		{"no usage marker, not even JSON", `{"type":"assistant", garbage`, ignored, nil},

		{"truncated before any usage", strings.Split(base, `"usage"`)[0], ignored, nil},
		{"truncated inside the usage", base[:strings.Index(base, `"output_tokens":40`)+17], skipped, nil},
		{"missing final brace", base[:len(base)-1], skipped, nil},
		{"invalid UTF-8 in the structure", with(t, base, `"type":"assistant",`, "\"type\":\"assistant\",\xff"), skipped, nil},
		{"trailing garbage", base + `x`, skipped, nil},
		{"missing model", with(t, base, `"model":"claude-opus-4-7",`, ``), skipped, nil},
		{"null model", with(t, base, `"claude-opus-4-7"`, `null`), skipped, nil},
		{"numeric model", with(t, base, `"claude-opus-4-7"`, `7`), skipped, nil},
		{"missing input_tokens", u(`{"output_tokens":2}`), skipped, nil},
		{"missing output_tokens", u(`{"input_tokens":2}`), skipped, nil},
		{"negative output", u(`{"input_tokens":1,"output_tokens":-5}`), skipped, nil},
		{"fractional output", u(`{"input_tokens":1,"output_tokens":1.5}`), skipped, nil},
		{"string output", u(`{"input_tokens":1,"output_tokens":"5"}`), skipped, nil},
		{"overflowing input", u(`{"input_tokens":100000000000000000000,"output_tokens":1}`), skipped, nil},
		{"absurd cache read", u(`{"input_tokens":1,"output_tokens":1,"cache_read_input_tokens":1099511627776}`), skipped, nil},
		{"null cache read", u(`{"input_tokens":1,"output_tokens":1,"cache_read_input_tokens":null}`), skipped, nil},
		{"overflowing cache split", u(`{"input_tokens":1,"output_tokens":1,"cache_creation":{"ephemeral_5m_input_tokens":9223372036854775807,"ephemeral_1h_input_tokens":9223372036854775807}}`), skipped, nil},
		{"usage not an object", u(`5`), skipped, nil},
		{"numeric message id", with(t, base, `"msg_1"`, `1`), skipped, nil},
		{"missing timestamp", with(t, base, `"timestamp":"2026-05-01T10:00:00.000Z",`, ``), skipped, nil},
		{"bad timestamp", with(t, base, `2026-05-01T10:00:00.000Z`, `yesterday`), skipped, nil},
		{"impossible date", with(t, base, `2026-05-01T10:00:00.000Z`, `2026-02-30T10:00:00.000Z`), skipped, nil},
		{"impossible hour", with(t, base, `2026-05-01T10:00:00.000Z`, `2026-05-01T24:00:00.000Z`), skipped, nil},
	}
}

func wantLower(want bool) func(*testing.T, attribution.Event) {
	return func(t *testing.T, e attribution.Event) {
		if e.LowerBound != want {
			t.Errorf("LowerBound = %v, want %v", e.LowerBound, want)
		}
	}
}

func wantTime(want time.Time) func(*testing.T, attribution.Event) {
	return func(t *testing.T, e attribution.Event) {
		if !e.Time.Equal(want) {
			t.Errorf("time = %v, want %v", e.Time, want)
		}
	}
}

func TestParserLines(t *testing.T) {
	for _, tc := range lineCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			p, err := newParser("x.jsonl", nil)
			if err != nil {
				t.Fatal(err)
			}
			var events []attribution.Event
			err = p.Line([]byte(tc.line), func(e attribution.Event) { events = append(events, e) })
			switch tc.want {
			case kept:
				if err != nil || len(events) != 1 {
					t.Fatalf("err = %v, %d events; want one event", err, len(events))
				}
				if err := events[0].Usage.Validate(); err != nil {
					t.Errorf("usage: %v", err)
				}
				if tc.check != nil {
					tc.check(t, events[0])
				}
			case ignored:
				if err != nil || len(events) != 0 {
					t.Fatalf("err = %v, %d events; want the line ignored", err, len(events))
				}
			case skipped:
				if err == nil || len(events) != 0 {
					t.Fatalf("err = %v, %d events; want an error and no event", err, len(events))
				}
			}
			if st, err := p.State(); st != nil || err != nil {
				t.Errorf("State = %q, %v", st, err)
			}
		})
	}
}

// TestBadInputFile feeds every case through tail.ReadFile as one file: the
// bad lines are counted as skipped, the others are kept or ignored, nothing
// panics.
func TestBadInputFile(t *testing.T) {
	var b strings.Builder
	want := map[outcome]int{}
	for i, tc := range lineCases(t) {
		// Give every kept line its own identity so that Dedup keeps all.
		line := strings.ReplaceAll(tc.line, `msg_1`, "msg_1_"+string(rune('a'+i%26))+string(rune('a'+i/26)))
		b.WriteString(line)
		b.WriteString("\n")
		want[tc.want]++
	}
	b.WriteString("\n\r\n   \n") // blank lines
	b.WriteString(base[:100])    // half-written last line: left for later
	got := readAll(t, writeFile(t, "bad.jsonl", []byte(b.String())))
	if got.Stats.Skipped != int64(want[skipped]) {
		t.Errorf("skipped = %d, want %d", got.Stats.Skipped, want[skipped])
	}
	if len(got.Events) != want[kept] {
		t.Errorf("events = %d, want %d", len(got.Events), want[kept])
	}
	for _, e := range got.Events {
		if err := e.Usage.Validate(); err != nil {
			t.Errorf("event %+v: %v", e, err)
		}
	}
}

func TestHasUsageMarker(t *testing.T) {
	lines := []string{
		``, `g`, `"usage"`, `"usage`, `usage"`, `x"usage"`, `"usage"x`, `"usag"`, `"usagge"`,
		`"usage "`, `"Usage"`, `gggg"usage"gg`, `"usa"usage"`, `"usageg"usage"`, `"\u0075sage"`,
	}
	for _, f := range sampleFiles(t, spotterRoot) {
		for _, l := range fileLines(t, f) {
			lines = append(lines, string(l))
		}
	}
	for _, l := range lines {
		if got, want := hasUsageMarker([]byte(l)), strings.Contains(l, `"usage"`); got != want {
			t.Errorf("hasUsageMarker(%.60q) = %v, want %v", l, got, want)
		}
	}
}
