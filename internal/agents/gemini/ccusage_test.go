package gemini

import (
	"path/filepath"
	"testing"

	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// day is one row of a daily report, in ccusage's terms: output without
// thoughts, which ccusage adds to totalTokens only.
type day struct {
	Input, CacheRead, Output, Total int64
}

// ourDays groups a scan by UTC date in ccusage's terms.
func ourDays(s agenttest.Summary) map[string]day {
	out := map[string]day{}
	for _, e := range s.Events {
		d := out[e.Time.UTC().Format("2006-01-02")]
		d.Input += e.Usage.Input
		d.CacheRead += e.Usage.CacheRead
		d.Output += e.Usage.Output - e.Usage.Reasoning
		d.Total += e.Usage.Total()
		out[e.Time.UTC().Format("2006-01-02")] = d
	}
	return out
}

// ccusageDays runs `ccusage gemini daily` on a tmp directory.
func ccusageDays(t *testing.T, tmp string) map[string]day {
	t.Helper()
	abs, err := filepath.Abs(tmp)
	if err != nil {
		t.Fatal(err)
	}
	report := agenttest.Ccusage(t, map[string]string{"GEMINI_DATA_DIR": abs}, "gemini", "daily", "--json", "--offline")
	rows, _ := report["daily"].([]any)
	out := map[string]day{}
	for _, r := range rows {
		date, _ := r.(map[string]any)["date"].(string)
		var d day
		d.Input, _ = agenttest.Number(r, "inputTokens")
		d.CacheRead, _ = agenttest.Number(r, "cacheReadTokens")
		d.Output, _ = agenttest.Number(r, "outputTokens")
		d.Total, _ = agenttest.Number(r, "totalTokens")
		if cw, _ := agenttest.Number(r, "cacheCreationTokens"); cw != 0 {
			t.Errorf("%s: ccusage reports %d cache-creation tokens for Gemini", date, cw)
		}
		out[date] = d
	}
	return out
}

// TestCcusageSamples compares with `ccusage gemini daily --json --offline`
// (20.0.24) on the upstream fixtures: every figure of every day is equal.
// Both subtract cached tokens from the prompt, add tool-use prompt tokens to
// input, take the last copy of a re-appended message and ignore the
// drifting-schema document (ccusage silently, this reader with a skip
// count). ccusage reports thoughts outside outputTokens (in totalTokens);
// ourDays puts them in the same place.
func TestCcusageSamples(t *testing.T) {
	want := ourDays(scanDir(t, samplesTmp))
	got := ccusageDays(t, samplesTmp)
	if len(got) != len(want) || len(want) != 3 {
		t.Errorf("days: ccusage %v, ours %v", got, want)
	}
	for date, w := range want {
		if got[date] != w {
			t.Errorf("%s: ccusage %+v, ours %+v", date, got[date], w)
		}
	}
}

// TestCcusageSynthetic compares on the synthetic tree, where the two
// differ in one respect, and this reader is right:
//
//   - A legacy session-*.json and the .jsonl Gemini CLI migrates it to on
//     resume both hold message w2 (input 500, output 20, 2026-05-03).
//     ccusage keeps the last copy of a message id within one file only, so it
//     counts w2 twice; the response was billed once, and the shared key
//     "<session>/<id>" makes this reader count it once. ccusage is 500 input
//     and 20 output tokens (520 in total) higher on 2026-05-03.
//
// Everything else agrees: re-appended messages (last copy wins in ccusage,
// the same vector here), the rewound m2 (ccusage ignores "$rewindTo" too),
// the "$set" checkpoint (ccusage ignores "$set" lines; here its copies share
// the keys), the subagent file, the tool-use tokens of m2 in input, and the
// 80 thoughts tokens of 2026-05-02, in totalTokens only on both sides of the
// comparison.
func TestCcusageSynthetic(t *testing.T) {
	ours := scanDir(t, syntheticTmp)
	want := ourDays(ours)
	d := want["2026-05-03"]
	d.Input += 500
	d.Output += 20
	d.Total += 520
	want["2026-05-03"] = d

	got := ccusageDays(t, syntheticTmp)
	if len(got) != len(want) || len(want) != 4 {
		t.Errorf("days: ccusage %v, ours %v", got, want)
	}
	for date, w := range want {
		if got[date] != w {
			t.Errorf("%s: ccusage %+v, ours adjusted %+v", date, got[date], w)
		}
	}
	if ours.Total != syntheticWant {
		t.Errorf("ours = %+v", ours.Total)
	}
	// The adjusted figure really is the double count: totals differ by w2.
	var cc int64
	for _, g := range got {
		cc += g.Total
	}
	if diff := cc - ours.Total.Total(); diff != 520 {
		t.Errorf("ccusage total - ours = %d, want 520 (w2 counted twice)", diff)
	}
}
