package copilot

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Sample folders, relative to this package.
var (
	samples       = agenttest.Samples + "/copilot-cli"
	agentSessions = samples + "/agent-sessions" // jazzyalex/agent-sessions fixtures
	handmade      = samples + "/handmade"       // this package's hand-made Copilot home
)

// Session ids of the samples.
const (
	fixtureSession = "aaaabbbb-1111-2222-3333-ccccddddeeee" // agent-sessions events.jsonl
	smallSession   = "copilot_stage0_small"                 // agent-sessions small.jsonl (flat layout)
	resumeSession  = "5b1f3c2a-9d4e-4f60-8a7b-1c2d3e4f5a6b" // hand-made: two segments, two models
	otelSession    = "8e2d4c6a-0b1f-4a3c-9d5e-7f8a9b0c1d2e" // hand-made: also in the OTel export
	otlpSession    = "c0ffee00-1234-4abc-8def-0123456789ab" // hand-made: OTLP/JSON batch only
	otelExport     = "otel/copilot-otel-20260311-101500.jsonl"
)

// fixtureLog and smallLog are the agent-sessions files.
var (
	fixtureLog = agentSessions + "/session-state/" + fixtureSession + "/events.jsonl"
	smallLog   = agentSessions + "/small.jsonl"
)

// eventsLog is the path of a hand-made session's log.
func eventsLog(session string) string {
	return filepath.Join(handmade, dirSessions, session, eventsFile)
}

// home is a temporary Copilot home under construction.
type home struct {
	t   testing.TB
	dir string
}

// newHome returns an empty Copilot home in a temporary directory.
func newHome(t testing.TB) *home {
	t.Helper()
	return &home{t: t, dir: t.TempDir()}
}

// put copies src to rel below the home and returns the new path.
func (h *home) put(src, rel string) string {
	h.t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.write(rel, data)
}

// write writes data to rel below the home and returns the path.
func (h *home) write(rel string, data []byte) string {
	h.t.Helper()
	dst := filepath.Join(h.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		h.t.Fatal(err)
	}
	return dst
}

// session copies a hand-made session's log into the home.
func (h *home) session(id string) string {
	return h.put(eventsLog(id), dirSessions+"/"+id+"/"+eventsFile)
}

// env is an environment whose COPILOT_HOME is the home.
func (h *home) env(extra ...string) tail.Env {
	vars := map[string]string{envHome: h.dir}
	for i := 0; i+1 < len(extra); i += 2 {
		vars[extra[i]] = extra[i+1]
	}
	return agenttest.Env(h.t, vars)
}

// scan reads the home from scratch.
func (h *home) scan() agenttest.Summary {
	h.t.Helper()
	return agenttest.Scan(h.t, h.env(), Source())
}

// parseAll runs one fresh parser of the right kind over every line of path
// and returns the events.
func parseAll(t testing.TB, path string) []attribution.Event {
	t.Helper()
	p, err := Source().NewParser(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var evs []attribution.Event
	for _, line := range fileLines(t, path) {
		if err := p.Line(line, func(e attribution.Event) { evs = append(evs, e) }); err != nil {
			t.Logf("%s: %v", filepath.Base(path), err)
		}
	}
	return evs
}

// fileLines returns the lines of a file.
func fileLines(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		lines = append(lines, bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// sum adds up event vectors.
func sum(evs []attribution.Event) attribution.Usage {
	var u attribution.Usage
	for _, e := range evs {
		u = u.Add(e.Usage)
	}
	return u
}
