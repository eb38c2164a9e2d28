package copilot

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// session builds an event log from short record descriptions:
//
//	msg MODEL OUT            assistant.message (MODEL "-" for none)
//	shut MODEL IN OUT CR CW  session.shutdown with one model's totals
//	shut2 M1 IN OUT CR CW M2 IN OUT CR CW
//	resume, checkpoint       session.resume, session.usage_checkpoint
func session(records ...string) [][]byte {
	lines := [][]byte{[]byte(`{"type":"session.start","data":{"sessionId":"S","selectedModel":"m1","context":{"cwd":"/w"}},"id":"e0","timestamp":"2026-01-01T00:00:00.000Z"}`)}
	metric := func(f []string) string {
		return fmt.Sprintf(`"%s":{"requests":{"count":1},"usage":{"inputTokens":%s,"outputTokens":%s,"cacheReadTokens":%s,"cacheWriteTokens":%s}}`, f[0], f[1], f[2], f[3], f[4])
	}
	for i, r := range records {
		f := strings.Fields(r)
		ts := fmt.Sprintf("2026-01-01T00:%02d:00.000Z", i+1)
		var data, typ string
		switch f[0] {
		case "msg":
			typ = "assistant.message"
			model := ""
			if f[1] != "-" {
				model = `"model":"` + f[1] + `",`
			}
			data = fmt.Sprintf(`{%s"outputTokens":%s}`, model, f[2])
		case "shut":
			typ, data = "session.shutdown", `{"modelMetrics":{`+metric(f[1:6])+`}}`
		case "shut2":
			typ, data = "session.shutdown", `{"modelMetrics":{`+metric(f[1:6])+`,`+metric(f[6:11])+`}}`
		case "resume":
			typ, data = "session.resume", `{"context":{"cwd":"/w"}}`
		case "checkpoint":
			typ, data = "session.usage_checkpoint", `{"totalNanoAiu":1}`
		}
		lines = append(lines, []byte(fmt.Sprintf(`{"type":"%s","data":%s,"id":"e%d","timestamp":"%s"}`, typ, data, i+1, ts)))
	}
	return lines
}

// readLines runs an events parser over lines.
func readLines(t *testing.T, lines [][]byte) []attribution.Event {
	t.Helper()
	p, err := newEventsParser("/nowhere/session-state/S/events.jsonl", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var evs []attribution.Event
	for i, l := range lines {
		if err := p.Line(l, func(e attribution.Event) { evs = append(evs, e) }); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
	}
	return evs
}

func TestShutdownReconciliation(t *testing.T) {
	tests := []struct {
		name    string
		records []string
		want    attribution.Usage // total of all events
		shut    []attribution.Usage
	}{
		{
			name:    "output already counted by messages is not added",
			records: []string{"msg m1 30", "msg m1 20", "shut m1 1000 50 600 100"},
			want:    attribution.Usage{Input: 300, CacheRead: 600, CacheWrite: 100, Output: 50},
			shut:    []attribution.Usage{{Input: 300, CacheRead: 600, CacheWrite: 100}},
		},
		{
			name:    "output the messages missed is added",
			records: []string{"msg m1 30", "shut m1 1000 50 600 100"},
			want:    attribution.Usage{Input: 300, CacheRead: 600, CacheWrite: 100, Output: 50},
			shut:    []attribution.Usage{{Input: 300, CacheRead: 600, CacheWrite: 100, Output: 20}},
		},
		{
			name:    "messages without a model are taken off the listed models",
			records: []string{"msg - 40", "shut m1 100 50 0 0"},
			want:    attribution.Usage{Input: 100, Output: 50},
			shut:    []attribution.Usage{{Input: 100, Output: 10}},
		},
		{
			name:    "model names compared without the -1m suffix",
			records: []string{"msg m1-1m 50", "shut m1 100 50 0 0"},
			want:    attribution.Usage{Input: 100, Output: 50},
			shut:    []attribution.Usage{{Input: 100}},
		},
		{
			// Totals fell: the second shutdown restarted from zero.
			name:    "segments: totals restart at the resume",
			records: []string{"msg m1 50", "shut m1 1000 50 600 0", "resume", "msg m1 10", "shut m1 200 10 100 0"},
			want:    attribution.Usage{Input: 500, CacheRead: 700, Output: 60},
			shut:    []attribution.Usage{{Input: 400, CacheRead: 600}, {Input: 100, CacheRead: 100}},
		},
		{
			// Totals grew; the second shutdown's output (70) is the messages'
			// sum over the file (50+20), not over its segment (20): cumulative.
			name:    "cumulative: messages decide",
			records: []string{"msg m1 50", "shut m1 1000 50 600 0", "resume", "msg m1 20", "shut m1 1500 70 900 0"},
			want:    attribution.Usage{Input: 600, CacheRead: 900, Output: 70},
			shut:    []attribution.Usage{{Input: 400, CacheRead: 600}, {Input: 200, CacheRead: 300}},
		},
		{
			// Totals grew, but the output (60) matches the segment's messages
			// (60), not the file's (110): a larger second segment.
			name:    "segments: messages decide",
			records: []string{"msg m1 50", "shut m1 1000 50 600 0", "resume", "msg m1 60", "shut m1 1500 60 900 0"},
			want:    attribution.Usage{Input: 1000, CacheRead: 1500, Output: 110},
			shut:    []attribution.Usage{{Input: 400, CacheRead: 600}, {Input: 600, CacheRead: 900}},
		},
		{
			// No messages to compare: logs with checkpoints keep totals.
			name:    "cumulative: checkpoints decide",
			records: []string{"checkpoint", "shut m1 1000 50 600 0", "resume", "shut m1 1500 70 900 0"},
			want:    attribution.Usage{Input: 600, CacheRead: 900, Output: 70},
			shut:    []attribution.Usage{{Input: 400, CacheRead: 600, Output: 50}, {Input: 200, CacheRead: 300, Output: 20}},
		},
		{
			name:    "segments: without checkpoints totals restart",
			records: []string{"shut m1 1000 50 600 0", "resume", "shut m1 1500 70 900 0"},
			want:    attribution.Usage{Input: 1000, CacheRead: 1500, Output: 120},
			shut:    []attribution.Usage{{Input: 400, CacheRead: 600, Output: 50}, {Input: 600, CacheRead: 900, Output: 70}},
		},
		{
			name:    "cumulative: a model unchanged since the last shutdown adds nothing",
			records: []string{"checkpoint", "shut m1 1000 50 600 0", "resume", "shut2 m1 1000 50 600 0 m2 10 5 0 0"},
			want:    attribution.Usage{Input: 410, CacheRead: 600, Output: 55},
			shut:    []attribution.Usage{{Input: 400, CacheRead: 600, Output: 50}, {Input: 10, Output: 5}},
		},
		{
			// Input smaller than its cache counts cannot include them.
			name:    "uncached input",
			records: []string{"shut m1 10 5 600 100"},
			want:    attribution.Usage{Input: 10, CacheRead: 600, CacheWrite: 100, Output: 5},
			shut:    []attribution.Usage{{Input: 10, CacheRead: 600, CacheWrite: 100, Output: 5}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := readLines(t, session(tt.records...))
			if got := sum(evs); got != tt.want {
				t.Errorf("total %+v, want %+v", got, tt.want)
			}
			var shut []attribution.Usage
			for _, e := range evs {
				if strings.Contains(e.Key, "/shutdown/") {
					shut = append(shut, e.Usage)
					if e.LowerBound {
						t.Errorf("shutdown event marked LowerBound")
					}
				} else if !e.LowerBound {
					t.Errorf("message event not marked LowerBound")
				}
			}
			if fmt.Sprint(shut) != fmt.Sprint(tt.shut) {
				t.Errorf("shutdown events %+v, want %+v", shut, tt.shut)
			}
		})
	}
}

// TestShutdownShapes covers the shapes of session.shutdown data seen in logs.
func TestShutdownShapes(t *testing.T) {
	tests := []struct {
		name, data string
		model      string
		want       attribution.Usage
	}{
		{"requests as a number, tokenDetails", `{"currentModel":"m9","modelMetrics":{"m2":{"requests":2}},"tokenDetails":{"input":{"tokenCount":100},"output":{"tokenCount":15},"cache_read":{"tokenCount":5},"cache_write":{"tokenCount":0}}}`,
			"m2", attribution.Usage{Input: 95, CacheRead: 5, Output: 15}},
		{"tokenDetails without modelMetrics: currentModel", `{"currentModel":"m9","tokenDetails":{"input":{"tokenCount":10},"output":{"tokenCount":1}}}`,
			"m9", attribution.Usage{Input: 10, Output: 1}},
		{"usage with reasoning", `{"modelMetrics":{"m3":{"requests":{"count":1,"cost":1},"usage":{"inputTokens":"40","outputTokens":10,"reasoningTokens":4}}}}`,
			"m3", attribution.Usage{Input: 40, Output: 10, Reasoning: 4}},
		{"no usage anywhere", `{"modelMetrics":{"m3":{"requests":{"count":1}}},"currentModel":"m3"}`, "", attribution.Usage{}},
		{"empty", `{}`, "", attribution.Usage{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := `{"type":"session.shutdown","id":"x","timestamp":"2026-01-01T00:00:00Z","data":` + tt.data + `}`
			evs := readLines(t, [][]byte{[]byte(line)})
			if tt.model == "" {
				if len(evs) != 0 {
					t.Fatalf("events %+v", evs)
				}
				return
			}
			if len(evs) != 1 || evs[0].Model != tt.model || evs[0].Usage != tt.want || evs[0].Key != "S/shutdown/x/"+tt.model {
				t.Errorf("events %+v, want one %s %+v", evs, tt.model, tt.want)
			}
		})
	}
}
