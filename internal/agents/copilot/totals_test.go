package copilot

import (
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// TestSampleTotals checks each sample in its own Copilot home against
// figures derived by hand from the files (see the comments).
func TestSampleTotals(t *testing.T) {
	tests := []struct {
		name     string
		build    func(h *home)
		want     attribution.Usage
		requests int
		lower    int // events marked LowerBound
		session  string
		cwd      string
	}{
		{
			// agent-sessions fixture (Copilot 1.0.11): two assistant.message
			// records, outputTokens 12 and 14, no shutdown: output only.
			name:  "agent-sessions events.jsonl",
			build: func(h *home) { h.put(fixtureLog, "session-state/"+fixtureSession+"/events.jsonl") },
			want:  attribution.Usage{Output: 26}, requests: 2, lower: 2,
			session: fixtureSession, cwd: "/tmp/project",
		},
		{
			// agent-sessions small.jsonl in the older flat layout
			// (session-state/<id>.jsonl): messages with outputTokens 12 and 3
			// (the trimmed records after the shutdown have 0); the shutdown has
			// no modelMetrics usage but tokenDetails input 100 (with
			// cache_read 5), output 15. Its output is the messages' 12+3, so
			// the shutdown adds input 100-5 = 95 and cache read 5 only.
			name:  "agent-sessions small.jsonl, flat layout",
			build: func(h *home) { h.put(smallLog, "session-state/"+smallSession+".jsonl") },
			want:  attribution.Usage{Input: 95, CacheRead: 5, Output: 15}, requests: 3, lower: 2,
			session: smallSession, cwd: "/tmp/repo",
		},
		{
			// Hand-made, two segments (resumed), totals kept across the
			// resume (the log has usage_checkpoint records):
			//   messages: 120 + 80 (claude), 300 + 50 (gpt-5)      -> output 550
			//   shutdown 1, claude: input 30000 incl. read 24000 and write
			//     5000, output 200 = 120+80 -> adds input 1000, read 24000,
			//     write 5000, no output
			//   shutdown 2, claude: unchanged cumulative totals     -> nothing
			//   shutdown 2, gpt-5: input 18000 incl. read 12000, output 420,
			//     messages 350 -> adds input 6000, read 12000, output 70
			//     (reasoning 256 of the 420, reported within the 70)
			//   total: input 7000, read 36000, write 5000, output 620
			//   requests: 4 messages + 2 shutdown events
			name:     "hand-made resumed session",
			build:    func(h *home) { h.session(resumeSession) },
			want:     attribution.Usage{Input: 7000, CacheRead: 36000, CacheWrite: 5000, Output: 620, Reasoning: 70},
			requests: 6, lower: 4,
			session: resumeSession, cwd: "/home/dev/src/api",
		},
		{
			// Hand-made session without its export: read from the event log.
			//   messages 150 + 90; shutdown input 26000 incl. read 20000 and
			//   write 2500, output 240 (reasoning 40) -> adds input 3500,
			//   read 20000, write 2500, no output
			name:     "hand-made session, event log only",
			build:    func(h *home) { h.session(otelSession) },
			want:     attribution.Usage{Input: 3500, CacheRead: 20000, CacheWrite: 2500, Output: 240},
			requests: 3, lower: 2,
			session: otelSession, cwd: "/home/dev/src/web",
		},
		{
			// The same session with its export: the export counts, the event
			// log emits nothing. Chat spans (the inference log of resp_s2_1
			// takes the same key; the invoke_agent span is not read):
			//   resp_s2_1: input 12000 incl. read 9000, write 2000; output 150
			//              -> input 1000, read 9000, write 2000, output 150
			//   resp_s2_2: input 14000 incl. read 11000, write 500; output 90
			//              (reasoning 40) -> input 2500, read 11000, write 500
			//   OTLP batch, resp_s3_1 (another session): input 800 incl.
			//              write 300, output 20 -> input 500, write 300
			//   resp_s3_2 (same other session): input 900 incl. read 100,
			//              write 400; output 30 -> input 400, read 100, write 400
			//   total: input 4400, read 20100, write 3200, output 290
			name: "hand-made session with its export",
			build: func(h *home) {
				h.session(otelSession)
				h.put(handmade+"/"+otelExport, otelExport)
			},
			want:     attribution.Usage{Input: 4400, CacheRead: 20100, CacheWrite: 3200, Output: 290, Reasoning: 40},
			requests: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHome(t)
			tt.build(h)
			got := h.scan()
			if got.Total != tt.want || got.Requests != tt.requests {
				t.Errorf("total %+v in %d requests, want %+v in %d", got.Total, got.Requests, tt.want, tt.requests)
			}
			st := got.Stats[attribution.AgentCopilotCLI]
			if len(got.Problems) != 0 || st.Skipped != 0 || st.Errors != 0 {
				t.Errorf("problems %v, stats %+v", got.Problems, st)
			}
			lower := 0
			for _, e := range got.Events {
				if e.LowerBound {
					lower++
				}
				if e.Agent != attribution.AgentCopilotCLI || e.Time.Year() != 2025 && e.Time.Year() != 2026 || e.Time.Location() != time.UTC {
					t.Errorf("event %+v", e)
				}
				if tt.session != "" && (e.Session != attribution.HashSession(attribution.AgentCopilotCLI, tt.session) || e.Cwd != tt.cwd) {
					t.Errorf("session %q cwd %q, want %q %q", e.Session, e.Cwd, tt.session, tt.cwd)
				}
			}
			if lower != tt.lower {
				t.Errorf("%d LowerBound events, want %d", lower, tt.lower)
			}
		})
	}
}

// TestExportEvents pins the export's events: keys, models, sessions, times
// and the working directory found through the session's event log.
func TestExportEvents(t *testing.T) {
	h := newHome(t)
	h.session(otelSession)
	path := h.put(handmade+"/"+otelExport, otelExport)
	evs := parseAll(t, path)
	type want struct {
		key, model, session, cwd string
		u                        attribution.Usage
		at                       time.Time
	}
	wants := []want{
		{"r:resp_s2_1", "claude-sonnet-4.5", otelSession, "/home/dev/src/web",
			attribution.Usage{Input: 1000, CacheRead: 9000, CacheWrite: 2000, Output: 150}, time.Date(2026, 3, 11, 10, 15, 12, 0, time.UTC)},
		{"r:resp_s2_1", "claude-sonnet-4.5", otelSession, "/home/dev/src/web", // the inference log record
			attribution.Usage{Input: 1000, CacheRead: 9000, CacheWrite: 2000, Output: 150}, time.Date(2026, 3, 11, 10, 15, 12, 5e6, time.UTC)},
		{"r:resp_s2_2", "claude-sonnet-4.5", otelSession, "/home/dev/src/web",
			attribution.Usage{Input: 2500, CacheRead: 11000, CacheWrite: 500, Output: 90, Reasoning: 40}, time.Date(2026, 3, 11, 10, 15, 20, 0, time.UTC)},
		{"r:resp_s3_1", "gpt-5", otlpSession, "",
			attribution.Usage{Input: 500, CacheWrite: 300, Output: 20}, time.Date(2026, 3, 11, 11, 0, 4, 5e8, time.UTC)},
		{"r:resp_s3_2", "gpt-5", otlpSession, "",
			attribution.Usage{Input: 400, CacheRead: 100, CacheWrite: 400, Output: 30}, time.Date(2026, 3, 11, 11, 5, 3, 25e7, time.UTC)},
	}
	if len(evs) != len(wants) {
		t.Fatalf("%d events, want %d: %+v", len(evs), len(wants), evs)
	}
	for i, w := range wants {
		e := evs[i]
		if e.Key != w.key || e.Model != w.model || e.Session != attribution.HashSession(attribution.AgentCopilotCLI, w.session) ||
			e.Cwd != w.cwd || e.Usage != w.u || !e.Time.Equal(w.at) || e.LowerBound || e.Estimated {
			t.Errorf("event %d = %+v\nwant %+v", i, e, w)
		}
	}
}
