package amp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// doc builds a small thread document around messages and ledger events
// (JSON fragments).
func doc(messages, events string) string {
	s := `{"id":"T-1","created":1767865803494,"env":{"initial":{"trees":[{"uri":"file:///w"}]}},"messages":[` + messages + `]`
	if events != "" {
		s += `,"usageLedger":{"events":[` + events + `]}`
	}
	return s + "}"
}

const (
	msg1 = `{"role":"assistant","messageId":1,"usage":{"model":"m","timestamp":"2026-01-08T09:50:10Z","inputTokens":1,"outputTokens":2,"cacheCreationInputTokens":3,"cacheReadInputTokens":4}}`
	msg3 = `{"role":"assistant","messageId":3,"usage":{"model":"m","timestamp":"2026-01-08T09:51:00Z","inputTokens":10,"outputTokens":20,"cacheCreationInputTokens":30,"cacheReadInputTokens":40}}`
	evt1 = `{"id":"e1","timestamp":"2026-01-08T09:50:11Z","model":"m","tokens":{"input":1,"output":2},"toMessageId":1}`
)

func TestParseThread(t *testing.T) {
	type ev struct {
		key string
		u   attribution.Usage
	}
	tests := []struct {
		name    string
		data    string
		want    []ev
		wantErr string // substring of the error, "" for none
	}{
		{
			name: "ledger event owns its message; unreferenced message counted",
			data: doc(msg1+","+msg3, evt1),
			want: []ev{
				{"T-1/m/1", attribution.Usage{Input: 1, Output: 2, CacheWrite: 3, CacheRead: 4}},
				{"T-1/m/3", attribution.Usage{Input: 10, Output: 20, CacheWrite: 30, CacheRead: 40}},
			},
		},
		{
			name: "an unlinked ledger event stops message fallback",
			data: doc(msg1+","+msg3, `{"id":"e9","timestamp":"2026-01-08T09:52:00Z","model":"m","tokens":{"input":5,"output":6}}`),
			want: []ev{{"T-1/l/e9", attribution.Usage{Input: 5, Output: 6}}},
		},
		{
			name: "ledger event without id is keyed by position",
			data: doc(msg1, `{"timestamp":"2026-01-08T09:52:00Z","model":"x","operationType":"oracle","tokens":{"input":5,"output":6},"toMessageId":1},`+evt1),
			want: []ev{
				{"T-1/l/#0", attribution.Usage{Input: 5, Output: 6}},
				{"T-1/m/1", attribution.Usage{Input: 1, Output: 2, CacheWrite: 3, CacheRead: 4}},
			},
		},
		{
			name: "string message id and numeric strings",
			data: doc(`{"role":"assistant","messageId":"7","usage":{"model":"m","timestamp":"2026-01-08T09:50:10Z","inputTokens":"5","outputTokens":6.0}}`, ""),
			want: []ev{{"T-1/m/7", attribution.Usage{Input: 5, Output: 6}}},
		},
		{
			name: "message without id is keyed by position; no time falls back to created",
			data: doc(`{"role":"user"},{"role":"assistant","usage":{"model":"m","inputTokens":5,"outputTokens":6}}`, ""),
			want: []ev{{"T-1/i/1", attribution.Usage{Input: 5, Output: 6}}},
		},
		{
			name: "user messages and usage-less assistant messages emit nothing",
			data: doc(`{"role":"user","usage":{"inputTokens":9}},{"role":"assistant","messageId":2}`, ""),
		},
		{
			name: "zero usage emits nothing",
			data: doc(`{"role":"assistant","messageId":2,"usage":{"model":"m","inputTokens":0,"outputTokens":0}}`, ""),
		},
		{
			// The broken event is skipped; message 3, which it pointed to, is
			// then counted from its own usage (under the same key).
			name: "negative tokens skip one event",
			data: doc(msg1+","+msg3, evt1+`,{"id":"e2","timestamp":"2026-01-08T09:51:00Z","model":"m","tokens":{"input":-1,"output":2},"toMessageId":3}`),
			want: []ev{
				{"T-1/m/1", attribution.Usage{Input: 1, Output: 2, CacheWrite: 3, CacheRead: 4}},
				{"T-1/m/3", attribution.Usage{Input: 10, Output: 20, CacheWrite: 30, CacheRead: 40}},
			},
			wantErr: "1 usage record(s) skipped",
		},
		{
			name:    "fractional count",
			data:    doc(`{"role":"assistant","messageId":2,"usage":{"model":"m","inputTokens":1.5}}`, ""),
			wantErr: "not a token count",
		},
		{
			name:    "ledger event without tokens",
			data:    doc("", `{"id":"e1","timestamp":"2026-01-08T09:50:11Z","model":"m"}`),
			wantErr: "no tokens",
		},
		{
			name:    "no time anywhere",
			data:    `{"id":"T-1","messages":[{"role":"assistant","messageId":1,"usage":{"model":"m","inputTokens":1}}]}`,
			wantErr: "no usable timestamp",
		},
		{
			name:    "schema drift: messages is an object",
			data:    `{"id":"T-1","messages":{}}`,
			wantErr: "thread document",
		},
		{
			name:    "not JSON",
			data:    `{"id":"T-1","messages":[`,
			wantErr: "thread document",
		},
		{
			name: "empty document",
			data: `{}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []attribution.Event
			err := parseThread([]byte(tt.data), "/x/T-1.json", func(e attribution.Event) { got = append(got, e) })
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d events %+v, want %d", len(got), got, len(tt.want))
			}
			for i, e := range got {
				if e.Key != tt.want[i].key || e.Usage != tt.want[i].u {
					t.Errorf("event %d = %s %+v, want %s %+v", i, e.Key, e.Usage, tt.want[i].key, tt.want[i].u)
				}
				if e.Cwd != filepath.FromSlash("/w") || e.Time.IsZero() || e.Session != attribution.HashSession(attribution.AgentAmp, "T-1") {
					t.Errorf("event %d: cwd %q, time %v, session %q", i, e.Cwd, e.Time, e.Session)
				}
			}
		})
	}
}

// TestThreadIDFromFileName: a document without an id takes the file name's.
func TestThreadIDFromFileName(t *testing.T) {
	var got []attribution.Event
	data := `{"created":1767865803494,"messages":[` + msg1 + `]}`
	if err := parseThread([]byte(data), "/x/T-abc.json", func(e attribution.Event) { got = append(got, e) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Key != "T-abc/m/1" || got[0].Session != attribution.HashSession(attribution.AgentAmp, "T-abc") || got[0].Cwd != "" {
		t.Errorf("events %+v", got)
	}
	if !got[0].Time.Equal(time.Date(2026, 1, 8, 9, 50, 10, 0, time.UTC)) {
		t.Errorf("time %v", got[0].Time)
	}
}

func TestURIPath(t *testing.T) {
	tests := []struct{ uri, want string }{
		{"file:///home/dev/src/app", "/home/dev/src/app"},
		{"file:///home/dev/with%20space", "/home/dev/with space"},
		{"file:///c%3A/Users/dev/x", "c:/Users/dev/x"},
		{"file:///C:/Users/dev/x", "C:/Users/dev/x"},
		{"file://localhost/srv/x", "/srv/x"},
		{"file://server/share/x", ""},
		{"vscode-remote://ssh-remote+box/home/x", ""},
		{"/plain/path", ""},
		{"file:relative", ""},
		{"%zz", ""},
	}
	for _, tt := range tests {
		if got := uriPath(tt.uri); got != filepath.FromSlash(tt.want) {
			t.Errorf("uriPath(%q) = %q, want %q", tt.uri, got, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"12", 12, false}, {"null", 0, false}, {`"34"`, 34, false}, {"5.0", 5, false}, {"1e3", 1000, false},
		{"-1", 0, true}, {"1.5", 0, true}, {`"x"`, 0, true}, {"true", 0, true}, {"1e300", 0, true}, {"99999999999999999999", 0, true},
	}
	for _, tt := range tests {
		var c count
		err := c.UnmarshalJSON([]byte(tt.in))
		if (err != nil) != tt.err || (!tt.err && int64(c) != tt.want) {
			t.Errorf("count(%s) = %d, %v", tt.in, c, err)
		}
		if err != nil && !errors.Is(err, errBadCount) && tt.in != `"x"` && tt.in != "true" {
			t.Errorf("count(%s): error %v does not wrap errBadCount", tt.in, err)
		}
	}
}

// TestBrokenDocumentInScan: a document caught mid-write is one skipped file
// and one problem, and the other threads still count.
func TestBrokenDocumentInScan(t *testing.T) {
	root := t.TempDir()
	copyThread(t, threadFile(synthetic, sampleThread), threadFile(root, sampleThread))
	if err := os.WriteFile(threadFile(root, "T-broken"), []byte(`{"id":"T-broken","messages":[{"role":"assi`), 0o644); err != nil {
		t.Fatal(err)
	}
	got := agenttest.Scan(t, dataDirEnv(t, root), Source())
	st := got.Stats[attribution.AgentAmp]
	if st.Skipped != 1 || len(got.Problems) != 1 || !strings.Contains(got.Problems[0], "T-broken") {
		t.Errorf("stats %+v, problems %q", st, got.Problems)
	}
	if got.Total != sampleWant[0].total {
		t.Errorf("total %+v", got.Total)
	}
}

// TestOwnerStable: which ledger event takes a message's key depends on the
// ledger only, so the keys are the same whether the message's usage is
// written before its events, after them, or not at all.
func TestOwnerStable(t *testing.T) {
	events := `{"id":"o","timestamp":"2026-01-08T09:50:09Z","model":"gpt-5","operationType":"oracle","tokens":{"input":50,"output":5},"toMessageId":1},` +
		`{"id":"i","timestamp":"2026-01-08T09:50:10Z","model":"m","operationType":"inference","tokens":{"input":1,"output":2},"toMessageId":1}`
	noUsage := `{"role":"assistant","messageId":1,"state":{"type":"streaming"}}`
	keys := func(data string) map[string]attribution.Usage {
		out := map[string]attribution.Usage{}
		err := parseThread([]byte(data), "/x/T-1.json", func(e attribution.Event) { out[e.Key] = e.Usage })
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := keys(doc(noUsage, events))
	after := keys(doc(msg1, events))
	want := map[string]attribution.Usage{
		"T-1/m/1": {Input: 1, Output: 2, CacheWrite: 3, CacheRead: 4},
		"T-1/l/o": {Input: 50, Output: 5},
	}
	if fmt.Sprint(after) != fmt.Sprint(want) {
		t.Errorf("with usage: %v, want %v", after, want)
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("key %s appears only once the message has usage (before: %v)", k, before)
		}
	}
}
