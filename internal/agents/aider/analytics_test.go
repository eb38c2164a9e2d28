package aider

import (
	"bufio"
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// plainAnalytics is the independent reading of an analytics log: generic
// JSON maps, no code shared with the parser. It sums prompt_tokens and
// completion_tokens of every message_send event and counts them by model.
func plainAnalytics(t *testing.T, data []byte) (prompt, completion int64, requests int, models map[string]int) {
	t.Helper()
	models = map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("sample line is not JSON: %v", err)
		}
		if m["event"] != "message_send" {
			continue
		}
		props := m["properties"].(map[string]any)
		prompt += int64(props["prompt_tokens"].(float64))
		completion += int64(props["completion_tokens"].(float64))
		requests++
		models[props["main_model"].(string)]++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return prompt, completion, requests, models
}

// TestAnalyticsSampleTotals reads the real sample-analytics.jsonl as a global
// log (absolute AIDER_ANALYTICS_LOG) through a full scan and checks it
// against a plain encoding/json pass and against the figures that pass gives:
// 107 message_send events (of 1000 lines; the 156 message_send_starting
// lines carry no usage), prompt_tokens 2,484,349, completion_tokens 45,772.
// The log has no cache split, so CacheRead and CacheWrite stay 0, and no
// cwd, so every event has Cwd "".
func TestAnalyticsSampleTotals(t *testing.T) {
	dir := agenttest.CopyTree(t, sampleDir)
	log := filepath.Join(dir, "sample-analytics.jsonl")
	env := agenttest.Env(t, map[string]string{envAnalyticsLog: log})
	env.Repos = []string{dir} // its chat histories must not be read: the global log exists
	sum := agenttest.Scan(t, env, Source())
	if len(sum.Problems) > 0 {
		t.Fatalf("problems: %v", sum.Problems)
	}
	checkEvents(t, sum.Events, false)

	prompt, completion, requests, models := plainAnalytics(t, readFile(t, sampleAnalytics))
	want := attribution.Usage{Input: prompt, Output: completion}
	if sum.Total != want || sum.Requests != requests {
		t.Errorf("scan: %+v in %d requests; encoding/json pass: %+v in %d", sum.Total, sum.Requests, want, requests)
	}
	if hand := (attribution.Usage{Input: 2484349, Output: 45772}); want != hand || requests != 107 {
		t.Errorf("encoding/json pass: %+v in %d requests, want %+v in 107", want, requests, hand)
	}
	got := map[string]int{}
	for _, e := range sum.Events {
		got[e.Model]++
		if e.Cwd != "" || e.Estimated || e.LowerBound {
			t.Errorf("event %+v: a global analytics log is exact and has no cwd", e)
		}
	}
	if len(got) != len(models) {
		t.Errorf("models %v, want %v", got, models)
	}
	for m, n := range models {
		if got[m] != n {
			t.Errorf("model %s: %d events, want %d", m, got[m], n)
		}
	}
	if s := sum.Stats[attribution.AgentAider]; s.Skipped != 0 || s.Files != 1 {
		t.Errorf("stats %+v: want one file, nothing skipped", s)
	}
	for _, f := range sum.Files {
		if strings.HasSuffix(f, ".md") {
			t.Errorf("chat history %s listed although the global analytics log exists", f)
		}
	}
}

// TestAnalyticsFirstEvent checks one sample line field by field:
//
//	{"event": "message_send", "properties": {"main_model": "gemini/gemini-2.5-pro", …,
//	 "prompt_tokens": 10006, "completion_tokens": 81, "total_tokens": 10087,
//	 "cost": 0.013317500000000001, "total_cost": 0.013317500000000001},
//	 "user_id": "c42c4e6b-f054-44d7-ae1f-6726cc41da88", "time": 1755100406}
//
// It follows the "launched" event of 1755100327 (sample line 47).
func TestAnalyticsFirstEvent(t *testing.T) {
	events, skipped := parse(t, role{kind: kindAnalytics, cwd: "/repo"}, readFile(t, sampleAnalytics), false)
	if skipped != 0 || len(events) == 0 {
		t.Fatalf("%d events, %d skipped", len(events), skipped)
	}
	const user = "c42c4e6b-f054-44d7-ae1f-6726cc41da88"
	want := attribution.Event{
		Agent:   attribution.AgentAider,
		Session: attribution.HashSession(attribution.AgentAider, user+"@1755100327"),
		Key:     "a:" + user + ":1755100406:gemini/gemini-2.5-pro:10006:81:0.013317500000000001:0.013317500000000001",
		Model:   "gemini/gemini-2.5-pro",
		Time:    time.Unix(1755100406, 0).UTC(),
		Cwd:     "/repo",
		Usage:   attribution.Usage{Input: 10006, Output: 81},
	}
	if events[0] != want {
		t.Errorf("first event\n got %+v\nwant %+v", events[0], want)
	}
}

// TestAnalyticsLines covers the event kinds and bad input line by line. A
// message_send line that cannot be used is an error (counted as skipped);
// every other line is ignored.
func TestAnalyticsLines(t *testing.T) {
	const user = `"user_id": "u1"`
	for _, tc := range []struct {
		name  string
		line  string
		usage attribution.Usage
		model string
		err   bool
	}{
		{name: "message_send", line: `{"event": "message_send", "properties": {"main_model": "gpt-5", "prompt_tokens": 100, "completion_tokens": 7, "total_tokens": 107, "cost": 0.1, "total_cost": 0.2}, ` + user + `, "time": 1700000000}`,
			usage: attribution.Usage{Input: 100, Output: 7}, model: "gpt-5"},
		{name: "redacted model kept", line: `{"event": "message_send", "properties": {"main_model": "gemini/REDACTED", "prompt_tokens": 1, "completion_tokens": 2}, ` + user + `, "time": 1700000000}`,
			usage: attribution.Usage{Input: 1, Output: 2}, model: "gemini/REDACTED"},
		{name: "model None", line: `{"event": "message_send", "properties": {"main_model": "None", "prompt_tokens": 1, "completion_tokens": 2}, ` + user + `, "time": 1700000000}`,
			usage: attribution.Usage{Input: 1, Output: 2}, model: "unknown"},
		{name: "model null", line: `{"event": "message_send", "properties": {"main_model": null, "prompt_tokens": 1, "completion_tokens": 2}, ` + user + `, "time": 1700000000}`,
			usage: attribution.Usage{Input: 1, Output: 2}, model: "unknown"},
		{name: "model a note cannot hold", line: `{"event": "message_send", "properties": {"main_model": "<b>x</b>", "prompt_tokens": 1, "completion_tokens": 2}, ` + user + `, "time": 1700000000}`,
			usage: attribution.Usage{Input: 1, Output: 2}, model: "unknown"},
		{name: "integral floats", line: `{"event": "message_send", "properties": {"main_model": "m", "prompt_tokens": 5.0, "completion_tokens": 6e0}, ` + user + `, "time": 1700000000.7}`,
			usage: attribution.Usage{Input: 5, Output: 6}, model: "m"},
		{name: "zero usage", line: `{"event": "message_send", "properties": {"main_model": "m", "prompt_tokens": 0, "completion_tokens": 0}, ` + user + `, "time": 1700000000}`,
			model: "m"},
		{name: "missing prompt_tokens", line: `{"event": "message_send", "properties": {"main_model": "m", "completion_tokens": 6}, ` + user + `, "time": 1700000000}`, err: true},
		{name: "negative", line: `{"event": "message_send", "properties": {"main_model": "m", "prompt_tokens": -1, "completion_tokens": 6}, ` + user + `, "time": 1700000000}`, err: true},
		{name: "fractional", line: `{"event": "message_send", "properties": {"main_model": "m", "prompt_tokens": 1.5, "completion_tokens": 6}, ` + user + `, "time": 1700000000}`, err: true},
		{name: "absurd", line: `{"event": "message_send", "properties": {"main_model": "m", "prompt_tokens": 1e30, "completion_tokens": 6}, ` + user + `, "time": 1700000000}`, err: true},
		{name: "quoted count accepted", line: `{"event": "message_send", "properties": {"main_model": "m", "prompt_tokens": "12", "completion_tokens": 6}, ` + user + `, "time": 1700000000}`,
			usage: attribution.Usage{Input: 12, Output: 6}, model: "m"},
		{name: "text count", line: `{"event": "message_send", "properties": {"main_model": "m", "prompt_tokens": "many", "completion_tokens": 6}, ` + user + `, "time": 1700000000}`, err: true},
		{name: "no time", line: `{"event": "message_send", "properties": {"main_model": "m", "prompt_tokens": 1, "completion_tokens": 6}, ` + user + `}`, err: true},
		{name: "properties not an object", line: `{"event": "message_send", "properties": [], ` + user + `, "time": 1700000000}`, err: true},
		{name: "truncated message_send", line: `{"event": "message_send", "properties": {"main_model": "m", "prompt_tok`, err: true},
		{name: "message_send_starting", line: `{"event": "message_send_starting", "properties": {}, ` + user + `, "time": 1700000000}`},
		{name: "other event", line: `{"event": "command_code", "properties": {}, ` + user + `, "time": 1700000000}`},
		{name: "not JSON", line: `hello`},
		{name: "launched", line: `{"event": "launched", "properties": {}, ` + user + `, "time": 1700000000}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events, skipped := parse(t, role{kind: kindAnalytics}, []byte(tc.line), true)
			if tc.err {
				if skipped != 1 || len(events) != 0 {
					t.Fatalf("want an error, got %d events, %d skipped", len(events), skipped)
				}
				return
			}
			if skipped != 0 {
				t.Fatalf("unexpected error")
			}
			if tc.model == "" {
				if len(events) != 0 {
					t.Fatalf("want no event, got %+v", events)
				}
				return
			}
			if len(events) != 1 || events[0].Usage != tc.usage || events[0].Model != tc.model || events[0].Time != time.Unix(1700000000, 0).UTC() {
				t.Fatalf("got %+v, want usage %+v model %q", events, tc.usage, tc.model)
			}
			checkEvents(t, events, true)
		})
	}
}

// TestAnalyticsSessions checks the session inference: a "launched" event
// starts a new session, which survives a parser restart through State, and
// events before any "launched" belong to the user id alone. Two identical
// lines are one message (same key), two messages in the same second with
// different counts are two.
func TestAnalyticsSessions(t *testing.T) {
	send := func(time, prompt string) string {
		return `{"event": "message_send", "properties": {"main_model": "m", "prompt_tokens": ` + prompt + `, "completion_tokens": 1, "cost": 0, "total_cost": 0}, "user_id": "u", "time": ` + time + `}` + "\n"
	}
	log := send("100", "1") +
		`{"event": "launched", "properties": {}, "user_id": "u", "time": 200}` + "\n" +
		send("201", "2") + send("201", "2") + send("201", "3") +
		`{"event": "launched", "properties": {}, "user_id": "u", "time": 300}` + "\n" +
		send("301", "4")
	for _, roundTrip := range []bool{false, true} {
		events, skipped := parse(t, role{kind: kindAnalytics}, []byte(log), roundTrip)
		if skipped != 0 || len(events) != 5 {
			t.Fatalf("%d events, %d skipped", len(events), skipped)
		}
		sessions := []string{"u", "u@200", "u@200", "u@200", "u@300"}
		for i, e := range events {
			if want := attribution.HashSession(attribution.AgentAider, sessions[i]); e.Session != want {
				t.Errorf("event %d: session %s, want hash of %q", i, e.Session, sessions[i])
			}
		}
		if events[1].Key != events[2].Key || events[2].Key == events[3].Key {
			t.Errorf("keys %q %q %q: identical lines must share a key, different counts not", events[1].Key, events[2].Key, events[3].Key)
		}
	}
}
