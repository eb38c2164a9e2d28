package qwen

import (
	"path/filepath"
	"testing"

	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// day is one row of a daily report.
type day struct {
	Input, CacheRead, Output, Total int64
}

// ourDays groups a scan by UTC date.
func ourDays(s agenttest.Summary) map[string]day {
	out := map[string]day{}
	for _, e := range s.Events {
		k := e.Time.UTC().Format("2006-01-02")
		d := out[k]
		d.Input += e.Usage.Input
		d.CacheRead += e.Usage.CacheRead
		d.Output += e.Usage.Output
		d.Total += e.Usage.Total()
		out[k] = d
	}
	return out
}

// ccusageDays runs `ccusage qwen daily` on a runtime directory.
func ccusageDays(t *testing.T, dir string) map[string]day {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	report := agenttest.Ccusage(t, map[string]string{"QWEN_DATA_DIR": abs}, "qwen", "daily", "--json", "--offline")
	rows, _ := report["daily"].([]any)
	out := map[string]day{}
	for _, r := range rows {
		date, _ := r.(map[string]any)["date"].(string)
		var d day
		d.Input, _ = agenttest.Number(r, "inputTokens")
		d.CacheRead, _ = agenttest.Number(r, "cacheReadTokens")
		d.Output, _ = agenttest.Number(r, "outputTokens")
		d.Total, _ = agenttest.Number(r, "totalTokens")
		out[date] = d
	}
	return out
}

// compare checks both reports against the figures written in the test.
func compare(t *testing.T, name string, got, want map[string]day) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: days %v, want %v", name, got, want)
	}
	for date, w := range want {
		if got[date] != w {
			t.Errorf("%s %s: %+v, want %+v", name, date, got[date], w)
		}
	}
}

// TestCcusageSamples compares with `ccusage qwen daily --json --offline`
// (20.0.24) on the upstream samples. One difference, and this reader is
// right: ccusage takes promptTokenCount as uncached input although it
// includes the cached tokens, and adds cachedContentTokenCount as cache
// reads, so the 50 cached tokens of 2026-06-15 count twice (its total 1175
// exceeds the two responses' own totalTokenCount, 520 + 605 = 1125). Both
// read only the assistant records, not the ui_telemetry copies.
func TestCcusageSamples(t *testing.T) {
	compare(t, "ours", ourDays(scanDir(t, samplesDir)), map[string]day{
		"2026-06-15": {Input: 1050, CacheRead: 50, Output: 25, Total: 1125}, // 500+550, 50, 20+5
		"2026-08-17": {Input: 12, Output: 4, Total: 16},
	})
	compare(t, "ccusage", ccusageDays(t, samplesDir), map[string]day{
		"2026-06-15": {Input: 1100, CacheRead: 50, Output: 25, Total: 1175}, // input 1050 + the 50 cached again
		"2026-08-17": {Input: 12, Output: 4, Total: 16},
	})
}

// TestCcusageSynthetic compares on the synthetic tree, where ccusage
// differs in four ways, each an over- or under-count on its side:
//
//  1. Cached tokens twice (as in TestCcusageSamples): its input is the
//     prompt count, cached tokens included (a1 1000, a4 800), and the cached
//     tokens are cache reads as well.
//  2. /branch copies counted again: its de-duplication key includes the
//     session id, which /branch rewrites, so the copies of a1 and a2 count
//     a second time (input 1000+500, cache 600, output 200+40, thoughts 50+60).
//  3. Thoughts outside its output column, in totalTokens, even for a1, whose
//     candidatesTokenCount (an OpenAI completion_tokens) already includes
//     them: a1's 50 reasoning tokens count twice in its total.
//  4. Subagent transcripts (subagents/<session>/agent-*.jsonl) are not read:
//     s1 (input 400, output 25) is missing.
//
// Its figures, derived from the fixture:
//
//	2026-07-01 input  a1 1000 + a2 500 + a3 300 + copies 1000+500     = 3300
//	           cache  a1 600 + copy 600                               = 1200
//	           output candidates a1 200 + a2 40 + a3 10 + copies 240  = 490
//	           total  3300 + 1200 + 490 + thoughts (50+60+5) + copies' (50+60) = 5215
//	2026-07-02 input  a4 800, cache 700, output 30, total 1530
//
// against this reader's 2026-07-01: Input 1600, CacheRead 600, Output 340
// (a1 200, a2 100, a3 15, s1 25), total 2540; 2026-07-02: Input 100,
// CacheRead 700, Output 30, total 830, which are the responses' own totals
// (a1 1200 + a2 600 + a3 315 + s1 425 = 2540; a4 830).
func TestCcusageSynthetic(t *testing.T) {
	compare(t, "ours", ourDays(scanDir(t, syntheticDir)), map[string]day{
		"2026-07-01": {Input: 1600, CacheRead: 600, Output: 340, Total: 2540},
		"2026-07-02": {Input: 100, CacheRead: 700, Output: 30, Total: 830},
	})
	compare(t, "ccusage", ccusageDays(t, syntheticDir), map[string]day{
		"2026-07-01": {Input: 3300, CacheRead: 1200, Output: 490, Total: 5215},
		"2026-07-02": {Input: 800, CacheRead: 700, Output: 30, Total: 1530},
	})
}
