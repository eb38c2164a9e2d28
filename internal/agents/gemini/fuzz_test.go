package gemini

import (
	"bytes"
	"os"
	"strings"
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
		t.Fatalf("empty usage emitted")
	case e.Agent != attribution.AgentGeminiCLI:
		t.Fatalf("agent %q", e.Agent)
	case !attribution.ValidName(e.Model):
		t.Fatalf("model %q cannot go into a note", e.Model)
	case e.Time.IsZero() || e.Time.Location() != nil && e.Time.Location().String() != "UTC":
		t.Fatalf("time %v", e.Time)
	case !strings.Contains(e.Key, "/") || strings.HasSuffix(e.Key, "/") || e.Session == "":
		t.Fatalf("key %q, session %q", e.Key, e.Session)
	}
}

// FuzzLines feeds the lines of one input to a parser: no panic, valid
// events only, and the same result from a parser resumed from State after
// each line.
func FuzzLines(f *testing.F) {
	f.Add([]byte(metaLine + "\n" + msgLine + "\n" + `{"$rewindTo":"m-1"}`))
	f.Add([]byte(metaLine + "\n" + `{"$set":{"messages":[` + msgLine + `]}}`))
	f.Add([]byte(`{"sessionId":"s","projectHash":"h","messages":[` + msgLine + `]}`))
	f.Add([]byte(`{"id":"m","type":"gemini","tokens":{"input":9,"output":1,"cached":20,"thoughts":3,"tool":1,"total":11},"timestamp":"2026-01-01T00:00:00Z"}`))
	if data, err := os.ReadFile(samplesTmp + "/agent-sessions/chats/jsonl_v040.jsonl"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Split(data, []byte("\n"))
		whole, _ := newParser(newProjects(), "/t/p/chats/session-f.jsonl", nil)
		var a []attribution.Event
		for _, l := range lines {
			_ = whole.Line(l, func(e attribution.Event) { checkEvent(t, e); a = append(a, e) })
		}
		// The same lines, with a new parser resumed from State after each.
		var b []attribution.Event
		var saved []byte
		for _, l := range lines {
			p, err := newParser(newProjects(), "/t/p/chats/session-f.jsonl", saved)
			if err != nil {
				t.Fatalf("state %q: %v", saved, err)
			}
			_ = p.Line(l, func(e attribution.Event) { b = append(b, e) })
			if saved, err = p.State(); err != nil {
				t.Fatal(err)
			}
		}
		if len(a) != len(b) {
			t.Fatalf("%d events in one pass, %d resumed", len(a), len(b))
		}
		for i := range a {
			if a[i].Key != b[i].Key || a[i].Usage != b[i].Usage || !a[i].Time.Equal(b[i].Time) || a[i].Session != b[i].Session {
				t.Fatalf("event %d: %+v vs resumed %+v", i, a[i], b[i])
			}
		}
	})
}

// FuzzDocument checks legacy documents: no panic, valid events only.
func FuzzDocument(f *testing.F) {
	for _, name := range []string{"0b7dfb1274ee51b336813b17f2ddab1f56b6591f723e7314126bbd502c69e9c9/chats/small.json",
		"205016864bd110904e9ad8314192344ab398d043e779da15bedbb9ee9be00da2/chats/large.json",
		"205016864bd110904e9ad8314192344ab398d043e779da15bedbb9ee9be00da2/chats/schema_drift.json"} {
		if data, err := os.ReadFile(samplesTmp + "/" + name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"sessionId":"s","messages":[` + msgLine + `,null,1,"x",{"id":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = parseDocument(newProjects(), "/t/p/chats/session-f.json", data, func(e attribution.Event) { checkEvent(t, e) })
	})
}
