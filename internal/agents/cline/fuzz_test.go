package cline

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// addSeeds adds the sample files matching pattern below dir as seeds.
func addSeeds(f *testing.F, dir, pattern string) {
	f.Helper()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ok, _ := filepath.Match(pattern, d.Name()); ok {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			f.Add(data)
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
}

// FuzzParseDocument feeds arbitrary bytes to the ui_messages.json parser of
// every flavour. It must not panic; every event must be one a note can
// hold, keyed by the task; and parsing is deterministic.
func FuzzParseDocument(f *testing.F) {
	addSeeds(f, filepath.Join(clineSample, ".."), "ui_messages.json")
	addSeeds(f, filepath.Join(rooSample, ".."), "ui_messages.json")
	addSeeds(f, filepath.Join(kiloSample, ".."), "ui_messages.json")
	f.Add([]byte(`[` + good + `,{"ts":1770000009000,"say":"deleted_api_reqs","text":"{\"tokensIn\":3}"},{"ts":1770000010000,"say":"subagent_usage","text":"{\"tokensOut\":1e3}"}]`))
	f.Add([]byte(`[{"ts":1770000002000,"say":"api_req_started","modelInfo":{"modelId":"m","providerId":"openai"},"text":"{\"tokensIn\":\"5\",\"tokensOut\":6,\"apiProtocol\":\"openai\",\"request\":\"# Current Working Directory (/x) Files\"}"}]`))
	f.Add([]byte(`[1,"x",null,{"ts":-1,"say":"api_req_started","text":"{\"tokensIn\":17179869185}"}`))
	flavors := []*flavor{clineFlavor(), rooFlavor(), kiloFlavor()}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fl := range flavors {
			tk := task{id: "t1", first: true, marks: []modelMark{{ts: 1770000000000, model: "m1", provider: "openai"}}}
			var a, b []attribution.Event
			errA := fl.parse(data, tk, func(e attribution.Event) { a = append(a, e) })
			errB := fl.parse(data, tk, func(e attribution.Event) { b = append(b, e) })
			if (errA == nil) != (errB == nil) || !reflect.DeepEqual(a, b) {
				t.Fatalf("%s: two parses differ: %v %+v / %v %+v", fl.agent, errA, a, errB, b)
			}
			for _, e := range a {
				checkEvent(t, e, fl.agent)
				if !strings.HasPrefix(e.Key, "t1:") || e.Session != attribution.HashSession(fl.agent, "t1") {
					t.Fatalf("%s: key %q session %q", fl.agent, e.Key, e.Session)
				}
				if e.Cwd != "" && !looksAbsolute(e.Cwd) {
					t.Fatalf("%s: cwd %q", fl.agent, e.Cwd)
				}
			}
		}
	})
}

// FuzzParseSDKSession does the same for Cline SDK messages files.
func FuzzParseSDKSession(f *testing.F) {
	addSeeds(f, clineSDK, "*.messages.json")
	f.Add([]byte(`[{"id":"m","role":"assistant","ts":1,"metrics":{"inputTokens":5}},{"id":"n","role":"assistant","ts":1770000000000,"metrics":{"inputTokens":"5"}}]`))
	f.Add([]byte(`{"messages":[{"id":"m","role":"assistant","ts":1770000000000,"metadata":{"displayOnly":true},"metrics":{"outputTokens":3}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := sdkSession{dir: "s1", stem: "s1", model: "fallback", cwd: "/w"}
		var events []attribution.Event
		_ = parseSDKSession(data, s, func(e attribution.Event) { events = append(events, e) })
		for _, e := range events {
			checkEvent(t, e, attribution.AgentCline)
			if !strings.HasPrefix(e.Key, "sdk:s1/s1:") || e.Session == "" || e.Cwd != "/w" {
				t.Fatalf("event %+v", e)
			}
		}
	})
}

// FuzzStripJSONC checks that stripping comments never panics and leaves
// plain JSON unchanged.
func FuzzStripJSONC(f *testing.F) {
	f.Add([]byte(`{"a":1, // c
	"b":[1,2,],/* x */}`))
	f.Add([]byte(`{"a":"//\"/*"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out := stripJSONC(data)
		if json.Valid(data) && !bytes.Equal(out, data) {
			t.Fatalf("valid JSON changed: %q -> %q", data, out)
		}
	})
}

// checkEvent fails on an event a note cannot hold.
func checkEvent(t *testing.T, e attribution.Event, agent string) {
	t.Helper()
	switch {
	case e.Agent != agent:
		t.Fatalf("agent %q", e.Agent)
	case e.Usage.Validate() != nil || e.Usage.IsZero():
		t.Fatalf("usage %+v", e.Usage)
	case !attribution.ValidName(e.Model):
		t.Fatalf("model %q", e.Model)
	case e.Time.IsZero() || e.Time.Year() < 1970 || e.Time.Year() > 9999:
		t.Fatalf("time %v", e.Time)
	case e.Key == "":
		t.Fatalf("no key")
	}
}
