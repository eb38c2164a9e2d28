package copilot

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// grow writes the log in steps: each call appends data and moves the
// modification time forward so that the scanner sees a change.
type grow struct {
	t    *testing.T
	path string
	now  time.Time
}

func (g *grow) append(data []byte) {
	g.t.Helper()
	f, err := os.OpenFile(g.path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		g.t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		g.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		g.t.Fatal(err)
	}
	g.now = g.now.Add(time.Second)
	if err := os.Chtimes(g.path, g.now, g.now); err != nil {
		g.t.Fatal(err)
	}
}

// TestIncrementalSession replays the hand-made resumed session line by line
// (each line written in two halves, a scan after each write) with one
// scan.State, as successive commits would see it. While the session runs
// only output is known (LowerBound); each shutdown adds the input and cache
// counts; the scans add up to one full scan and nothing counts twice.
func TestIncrementalSession(t *testing.T) {
	lines := fileLines(t, eventsLog(resumeSession))
	h := newHome(t)
	g := &grow{t: t, path: h.write("session-state/"+resumeSession+"/events.jsonl", nil), now: time.Now()}
	st := scan.NewState()
	var total attribution.Usage
	requests := 0
	for i, line := range lines {
		half := len(line) / 2
		for _, part := range [][]byte{line[:half], append(bytes.Clone(line[half:]), '\n')} {
			g.append(part)
			got := agenttest.ScanState(t, h.env(), st, Source())
			total = total.Add(got.Total)
			requests += got.Requests
			if len(got.Problems) != 0 {
				t.Fatalf("line %d: %v", i+1, got.Problems)
			}
		}
		switch i + 1 {
		case 9: // the first segment's messages, before its shutdown
			if want := (attribution.Usage{Output: 200}); total != want {
				t.Errorf("before the first shutdown: %+v, want %+v", total, want)
			}
		case 10: // the first shutdown adds input and cache
			if want := (attribution.Usage{Input: 1000, CacheRead: 24000, CacheWrite: 5000, Output: 200}); total != want {
				t.Errorf("after the first shutdown: %+v, want %+v", total, want)
			}
		}
	}
	full := newHome(t)
	full.session(resumeSession)
	want := full.scan()
	if total != want.Total || requests != want.Requests {
		t.Errorf("line by line: %+v in %d requests; one scan: %+v in %d", total, requests, want.Total, want.Requests)
	}
	// Nothing left to add.
	if got := agenttest.ScanState(t, h.env(), st, Source()); len(got.Events) != 0 {
		t.Errorf("a scan of unchanged files added %+v", got.Total)
	}
}

// TestIncrementalExport appends the export record by record: each chat span
// adds its call once; the inference log of a call already counted, the tool
// and agent spans and the metric add nothing; the event log of the exported
// session never counts.
func TestIncrementalExport(t *testing.T) {
	lines := fileLines(t, handmade+"/"+otelExport)
	h := newHome(t)
	h.session(otelSession)
	g := &grow{t: t, path: h.write(otelExport, nil), now: time.Now()}
	st := scan.NewState()
	adds := []attribution.Usage{
		{Input: 1000, CacheRead: 9000, CacheWrite: 2000, Output: 150}, // resp_s2_1 (the export now names the session: its log stays silent)
		{}, // inference log of resp_s2_1
		{}, // execute_tool span
		{Input: 2500, CacheRead: 11000, CacheWrite: 500, Output: 90, Reasoning: 40}, // resp_s2_2
		{}, // invoke_agent span
		{}, // metric
		{Input: 500, CacheWrite: 300, Output: 20},                 // OTLP batch, resp_s3_1
		{Input: 400, CacheRead: 100, CacheWrite: 400, Output: 30}, // resp_s3_2
	}
	if len(lines) != len(adds) {
		t.Fatalf("%d lines, want %d", len(lines), len(adds))
	}
	for i, line := range lines {
		g.append(append(bytes.Clone(line), '\n'))
		got := agenttest.ScanState(t, h.env(), st, Source())
		if got.Total != adds[i] {
			t.Errorf("line %d added %+v, want %+v", i+1, got.Total, adds[i])
		}
	}
}

// TestExporterFileOutsideHome: an export written outside the Copilot home
// (COPILOT_OTEL_FILE_EXPORTER_PATH) is read, and still silences the event
// log of the session it names, because the Source learns the variable from
// the scan's environment.
func TestExporterFileOutsideHome(t *testing.T) {
	h := newHome(t)
	h.session(otelSession)
	other := t.TempDir() + "/copilot-otel.jsonl"
	data, err := os.ReadFile(handmade + "/" + otelExport)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, data, 0o644); err != nil {
		t.Fatal(err)
	}
	got := agenttest.Scan(t, h.env(envOTelFile, other), Source())
	want := attribution.Usage{Input: 4400, CacheRead: 20100, CacheWrite: 3200, Output: 290, Reasoning: 40}
	if got.Total != want || got.Requests != 4 || len(got.Files) != 1 {
		t.Errorf("total %+v in %d requests (files %v), want %+v in 4", got.Total, got.Requests, got.Files, want)
	}
	// The working directory of the exported session comes from its event
	// log in the Copilot home the scan named.
	sess := attribution.HashSession(attribution.AgentCopilotCLI, otelSession)
	for _, e := range got.Events {
		if e.Session == sess && e.Cwd != "/home/dev/src/web" {
			t.Errorf("event %+v: cwd %q", e, e.Cwd)
		}
	}
}

// TestRewrittenLog replaces, truncates and regrows a log already counted:
// the parser starts again from the top with fresh state, and the stable keys
// (session id and record ids) keep anything from counting twice.
func TestRewrittenLog(t *testing.T) {
	lines := fileLines(t, eventsLog(resumeSession))
	join := func(ls [][]byte) []byte { return append(bytes.Join(ls, []byte("\n")), '\n') }
	h := newHome(t)
	path := h.session(resumeSession)
	st := scan.NewState()
	first := agenttest.ScanState(t, h.env(), st, Source())
	if first.Requests != 6 {
		t.Fatalf("first scan: %d requests", first.Requests)
	}
	now := time.Now()
	steps := []struct {
		name string
		data []byte
	}{
		{"replaced by a copy", join(lines)},
		{"truncated to the first segment", join(lines[:10])},
		{"grown again", join(lines)},
	}
	for _, s := range steps {
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, s.data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil { // a new inode
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
		if err := os.Chtimes(path, now, now); err != nil {
			t.Fatal(err)
		}
		got := agenttest.ScanState(t, h.env(), st, Source())
		if len(got.Events) != 0 {
			t.Errorf("%s: scan added %+v in %d events", s.name, got.Total, len(got.Events))
		}
		if st := got.Stats[attribution.AgentCopilotCLI]; st.Read != 1 {
			t.Errorf("%s: stats %+v, want the file read again", s.name, st)
		}
	}
}
