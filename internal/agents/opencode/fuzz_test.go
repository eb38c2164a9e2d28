package opencode

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// checkEvent fails on an event a note could not hold.
func checkEvent(t *testing.T, e attribution.Event) {
	t.Helper()
	switch {
	case e.Usage.Validate() != nil:
		t.Fatalf("invalid usage %+v: %v", e.Usage, e.Usage.Validate())
	case e.Usage.IsZero():
		t.Fatalf("empty event %+v", e)
	case e.Agent != attribution.AgentOpenCode:
		t.Fatalf("agent %q", e.Agent)
	case !attribution.ValidName(e.Model):
		t.Fatalf("model %q cannot go into a note", e.Model)
	case e.Time.IsZero() || e.Time.Location() != time.UTC:
		t.Fatalf("time %v", e.Time)
	case !strings.HasPrefix(e.Key, partKey) && !strings.HasPrefix(e.Key, messageKey):
		t.Fatalf("key %q", e.Key)
	}
}

// FuzzData feeds arbitrary bytes to the message and part decoders as the
// database reader uses them: no panic, errors only of the errShape kind, and
// every event valid.
func FuzzData(f *testing.F) {
	f.Add([]byte(`{"role":"assistant","providerID":"anthropic","modelID":"claude-sonnet-4-5","path":{"cwd":"/r","root":"/r"},"time":{"created":1767312000000,"completed":1767312004000},"tokens":{"input":100,"output":50,"reasoning":0,"cache":{"read":10,"write":20}}}`))
	f.Add([]byte(`{"type":"step-finish","reason":"tool-calls","snapshot":"4b825dc6","cost":0.01,"tokens":{"total":13090,"input":3200,"output":250,"reasoning":640,"cache":{"read":9000,"write":0}}}`))
	f.Add([]byte(`{"id":"m_assistant_large_1","role":"assistant","model":{"providerID":"openai","modelID":"gpt-4o-mini"},"cost":{"input":24,"output":8},"path":"/tmp/large","tokens":{"input":120,"output":16}}`))
	f.Add([]byte(`{"type":"step-finish","tokens":{"input":"12","output":3}}`))
	f.Add([]byte(`{"role":"assistant","tokens":{"input":-1e308,"output":1e308,"reasoning":9e15}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, merr := parseMessage(data)
		p, ok, perr := parseStep(data)
		for _, err := range []error{merr, perr} {
			if err != nil && !strings.Contains(err.Error(), errShape.Error()) {
				t.Fatalf("error %v is not errShape", err)
			}
		}
		ses := session{directory: "/work/repo", created: t0}
		if info.tokens != nil {
			if u, err := info.tokens.usage(info.provider); err == nil {
				if e, ok := (call{key: messageKey + "m", session: "s", msg: info, ses: ses, usage: u}).event(); ok {
					checkEvent(t, e)
				}
			}
		}
		if ok {
			if u, err := p.Tokens.usage(info.provider); err == nil {
				c := call{key: partKey + "p", session: "s", msg: info, ses: ses, usage: u, at: stepTime(t0.Add(time.Minute), info)}
				if e, ok := c.event(); ok {
					checkEvent(t, e)
				}
			}
		}
	})
}

// FuzzLegacyFile feeds arbitrary bytes to the legacy reader as a message
// file and as a part file of a storage folder holding one well-formed
// session, message and step part: no panic, every event valid, at most one
// event per file.
func FuzzLegacyFile(f *testing.F) {
	for _, name := range []string{
		"storage_v2/message/s_stage0_large/msg_0002.json",
		"storage_v2/part/m_assistant_large_1/006.json",
		"storage_v2/part/m_assistant_large_1/001.json",
		"storage_legacy/message/s_stage0_drift/msg_0002.json",
	} {
		data, err := os.ReadFile(filepath.Join(samples, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"id":"prt_x","messageID":"msg_1","type":"step-finish","tokens":{"input":1,"output":2,"cache":{"read":3,"write":4},"reasoning":5,"total":15}}`))
	storage := filepath.Join(f.TempDir(), "storage")
	writeJSON(f, filepath.Join(storage, "session", "p", "ses_1.json"),
		map[string]any{"id": "ses_1", "version": "1.3.0", "directory": "/work/repo", "time": map[string]any{"created": at(0)}})
	m := assistant("anthropic", "claude-sonnet-4-5", "/work/repo", at(time.Second), at(3*time.Second), tok(1, 2, 0, 0, 0, 3))
	m["id"], m["sessionID"] = "msg_1", "ses_1"
	writeJSON(f, filepath.Join(storage, "message", "ses_1", "msg_1.json"), m)
	msgPath := filepath.Join(storage, "message", "ses_1", "msg_2.json")
	partPath := filepath.Join(storage, "part", "msg_1", "prt_x.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		st := newStorage(attribution.AgentOpenCode)
		for path, read := range map[string]func(string, []byte, func(attribution.Event)) error{msgPath: st.message, partPath: st.part} {
			var events []attribution.Event
			err := read(path, data, func(e attribution.Event) { events = append(events, e) })
			if len(events) > 1 || (err != nil && len(events) > 0) {
				t.Fatalf("%s: %d events, error %v", path, len(events), err)
			}
			for _, e := range events {
				checkEvent(t, e)
			}
		}
	})
}
