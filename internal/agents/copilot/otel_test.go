package copilot

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

func TestOTelUsage(t *testing.T) {
	tests := []struct {
		name      string
		attrs     string
		want      attribution.Usage
		estimated bool
		err       bool
	}{
		{"cache inside input, reasoning inside output (Copilot 1.0.82 shape)",
			`{"gen_ai.usage.input_tokens":15987,"gen_ai.usage.cache_read.input_tokens":5888,"gen_ai.usage.output_tokens":77,"gen_ai.usage.reasoning.output_tokens":64}`,
			attribution.Usage{Input: 10099, CacheRead: 5888, Output: 77, Reasoning: 64}, false, false},
		{"cache_write spelling",
			`{"gen_ai.usage.input_tokens":100,"gen_ai.usage.cache_write.input_tokens":30,"gen_ai.usage.output_tokens":5}`,
			attribution.Usage{Input: 70, CacheWrite: 30, Output: 5}, false, false},
		{"reasoning beside output, as total_tokens shows",
			`{"gen_ai.usage.input_tokens":100,"gen_ai.usage.output_tokens":50,"gen_ai.usage.reasoning.output_tokens":5,"gen_ai.usage.total_tokens":155}`,
			attribution.Usage{Input: 100, Output: 55, Reasoning: 5}, false, false},
		{"input smaller than its cache counts is uncached",
			`{"gen_ai.usage.input_tokens":10,"gen_ai.usage.cache_read.input_tokens":500,"gen_ai.usage.output_tokens":5}`,
			attribution.Usage{Input: 10, CacheRead: 500, Output: 5}, false, false},
		{"only a total",
			`{"gen_ai.usage.total_tokens":567}`,
			attribution.Usage{Output: 567}, true, false},
		{"numeric strings",
			`{"gen_ai.usage.input_tokens":"12","gen_ai.usage.output_tokens":"3"}`,
			attribution.Usage{Input: 12, Output: 3}, false, false},
		{"negative", `{"gen_ai.usage.input_tokens":-1}`, attribution.Usage{}, false, true},
		{"not a number", `{"gen_ai.usage.output_tokens":"many"}`, attribution.Usage{}, false, true},
		{"none", `{"gen_ai.operation.name":"chat"}`, attribution.Usage{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var attrs map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.attrs), &attrs); err != nil {
				t.Fatal(err)
			}
			u, est, err := otelUsage(attrs)
			if (err != nil) != tt.err || u != tt.want || est != tt.estimated {
				t.Errorf("otelUsage = %+v, %v, %v; want %+v, %v, error %v", u, est, err, tt.want, tt.estimated, tt.err)
			}
		})
	}
}

// TestOTelRecords covers which records count and how they are keyed.
func TestOTelRecords(t *testing.T) {
	const usage = `"gen_ai.usage.input_tokens":10,"gen_ai.usage.output_tokens":2`
	tests := []struct {
		name, line string
		key        string // "" for no event
		at         time.Time
		err        bool
	}{
		{"chat span by operation", `{"type":"span","traceId":"t","spanId":"s","name":"x","endTime":[1767225600,500000000],"attributes":{"gen_ai.operation.name":"chat","gen_ai.response.id":"r1",` + usage + `}}`,
			"r:r1", time.Date(2026, 1, 1, 0, 0, 0, 5e8, time.UTC), false},
		{"chat span by name, no response id", `{"traceId":"t","spanId":"s","name":"chat gpt-5","startTime":[1767225600,0],"attributes":{` + usage + `}}`,
			"s:t:s", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"span context ids", `{"name":"chat m","kind":1,"spanContext":{"traceId":"t2","spanId":"s2"},"timestamp":1767225600000,"attributes":{` + usage + `}}`,
			"s:t2:s2", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"inference log with response id", `{"hrTime":[1767225600,0],"_body":"GenAI inference: m","attributes":{"gen_ai.response.id":"r1",` + usage + `}}`,
			"r:r1", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"inference log by event name", `{"timeUnixNano":"1767225600000000000","attributes":{"event.name":"gen_ai.client.inference.operation.details","gen_ai.response.id":"r1",` + usage + `}}`,
			"r:r1", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"inference log without response id is not read", `{"hrTime":[1767225600,0],"_body":"GenAI inference: m","attributes":{` + usage + `}}`, "", time.Time{}, false},
		{"invoke_agent span is not read", `{"type":"span","name":"invoke_agent x","attributes":{"gen_ai.operation.name":"invoke_agent",` + usage + `}}`, "", time.Time{}, false},
		{"agent turn log is not read", `{"hrTime":[1767225600,0],"attributes":{"event.name":"copilot_chat.agent.turn",` + usage + `}}`, "", time.Time{}, false},
		{"no time and none before", `{"type":"span","name":"chat m","attributes":{` + usage + `}}`, "", time.Time{}, true},
		{"malformed", `{"type":"span","name":"chat m","attributes":{"gen_ai.usage.input_tokens":1`, "", time.Time{}, true},
		{"attributes of another type", `{"type":"span","name":"chat m","attributes":["gen_ai.usage.x"]}`, "", time.Time{}, true},
		{"OTLP log record", `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1767225600000000000","body":{"stringValue":"GenAI inference: m"},"attributes":[{"key":"gen_ai.response.id","value":{"stringValue":"r9"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"4"}}]}]}]}]}`,
			"r:r9", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := newOTelParser("/x/otel/a.jsonl", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			var evs []attribution.Event
			err = p.Line([]byte(tt.line), func(e attribution.Event) { evs = append(evs, e) })
			if (err != nil) != tt.err {
				t.Fatalf("error %v, want error %v", err, tt.err)
			}
			switch {
			case tt.key == "" && len(evs) != 0:
				t.Errorf("events %+v, want none", evs)
			case tt.key != "" && (len(evs) != 1 || evs[0].Key != tt.key || !evs[0].Time.Equal(tt.at)):
				t.Errorf("events %+v, want key %s at %v", evs, tt.key, tt.at)
			}
		})
	}
}

// TestOTelTimeFallback: a record without a time takes the last one seen.
func TestOTelTimeFallback(t *testing.T) {
	p, err := newOTelParser("/x/otel/a.jsonl", []byte(`{"t":1767225600000}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	var evs []attribution.Event
	line := `{"type":"span","name":"chat m","attributes":{"gen_ai.usage.output_tokens":2}}`
	if err := p.Line([]byte(line), func(e attribution.Event) { evs = append(evs, e) }); err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || !evs[0].Time.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || !strings.HasPrefix(evs[0].Key, "h:") {
		t.Errorf("events %+v", evs)
	}
	if _, err := newOTelParser("/x", []byte("{"), nil); err == nil {
		t.Error("bad state accepted")
	}
}

func TestScalarTimes(t *testing.T) {
	want := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range []string{"1767225600", "1767225600000", "1767225600000000", "1767225600000000000", `"1767225600000"`} {
		if got := scalarTime(json.RawMessage(v)); !got.Equal(want) {
			t.Errorf("scalarTime(%s) = %v", v, got)
		}
	}
	for _, v := range []string{"0", "-5", `"x"`, "12", "[1,2]"} {
		if got := scalarTime(json.RawMessage(v)); !got.IsZero() {
			t.Errorf("scalarTime(%s) = %v, want zero", v, got)
		}
	}
	for _, v := range []string{`[1767225600]`, `[1767225600,1000000000]`, `["a",0]`, `{}`} {
		if got := hrTime(json.RawMessage(v)); !got.IsZero() {
			t.Errorf("hrTime(%s) = %v, want zero", v, got)
		}
	}
}

// TestSessionIndex covers the search for session ids in exports: growth is
// searched from where the last search stopped, a rewrite from the start,
// and an incomplete last line waits for its end.
func TestSessionIndex(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "otel", "x.jsonl")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	ix := &sessionIndex{files: map[string]*indexedFile{}}
	write := func(data string, appendMode bool) {
		flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if appendMode {
			flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		}
		f, err := os.OpenFile(path, flag, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(data); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	src := []string{filepath.Join(dir, "otel")}
	write(`{"attributes":{"gen_ai.conversation.id" : "s1"}}`+"\n"+`{"attributes":{"copilot_chat.session_id":"s2"}}`+"\n"+`{"attributes":{"gen_ai.conversation.id":"s3`, false)
	if !ix.has(src, "s1") || !ix.has(src, "", "s2") || ix.has(src, "s3") || ix.has(src, "") {
		t.Errorf("first search wrong: %v", ix.files[path].ids)
	}
	if got := ix.files[path].scanned; got != int64(len(`{"attributes":{"gen_ai.conversation.id" : "s1"}}`+"\n"+`{"attributes":{"copilot_chat.session_id":"s2"}}`+"\n")) {
		t.Errorf("searched up to %d, want the end of the last complete line", got)
	}
	write(`"}}`+"\n", true)
	if !ix.has(src, "s3") {
		t.Errorf("completed line not searched")
	}
	write(`{"attributes":{"gen_ai.conversation.id":"s4"}}`+"\n", false)
	if ix.has(src, "s1") || !ix.has(src, "s4") {
		t.Errorf("rewritten file not searched again: %v", ix.files[path].ids)
	}
	if ix.has([]string{filepath.Join(dir, "missing")}, "s4") || !ix.has([]string{path}, "s4") {
		t.Errorf("sources as files or missing folders")
	}
}

func TestStringValue(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{`:"abc"`, "abc", true}, {` : "abc" ,`, "abc", true}, {`:""`, "", false}, {`:"a\"b"`, "", false},
		{`:12`, "", false}, {`"abc"`, "", false}, {`:"` + strings.Repeat("x", 300) + `"`, "", false}, {`:"open`, "", false},
	}
	for _, tt := range tests {
		got, ok := stringValue([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("stringValue(%q) = %q, %v", tt.in, got, ok)
		}
	}
}

// TestSessionIndexConcurrent asks the index from several goroutines while
// the export grows (run with -race).
func TestSessionIndexConcurrent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.jsonl")
	ix := &sessionIndex{files: map[string]*indexedFile{}}
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 50; i++ {
				ix.has([]string{dir}, "s1", "s2")
			}
			done <- true
		}()
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if _, err := f.WriteString(`{"attributes":{"gen_ai.conversation.id":"s` + strings.Repeat("0", i%3) + `9"}}` + "\n"); err != nil {
			t.Fatal(err)
		}
	}
	f.WriteString(`{"attributes":{"gen_ai.conversation.id":"s2"}}` + "\n")
	f.Close()
	for g := 0; g < 4; g++ {
		<-done
	}
	if !ix.has([]string{dir}, "s2") || ix.has([]string{dir}, "s1") {
		t.Errorf("final answer wrong")
	}
}
