package opencode

import (
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// ccusageTotals runs `ccusage opencode daily --json --offline` on a data
// directory and returns its totals as a Usage (Reasoning unset: ccusage
// reports none) and its totalTokens.
func ccusageTotals(t *testing.T, dataDir string) (attribution.Usage, int64) {
	t.Helper()
	report := agenttest.Ccusage(t, map[string]string{"OPENCODE_DATA_DIR": dataDir}, "opencode", "daily", "--json", "--offline")
	field := func(k string) int64 {
		v, ok := agenttest.Number(report, "totals", k)
		if !ok {
			t.Fatalf("ccusage totals lack %s: %v", k, report["totals"])
		}
		return v
	}
	u := attribution.Usage{Input: field("inputTokens"), Output: field("outputTokens"),
		CacheRead: field("cacheReadTokens"), CacheWrite: field("cacheCreationTokens")}
	return u, field("totalTokens")
}

// TestCcusageStorageV2 compares with ccusage on the storage_v2 sample: the
// one call has one step, so its step-finish part and its message tokens are
// the same, and the totals agree exactly (120 input, 16 output).
func TestCcusageStorageV2(t *testing.T) {
	data := storageFrom(t, samples+"/storage_v2")
	want, wantTotal := ccusageTotals(t, data)
	got := scanData(t, data)
	if got.Total != want || got.Total.Total() != wantTotal {
		t.Errorf("total = %+v, ccusage %+v (totalTokens %d)", got.Total, want, wantTotal)
	}
}

// TestCcusageHistory compares with ccusage 20.0.24 on the database history
// builds (see history and wantHistory). ccusage reads each message's tokens,
// deduplicated by message id, from opencode.db (only that one database when
// it exists) and from legacy message files. The totals differ by exactly
// these terms, each a place where ccusage is wrong and we are right:
//
//   - earlier steps of tool loops: OpenCode overwrites a message's tokens
//     with each step, so ccusage sees only the last call of msg_a2 (3 calls)
//     and msg_b1 (2 calls). Missing: msg_a2 steps 1–2 (input 12+8, output
//     180+95, cache read 0+14000, cache write 14000+620) and msg_b1 step 1
//     (input 4000, output 300, reasoning 1200). The step-finish parts are
//     OpenCode's record of every call.
//   - the beta channel's database (opencode-beta.db: input 500, output 60):
//     ccusage reads one database per data directory, opencode.db when it
//     exists; the beta build wrote its calls only to its own.
//   - the fork ses_f: msg_f2 is a copy of msg_a2 under a new id (input 5,
//     output 410, cache read 14620, cache write 1200), which ccusage counts a
//     second time; we recognise copies by their time.created preceding the
//     session's creation.
//   - reasoning: ccusage leaves tokens.reasoning out of outputTokens (it adds
//     the last step's, 640 for msg_a4 and 200 for msg_b1, to totalTokens
//     only); we count reasoning as output (2040 in all, see tokens.usage).
//
// The legacy copy of msg_c1 and the legacy-only msg_l1 are counted once by
// both.
func TestCcusageHistory(t *testing.T) {
	data := t.TempDir()
	history(t, data)
	cc, ccTotal := ccusageTotals(t, data)
	got := scanData(t, data)
	if got.Total != wantHistory.Total {
		t.Fatalf("total = %+v, want %+v", got.Total, wantHistory.Total)
	}
	earlierSteps := attribution.Usage{Input: 12 + 8 + 4000, Output: 180 + 95 + 300, CacheRead: 14000, CacheWrite: 14000 + 620}
	beta := attribution.Usage{Input: 500, Output: 60}
	fork := attribution.Usage{Input: 5, Output: 410, CacheRead: 14620, CacheWrite: 1200}
	reasoning := int64(640 + 1200 + 200)
	lastStepReasoning := int64(640 + 200)

	want := got.Total
	want.Input += fork.Input - earlierSteps.Input - beta.Input
	want.Output += fork.Output - earlierSteps.Output - beta.Output - reasoning
	want.CacheRead += fork.CacheRead - earlierSteps.CacheRead - beta.CacheRead
	want.CacheWrite += fork.CacheWrite - earlierSteps.CacheWrite - beta.CacheWrite
	want.Reasoning = 0
	if cc != want {
		t.Errorf("ccusage = %+v,\nexplained %+v", cc, want)
	}
	if wantTotal := want.Total() + lastStepReasoning; ccTotal != wantTotal {
		t.Errorf("ccusage totalTokens = %d, explained %d", ccTotal, wantTotal)
	}
}
