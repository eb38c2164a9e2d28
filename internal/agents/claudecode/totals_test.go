package claudecode

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// The spotter sample (a real Claude Code 2.1.39 session, truncated, with its
// Task subagent and auto-compaction transcripts). Figures checked by hand
// with the reference below and equal to `ccusage daily` 20.0.24.
var spotterWant = struct {
	Total  attribution.Usage
	Unique int
}{
	Total:  attribution.Usage{Input: 128, Output: 16695, CacheRead: 5110149, CacheWrite: 300795},
	Unique: 63,
}

func TestSpotterTotals(t *testing.T) {
	files := sampleFiles(t, spotterRoot)
	if len(files) != 3 {
		t.Errorf("matched %d files, want the session and its 2 subagent transcripts: %v", len(files), files)
	}
	got := readAll(t, files...)

	var lines [][]byte
	for _, f := range files {
		lines = append(lines, fileLines(t, f)...)
	}
	ref := referenceTotals(t, lines)

	if got.Total != ref.Total {
		t.Errorf("totals = %+v, independent reference = %+v", got.Total, ref.Total)
	}
	if got.Unique != ref.Unique {
		t.Errorf("unique responses = %d, reference = %d", got.Unique, ref.Unique)
	}
	if int64(ref.Lines) != got.Stats.Events {
		t.Errorf("events = %d, reference usage lines = %d", got.Stats.Events, ref.Lines)
	}
	// The reference must not drift from the figures reviewed once by hand.
	if ref.Total != spotterWant.Total || ref.Unique != spotterWant.Unique {
		t.Errorf("reference = %+v (%d unique), recorded = %+v (%d unique)", ref.Total, ref.Unique, spotterWant.Total, spotterWant.Unique)
	}
	if got.Stats.Skipped != 0 || got.Stats.Errors != 0 || got.Stats.LongLines != 0 {
		t.Errorf("stats = %+v, want nothing skipped", got.Stats)
	}
	if got.Stats.Lines != int64(len(lines)) {
		t.Errorf("lines = %d, want %d", got.Stats.Lines, len(lines))
	}

	// Every event carries what attribution needs.
	sess := attribution.HashSession(attribution.AgentClaudeCode, "4d5611e5-241a-462a-8d15-5122611a9569")
	models := map[string]bool{}
	for _, e := range got.Events {
		models[e.Model] = true
		switch {
		case e.Agent != attribution.AgentClaudeCode:
			t.Fatalf("agent = %q", e.Agent)
		case e.Session != sess:
			t.Fatalf("session = %q, want %q", e.Session, sess)
		case e.Cwd != "/home/USER/projects/spotter-worktrees/spotter-dov":
			t.Fatalf("cwd = %q", e.Cwd)
		case !strings.HasPrefix(e.Key, "m:msg_"):
			t.Fatalf("key = %q", e.Key)
		case e.Time.Before(time.Date(2026, 2, 12, 0, 0, 0, 0, time.UTC)) || e.Time.After(time.Date(2026, 2, 13, 0, 0, 0, 0, time.UTC)):
			t.Fatalf("time = %v", e.Time)
		case !e.LowerBound:
			t.Fatalf("a 2.1.39 event is not marked LowerBound")
		case e.Usage.Validate() != nil:
			t.Fatalf("usage = %+v", e.Usage)
		}
	}
	if len(models) != 2 || !models["claude-opus-4-6"] || !models["claude-sonnet-4-5-20250929"] {
		t.Errorf("models = %v", models)
	}
}

// TestProgressOnlySubagent: in spotter/subagent.jsonl (2.1.38) the Task
// subagent's own transcript is missing; its 5 billed calls exist only as
// progress records of the parent.
func TestProgressOnlySubagent(t *testing.T) {
	got := readAll(t, samples+"/spotter/subagent.jsonl")
	byModel := map[string]attribution.Usage{}
	keys := map[string]map[string]bool{}
	d := attribution.NewDedup()
	for _, e := range got.Events {
		if inc, ok := d.Observe(e); ok {
			byModel[e.Model] = byModel[e.Model].Add(inc.Usage)
		}
		if keys[e.Model] == nil {
			keys[e.Model] = map[string]bool{}
		}
		keys[e.Model][e.Key] = true
	}
	want := attribution.Usage{Input: 24, Output: 7, CacheRead: 95343, CacheWrite: 14285}
	if h := byModel["claude-haiku-4-5-20251001"]; h != want || len(keys["claude-haiku-4-5-20251001"]) != 5 {
		t.Errorf("subagent calls = %+v in %d responses, want %+v in 5", h, len(keys["claude-haiku-4-5-20251001"]), want)
	}
	ref := referenceTotals(t, fileLines(t, samples+"/spotter/subagent.jsonl"))
	if got.Total != ref.Total || got.Unique != ref.Unique {
		t.Errorf("totals = %+v (%d), reference %+v (%d)", got.Total, got.Unique, ref.Total, ref.Unique)
	}
}

// TestOtherSamples checks every other sample file against the reference.
func TestOtherSamples(t *testing.T) {
	for _, name := range []string{"spotter/short.jsonl", "spotter/tool_heavy.jsonl", "spotter/compaction-excerpt.jsonl"} {
		t.Run(name, func(t *testing.T) {
			path := samples + "/" + name
			got := readAll(t, path)
			ref := referenceTotals(t, fileLines(t, path))
			if got.Total != ref.Total || got.Unique != ref.Unique || got.Stats.Skipped != 0 {
				t.Errorf("totals = %+v (%d unique, %d skipped), reference %+v (%d)", got.Total, got.Unique, got.Stats.Skipped, ref.Total, ref.Unique)
			}
			if ref.Unique == 0 {
				t.Errorf("sample has no usage")
			}
		})
	}
}

// TestCcusageFixture reads ccusage's own fixture (old-style lines without
// cwd, version 1.0.0, a fast-mode message).
func TestCcusageFixture(t *testing.T) {
	got := readAll(t, sampleFiles(t, samples+"/ccusage")...)
	want := attribution.Usage{Input: 600, Output: 250, CacheWrite: 75, CacheRead: 70}
	if got.Total != want || got.Unique != 3 {
		t.Errorf("totals = %+v (%d unique), want %+v (3)", got.Total, got.Unique, want)
	}
	models := []string{}
	for _, e := range got.Events {
		models = append(models, e.Model)
		if !e.LowerBound {
			t.Errorf("version 1.0.0 not marked LowerBound")
		}
	}
	if strings.Join(models, ",") != "claude-sonnet-4-20250514,claude-opus-4-20250514-fast,claude-sonnet-4-20250514" {
		t.Errorf("models = %v", models)
	}
}

// ccusageTotals is the "totals" object of `ccusage daily --json`.
type ccusageTotals struct {
	InputTokens         int64 `json:"inputTokens"`
	OutputTokens        int64 `json:"outputTokens"`
	CacheCreationTokens int64 `json:"cacheCreationTokens"`
	CacheReadTokens     int64 `json:"cacheReadTokens"`
	TotalTokens         int64 `json:"totalTokens"`
}

// runCcusage runs the ccusage binary named by TOKENYIELD_CCUSAGE on a
// CLAUDE_CONFIG_DIR, isolated from the real home directory. Without the
// variable the test is skipped, or fails when TOKENYIELD_REQUIRE_PEERS=1.
func runCcusage(t *testing.T, configDir string) ccusageTotals {
	t.Helper()
	bin := os.Getenv("TOKENYIELD_CCUSAGE")
	if bin == "" {
		if os.Getenv("TOKENYIELD_REQUIRE_PEERS") == "1" {
			t.Fatal("TOKENYIELD_CCUSAGE is not set and TOKENYIELD_REQUIRE_PEERS=1")
		}
		t.Skip("set TOKENYIELD_CCUSAGE to a ccusage binary to compare with it")
	}
	abs, err := filepath.Abs(configDir)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "daily", "--json", "--offline")
	cmd.Env = []string{
		"HOME=" + t.TempDir(),
		"CLAUDE_CONFIG_DIR=" + abs,
		"TZ=UTC",
		"LOG_LEVEL=0",
		"CODEX_HOME=" + t.TempDir(),
		"PATH=" + os.Getenv("PATH"),
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, stderr.Bytes())
	}
	var report struct {
		Totals *ccusageTotals `json:"totals"`
	}
	if err := json.Unmarshal(out, &report); err != nil || report.Totals == nil {
		t.Fatalf("ccusage output has no totals (%v):\n%s", err, out)
	}
	return *report.Totals
}

// TestCcusageAgreement compares the totals with ccusage's `daily` report
// field by field. ccusage's `daily` (not `session`) is the right peer: only
// its daily/monthly loaders count subagent messages embedded in progress
// records.
//
// The rules differ in corner cases that do not occur in the sample, so the
// totals agree exactly:
//   - ccusage keys on (message.id, requestId) and matches message.id alone
//     only when a sidechain copy is involved; we key on message.id alone
//     always (a response's id is unique; a copy with another requestId is
//     still the same response).
//   - On a collision ccusage keeps the copy with the larger token total; we
//     keep the field-wise maximum. They differ only if counts of one response
//     were not monotonic across its copies.
//   - ccusage counts cache writes as ephemeral_5m + ephemeral_1h when
//     usage.cache_creation is present; we use cache_creation_input_tokens
//     (equal to that sum in every real record), the split only when the
//     total is missing.
//   - ccusage parses only lines containing `"usage":{` and drops lines with
//     null in some fields anywhere (e.g. "id":null inside a tool input).
func TestCcusageAgreement(t *testing.T) {
	for _, root := range []string{spotterRoot, samples + "/ccusage"} {
		t.Run(filepath.Base(root), func(t *testing.T) {
			want := runCcusage(t, root)
			got := readAll(t, sampleFiles(t, root)...)
			fields := []struct {
				name     string
				got, cmp int64
			}{
				{"input", got.Total.Input, want.InputTokens},
				{"output", got.Total.Output, want.OutputTokens},
				{"cache_write", got.Total.CacheWrite, want.CacheCreationTokens},
				{"cache_read", got.Total.CacheRead, want.CacheReadTokens},
				{"total", got.Total.Total(), want.TotalTokens},
			}
			for _, f := range fields {
				if f.got != f.cmp {
					t.Errorf("%s = %d, ccusage = %d", f.name, f.got, f.cmp)
				}
			}
		})
	}
}
