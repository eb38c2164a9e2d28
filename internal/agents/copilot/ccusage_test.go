package copilot

import (
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// TestCcusageAgreement compares the totals of every sample in one Copilot
// home with `ccusage copilot daily --json --offline` (pinned 20.0.24, with
// COPILOT_HOME pointing at the home). ccusage reads session.shutdown
// modelMetrics of session-state/*/events.jsonl (cumulative across resumes,
// input including cache reads and writes, as here) and Copilot-style
// OpenTelemetry records under otel/, preferring the shutdown totals over the
// export for the calls a shutdown covers. The two agree on the hand-made
// resumed session and on the exported session (whose shutdown totals equal
// the sum of its chat spans). They differ, by exactly these amounts:
//
//   - ccusage ignores per-message output tokens: the agent-sessions
//     events.jsonl (no shutdown, 12 + 14 output) counts nothing there. Here
//     its 26 output tokens count, marked LowerBound; they are real.
//   - ccusage reads no flat session-state/<id>.jsonl log (the older layout)
//     and no tokenDetails: small.jsonl's input 95, cache read 5 and output
//     15 count only here.
//   - ccusage reads no OTLP/JSON batch (resourceSpans): resp_s3_1's input
//     500, cache write 300 and output 20 count only here.
//   - For Copilot-style records ccusage subtracts only cache reads from
//     gen_ai.usage.input_tokens, so resp_s3_2 (input 900 incl. read 100 and
//     write 400) has input 800 there and 400 here. The GenAI conventions
//     say cache writes are included in input_tokens (and ccusage itself
//     subtracts them from session-state inputTokens); ccusage counts those
//     400 tokens twice, as input and as cache write.
func TestCcusageAgreement(t *testing.T) {
	h := newHome(t)
	h.put(fixtureLog, "session-state/"+fixtureSession+"/events.jsonl")
	h.put(smallLog, "session-state/"+smallSession+".jsonl")
	h.session(resumeSession)
	h.session(otelSession)
	h.put(handmade+"/"+otelExport, otelExport)

	report := agenttest.Ccusage(t, map[string]string{envHome: h.dir}, "copilot", "daily", "--json", "--offline")
	got := h.scan()

	// The reader's own total, derived in TestSampleTotals sample by sample.
	ours := attribution.Usage{Input: 11495, CacheRead: 56105, CacheWrite: 8200, Output: 951, Reasoning: 110}
	if got.Total != ours {
		t.Errorf("reader total %+v, want %+v", got.Total, ours)
	}
	want := got.Total
	want.Output -= 26                                                                // agent-sessions messages
	want = want.Increase(attribution.Usage{Input: 95, CacheRead: 5, Output: 15})     // flat small.jsonl
	want = want.Increase(attribution.Usage{Input: 500, CacheWrite: 300, Output: 20}) // OTLP batch
	want.Input += 400                                                                // cache write left in input
	fields := []struct {
		name string
		want int64
		key  string
	}{
		{"input", want.Input, "inputTokens"},
		{"output", want.Output, "outputTokens"},
		{"cache_write", want.CacheWrite, "cacheCreationTokens"},
		{"cache_read", want.CacheRead, "cacheReadTokens"},
		{"total", want.Total(), "totalTokens"},
	}
	for _, f := range fields {
		n, ok := agenttest.Number(report, "totals", f.key)
		if !ok || n != f.want {
			t.Errorf("%s: ccusage %d (found %v), expected %d from this reader's totals adjusted for the documented differences", f.name, n, ok, f.want)
		}
	}
}
