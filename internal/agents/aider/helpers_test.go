package aider

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// Sample files (see testdata/sessions/aider/SOURCES.md).
var (
	sampleDir       = filepath.Join(agenttest.Samples, "aider")
	sampleAnalytics = filepath.Join(sampleDir, "sample-analytics.jsonl")
	sampleHead      = filepath.Join(sampleDir, "chat-history.head.md")
	sampleTail      = filepath.Join(sampleDir, "chat-history.tail.md")
)

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t testing.TB, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// parse feeds content to a parser of the given role line by line, as the
// scanner does (empty lines and a trailing "\r" are not passed). With
// roundTrip the parser is re-created from its State after every line, which
// must change nothing.
func parse(t testing.TB, ro role, content []byte, roundTrip bool) (events []attribution.Event, skipped int) {
	t.Helper()
	p, err := newParser("f", ro, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(content, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			continue
		}
		if err := p.Line(line, func(e attribution.Event) { events = append(events, e) }); err != nil {
			skipped++
		}
		if roundTrip {
			st, err := p.State()
			if err != nil {
				t.Fatal(err)
			}
			if p, err = newParser("f", ro, st); err != nil {
				t.Fatalf("restore state %s: %v", st, err)
			}
		}
	}
	return events, skipped
}

func sum(events []attribution.Event) attribution.Usage {
	var u attribution.Usage
	for _, e := range events {
		u = u.Add(e.Usage)
	}
	return u
}

// checkEvents verifies what every event of this package must satisfy. keyed
// says the events come straight from a parser (a scan's events no longer
// carry their keys): their keys must then be distinct.
func checkEvents(t testing.TB, events []attribution.Event, keyed bool) {
	t.Helper()
	keys := map[string]bool{}
	for _, e := range events {
		if err := e.Usage.Validate(); err != nil {
			t.Errorf("invalid usage %+v: %v", e.Usage, err)
		}
		if e.Agent != attribution.AgentAider || e.Session == "" || !attribution.ValidName(e.Model) || e.Time.IsZero() {
			t.Errorf("bad event %+v", e)
		}
		if e.Time.Location() != time.UTC {
			t.Errorf("time %v is not UTC", e.Time)
		}
		if !keyed {
			continue
		}
		if e.Key == "" || keys[e.Key] {
			t.Errorf("key %q empty or emitted twice", e.Key)
		}
		keys[e.Key] = true
	}
}
