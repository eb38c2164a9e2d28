package goose

import (
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// TestCcusageHistory compares with `ccusage goose daily --json --offline`
// (20.0.24) on the database history builds, with GOOSE_PATH_ROOT pointing at
// it. ccusage reads, per session row with a non-empty model_config_json, the
// accumulated counters (else the latest call's), and puts total − input −
// output into totalTokens only. The totals differ by exactly:
//
//   - sessions without model_config_json (schema < 6, or imported legacy
//     sessions): 20250815_1 (3000 input, 400 output) and 20250801_1 (500,
//     50). ccusage skips them; their tokens were spent all the same, so we
//     count them, with the model "unknown" (and the latter as a LowerBound).
//   - the legacy file 20250710_2.jsonl (700, 70): ccusage does not read
//     legacy session files.
//   - reasoning: the 1300 tokens 20260901_2's total holds beyond input and
//     output are in our output (and Reasoning); ccusage adds them to
//     totalTokens only. Both price them as output.
//
// Neither has a cache split (Goose records none). ccusage dates sessions by
// created_at, we by updated_at; the daily totals compared here do not
// depend on it.
func TestCcusageHistory(t *testing.T) {
	root := t.TempDir()
	history(t, root)
	report := agenttest.Ccusage(t, map[string]string{"GOOSE_PATH_ROOT": root}, "goose", "daily", "--json", "--offline")
	field := func(k string) int64 {
		v, ok := agenttest.Number(report, "totals", k)
		if !ok {
			t.Fatalf("ccusage totals lack %s: %v", k, report["totals"])
		}
		return v
	}
	cc := attribution.Usage{Input: field("inputTokens"), Output: field("outputTokens"),
		CacheRead: field("cacheReadTokens"), CacheWrite: field("cacheCreationTokens")}
	ccTotal := field("totalTokens")

	got := scanRoot(t, root)
	if got.Total != wantHistory.Total {
		t.Fatalf("total = %+v, want %+v", got.Total, wantHistory.Total)
	}
	noModel := attribution.Usage{Input: 3000 + 500, Output: 400 + 50}
	legacy := attribution.Usage{Input: 700, Output: 70}
	const reasoning = 1300
	want := attribution.Usage{
		Input:  got.Total.Input - noModel.Input - legacy.Input,
		Output: got.Total.Output - noModel.Output - legacy.Output - reasoning,
	}
	if cc != want {
		t.Errorf("ccusage = %+v,\nexplained %+v", cc, want)
	}
	if ccTotal != want.Total()+reasoning {
		t.Errorf("ccusage totalTokens = %d, explained %d", ccTotal, want.Total()+reasoning)
	}
}
