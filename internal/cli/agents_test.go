package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// A record written with `tokenyield record` is read back by `usage`, under
// its own agent name, exactly once however often the scan runs.
func TestRecordThenUsage(t *testing.T) {
	home := t.TempDir()
	repo := t.TempDir()
	env, out, errb := testEnv(t, map[string]string{"TOKENYIELD_HOME": home})
	args := []string{"record", "--agent", "nightly-bot", "--model", "claude-sonnet-4-6", "--input", "1000", "--cache-read", "20000",
		"--output", "700", "--reasoning", "100", "--cwd", repo, "--session", "run-1", "--id", "msg_1", "--time", "2026-11-27T09:00:00Z"}
	if code := Run(env, args); code != 0 {
		t.Fatalf("record: exit %d: %s", code, errb)
	}
	if code := Run(env, []string{"record", "--model", "gpt-5", "--output", "5", "--time", "2026-11-27T09:30:00Z"}); code != 0 {
		t.Fatalf("record with defaults: exit %d: %s", code, errb)
	}
	data, err := os.ReadFile(filepath.Join(home, "usage", "records.jsonl"))
	if err != nil || strings.Count(string(data), "\n") != 2 {
		t.Fatalf("records file: %v\n%s", err, data)
	}
	for _, tt := range []struct {
		args          []string
		total, output int64
	}{
		{[]string{"usage", "--json"}, 21705, 705},
		{[]string{"usage", "--json", "--agent", "nightly-bot"}, 21700, 700},
		{[]string{"usage", "--json", "--agent", "custom"}, 5, 5},
		{[]string{"usage", "--json", "--repo", repo}, 21700, 700},
	} {
		out.Reset()
		if code := Run(env, tt.args); code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, code, errb)
		}
		var rep UsageReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Totals.Total != tt.total || rep.Totals.Output != tt.output {
			t.Errorf("%v: totals %+v, want total %d output %d", tt.args, rep.Totals, tt.total, tt.output)
		}
	}
	for _, bad := range [][]string{
		{"record", "--output", "5"},                                     // no model
		{"record", "--model", "m", "--agent", "claude-code"},            // a built-in reader's name
		{"record", "--model", "m", "--input", "-3"},                     // negative
		{"record", "--model", "m", "--time", "noon"},                    // not RFC 3339
		{"usage", "--agent", "no-such-agent"},                           // no reader, no record
		{"record", "--model", "m", "--output", "1", "--reasoning", "2"}, // reasoning over output
	} {
		if code := Run(env, bad); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}

func TestAgentsReport(t *testing.T) {
	vars := sampleVars(t)
	vars["TOKENYIELD_HOME"] = t.TempDir()
	env, out, errb := testEnv(t, vars)
	if err := os.MkdirAll(filepath.Join(env.Agents.Home, ".cursor"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code := Run(env, []string{"agents", "--json"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var rep AgentsReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	byName := map[string]AgentInfo{}
	for _, a := range rep.Agents {
		byName[a.Agent] = a
	}
	// The sample totals of the two readers' own tests.
	cc := byName[attribution.AgentClaudeCode]
	if !cc.Found || cc.Usage.Total() != 5427767 || cc.Requests != 63 || cc.Files == 0 || cc.Bytes == 0 || cc.Newest == nil {
		t.Errorf("claude-code: %+v", cc)
	}
	if cx := byName[attribution.AgentCodex]; !cx.Found || cx.Usage.Total() != 50062931 {
		t.Errorf("codex: %+v", cx)
	}
	if c := byName[attribution.AgentCustom]; c.Found || len(c.LookedIn) == 0 {
		t.Errorf("custom (no records): %+v", c)
	}
	var cursor *UnsupportedInfo
	for i, u := range rep.Unsupported {
		if u.Agent == "cursor" {
			cursor = &rep.Unsupported[i]
		}
	}
	if cursor == nil || len(cursor.Found) != 1 || !strings.Contains(cursor.Reason, "no reliable local token counts") {
		t.Errorf("cursor: %+v", cursor)
	}

	out.Reset()
	if code := Run(env, []string{"agents"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	text := out.String()
	for _, want := range []string{"claude-code", "found", "5,427,767", "not found", "Not read:", "cursor", "~/.cursor"} {
		if !strings.Contains(text, want) {
			t.Errorf("human output lacks %q:\n%s", want, text)
		}
	}
}
