package cline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// good is a complete request; the cases below put broken messages around it.
const good = `{"ts":1770000000000,"type":"say","say":"api_req_started","text":"{\"tokensIn\":5,\"tokensOut\":6,\"cacheReads\":7,\"cacheWrites\":8}"}`

// TestMalformedDocuments feeds damaged and drifted documents to the parser:
// unusable messages are skipped and reported, never a panic, and usable
// ones still count.
func TestMalformedDocuments(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		events  int
		wantErr string // "" for none
	}{
		{"empty file", ``, 0, "not a JSON document"},
		{"not JSON", `hello`, 0, "not a JSON document"},
		{"an object, not an array", `{"ts":1}`, 0, "not a JSON array"},
		{"a string", `"[]"`, 0, "not a JSON array"},
		{"empty array", `[]`, 0, ""},
		{"cut mid-write", `[` + good + `,{"ts":1770000001000,"say":"api_req_started","text":"{\"tokensIn\":`, 1, "breaks off"},
		{"cut after a comma", `[` + good + `,`, 1, "breaks off"},
		{"missing closing bracket", `[` + good, 1, "breaks off"},
		{"elements that are not objects", `[1,"x",null,true,[],` + good + `]`, 1, ""},
		{"text not a string", `[{"ts":1,"say":"api_req_started","text":{"tokensIn":5}},` + good + `]`, 1, "text is not a string"},
		{"text not JSON", `[{"ts":1,"say":"api_req_started","text":"tokens: 5"},` + good + `]`, 1, "not a JSON object"},
		{"text a JSON array", `[{"ts":1,"say":"api_req_started","text":"[5,6]"},` + good + `]`, 1, "not a JSON object"},
		{"numbers as strings", `[{"ts":1770000002000,"say":"api_req_started","text":"{\"tokensIn\":\"5\",\"tokensOut\":6}"},` + good + `]`, 1, "tokensIn"},
		{"negative count", `[{"ts":1770000002000,"say":"api_req_started","text":"{\"tokensIn\":-5}"}]`, 0, "out of range"},
		{"fractional count", `[{"ts":1770000002000,"say":"api_req_started","text":"{\"tokensOut\":1.5}"}]`, 0, "out of range"},
		{"absurd count", `[{"ts":1770000002000,"say":"api_req_started","text":"{\"tokensOut\":1e30}"}]`, 0, "out of range"},
		{"ts as a string", `[{"ts":"1770000002000","say":"api_req_started","text":"{\"tokensIn\":5}"}]`, 0, "ts"},
		{"no ts", `[{"say":"api_req_started","text":"{\"tokensIn\":5}"}]`, 0, "no ts"},
		{"ts zero", `[{"ts":0,"say":"api_req_started","text":"{\"tokensIn\":5}"}]`, 0, "out of range"},
		{"say not a string", `[{"ts":1,"say":7,"text":"x"},` + good + `]`, 1, ""},
		{"text null or empty", `[{"ts":1,"say":"api_req_started","text":null},{"ts":2,"say":"api_req_started","text":""},{"ts":3,"say":"api_req_started"}]`, 0, ""},
		{"placeholder still streaming", `[{"ts":1,"say":"api_req_started","text":"{\"request\":\"...\",\"apiProtocol\":\"openai\"}"}]`, 0, ""},
		{"all counts zero", `[{"ts":1770000002000,"say":"api_req_started","text":"{\"tokensIn\":0,\"tokensOut\":0,\"cacheReads\":0,\"cacheWrites\":0}"}]`, 0, ""},
		{"null counts are absent", `[{"ts":1770000002000,"say":"api_req_started","text":"{\"tokensIn\":null,\"tokensOut\":3}"}]`, 1, ""},
		{"modelInfo of the wrong type", `[{"ts":1770000002000,"say":"api_req_started","modelInfo":"claude","text":"{\"tokensOut\":3}"}]`, 1, ""},
		{"other says ignored", `[{"ts":1,"say":"text","text":"{\"tokensIn\":5}"},{"ts":2,"type":"ask","ask":"api_req_failed","text":"{\"tokensIn\":5}"}]`, 0, ""},
		{"duplicate keys: last wins", `[{"ts":1770000002000,"say":"api_req_started","text":"{\"tokensOut\":3,\"tokensOut\":4}"}]`, 1, ""},
		{"invalid UTF-8 in text", "[{\"ts\":1770000002000,\"say\":\"api_req_started\",\"text\":\"{\\\"tokensOut\\\":3,\\\"request\\\":\\\"\xff\xfe\\\"}\"}]", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []*flavor{clineFlavor(), rooFlavor()} {
				var events []attribution.Event
				err := f.parse([]byte(tt.data), task{id: "t", first: true}, func(e attribution.Event) { events = append(events, e) })
				if len(events) != tt.events {
					t.Errorf("%s: %d events, want %d", f.agent, len(events), tt.events)
				}
				switch {
				case tt.wantErr == "" && err != nil:
					t.Errorf("%s: error %v", f.agent, err)
				case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
					t.Errorf("%s: error %v, want one containing %q", f.agent, err, tt.wantErr)
				}
				for _, e := range events {
					if err := e.Usage.Validate(); err != nil || e.Usage.IsZero() {
						t.Errorf("%s: event %+v", f.agent, e)
					}
				}
			}
		})
	}
}

// TestMalformedFileStats reads a damaged ui_messages.json through the
// source: it counts as skipped, its usable requests still count, and the
// file is not read again until it changes.
func TestMalformedFileStats(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tasks", "t1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, uiMessagesFile)
	data := `[` + good + `,{"ts":1770000009000,"say":"api_req_started","text":"{\"tokensIn\":\"7\"}"}]`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	events, st, err := readEvents(t, RooSource(), path)
	if err == nil || !strings.Contains(err.Error(), "1 unusable usage message") || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v", err)
	}
	if len(events) != 1 || st.Skipped != 1 || st.Read != 1 || st.Events != 1 {
		t.Errorf("%d events, stats %+v", len(events), st)
	}
	if events[0].Key != "t1:1770000000000" || events[0].Model != "unknown" || events[0].Cwd != "" {
		t.Errorf("event %+v", events[0])
	}
}

// TestBrokenSideFiles: damaged side files leave model and working directory
// unknown but never lose usage.
func TestBrokenSideFiles(t *testing.T) {
	storage := filepath.Join(t.TempDir(), "globalStorage")
	task := filepath.Join(storage, "tasks", "t1")
	if err := os.MkdirAll(filepath.Join(storage, "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(task, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		filepath.Join(storage, "state", clineTaskHistory): `[{"id":"t1","cwdOnTaskInitialization":`,
		filepath.Join(task, taskMetadataFile):             `{"model_usage":"claude"}`,
		filepath.Join(task, historyItemFile):              `[]`,
		filepath.Join(task, apiHistoryFile):               `[{"role":"user","ts":"x","content":"<model>m</model>"},7,{"role":"user","ts":1770000000500,"content":[{"type":"text","text":"<model>` + strings.Repeat("x", 300) + `</model>"}]}`,
		filepath.Join(task, uiMessagesFile):               `[` + good + `]`,
	}
	for p, data := range files {
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, src := range []string{attribution.AgentCline, attribution.AgentRooCode} {
		s := Source()
		if src == attribution.AgentRooCode {
			s = RooSource()
		}
		events, st, err := readEvents(t, s, filepath.Join(task, uiMessagesFile))
		if err != nil || len(events) != 1 || st.Skipped != 0 {
			t.Fatalf("%s: %v, %d events, %+v", src, err, len(events), st)
		}
		if e := events[0]; e.Model != "unknown" || e.Cwd != "" || e.Usage != (attribution.Usage{Input: 5, Output: 6, CacheRead: 7, CacheWrite: 8}) {
			t.Errorf("%s: event %+v", src, e)
		}
	}
}
