package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testEnv runs commands against the repository's sample logs only: HOME is an
// empty temporary directory and each tool's variable points at testdata.
func testEnv(t *testing.T, vars map[string]string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	home := t.TempDir()
	var out, errb bytes.Buffer
	env := &Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Agents: tail.Env{Home: home, GOOS: "linux", Getenv: func(k string) string { return vars[k] }},
		Now:    func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
	}
	return env, &out, &errb
}

func repoTestdata(t *testing.T, elem ...string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(append([]string{"..", "..", "testdata"}, elem...)...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sampleVars(t *testing.T) map[string]string {
	return map[string]string{
		"CLAUDE_CONFIG_DIR": repoTestdata(t, "sessions", "claude-code", "spotter"),
		"CODEX_HOME":        repoTestdata(t, "sessions", "codex", "localpush"),
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestUsageGolden(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"by model json", []string{"usage", "--by", "model", "--json", "--tz", "UTC"}, "usage-by-model.json"},
		{"by day table", []string{"usage", "--tz", "UTC"}, "usage-by-day.txt"},
		{"by agent table", []string{"usage", "--by", "agent", "--tz", "UTC"}, "usage-by-agent.txt"},
		{"by session json", []string{"usage", "--by", "session", "--json", "--tz", "UTC"}, "usage-by-session.json"},
		{"since until", []string{"usage", "--since", "2026-02-13", "--until", "20260223", "--json", "--tz", "UTC"}, "usage-since-until.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, out, errb := testEnv(t, sampleVars(t))
			if code := Run(env, tt.args); code != 0 {
				t.Fatalf("exit %d: %s", code, errb)
			}
			golden(t, tt.golden, out.Bytes())
		})
	}
}

func TestUsageJSONSchema(t *testing.T) {
	env, out, errb := testEnv(t, sampleVars(t))
	if code := Run(env, []string{"usage", "--by", "agent", "--json"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var rep struct {
		Totals map[string]any   `json:"totals"`
		Rows   []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"input", "output", "cache_read", "cache_write", "reasoning", "total", "requests", "cost_usd"} {
		if _, ok := rep.Totals[k]; !ok {
			t.Errorf("totals lacks %q", k)
		}
	}
	agentsSeen := map[string]bool{}
	var sum float64
	for _, r := range rep.Rows {
		for _, k := range []string{"key", "agent", "model", "input", "total", "requests", "cost_usd"} {
			if _, ok := r[k]; !ok {
				t.Errorf("row lacks %q", k)
			}
		}
		agentsSeen[r["agent"].(string)] = true
		sum += r["total"].(float64)
	}
	if !agentsSeen["claude-code"] || !agentsSeen["codex"] {
		t.Fatalf("agents = %v", agentsSeen)
	}
	if sum != rep.Totals["total"].(float64) {
		t.Fatalf("rows sum to %v, totals say %v", sum, rep.Totals["total"])
	}
}

func TestUsageRepoFilter(t *testing.T) {
	env, out, errb := testEnv(t, sampleVars(t))
	// No sample session ran in this directory: nothing may be reported.
	if code := Run(env, []string{"usage", "--repo", t.TempDir(), "--json"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var rep UsageReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 0 || rep.Totals.Total != 0 {
		t.Fatalf("usage leaked into an unrelated repo: %+v", rep)
	}
}

func TestUsageWarnsOnBadLogs(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "projects", "-x")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	bad := `{"type":"assistant","timestamp":"2026-02-12T16:02:27.718Z","cwd":"/x","sessionId":"s","message":{"id":"m1","model":"claude-opus-4-6","usage":{"input_tokens":-5,"output_tokens":1}}}` + "\n"
	if err := os.WriteFile(filepath.Join(proj, "s.jsonl"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	env, _, errb := testEnv(t, map[string]string{"CLAUDE_CONFIG_DIR": dir})
	if code := Run(env, []string{"usage"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if got := errb.String(); !strings.Contains(got, "warning: skipped 1 unusable lines") || strings.Count(got, "\n") != 1 {
		t.Fatalf("stderr = %q, want one warning line", got)
	}
}

func TestCommandLineErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"nope"}, 2, "unknown command"},
		{[]string{"usage", "--by", "week"}, 2, "--by must be"},
		{[]string{"usage", "--since", "yesterday"}, 2, "not a date"},
		{[]string{"usage", "--agent", "cursor"}, 2, "unknown agent"},
		{[]string{"usage", "extra"}, 2, "unexpected argument"},
		{[]string{"usage", "-h"}, 0, "Usage: tokenyield usage"},
		{[]string{"version"}, 0, ""},
		{[]string{}, 0, ""},
	}
	for _, tt := range tests {
		env, _, errb := testEnv(t, nil)
		if code := Run(env, tt.args); code != tt.code || !strings.Contains(errb.String(), tt.msg) {
			t.Errorf("%v: exit %d stderr %q; want exit %d containing %q", tt.args, code, errb, tt.code, tt.msg)
		}
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%d) = %q, want %q", in, got, want)
		}
	}
}

// With a tiny de-dup memory, usage reads the logs in several passes and
// reports exactly the same figures.
func TestUsageBoundedMemoryPasses(t *testing.T) {
	env, out, errb := testEnv(t, sampleVars(t))
	if code := Run(env, []string{"usage", "--by", "model", "--json", "--tz", "UTC"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	want := out.String()
	defer func(n int) { usageMaxIdentities = n }(usageMaxIdentities)
	usageMaxIdentities = 20
	env, out, errb = testEnv(t, sampleVars(t))
	if code := Run(env, []string{"usage", "--by", "model", "--json", "--tz", "UTC", "-v"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if !strings.Contains(errb.String(), "passes") {
		t.Fatalf("expected several passes, stderr: %s", errb)
	}
	if out.String() != want {
		t.Fatalf("figures differ when read in passes:\n%s\nwant\n%s", out, want)
	}
}

// With a tiny de-dup memory, the agents report reads the logs in several
// passes too and reports the same figures (it used to stop at the bound
// and report part of the usage).
func TestAgentsBoundedMemoryPasses(t *testing.T) {
	figures := func() string {
		t.Helper()
		env, out, errb := testEnv(t, sampleVars(t))
		if code := Run(env, []string{"agents", "--json"}); code != 0 {
			t.Fatalf("exit %d: %s", code, errb)
		}
		var rep struct {
			Agents []struct {
				Agent    string         `json:"agent"`
				Requests int64          `json:"requests"`
				Usage    map[string]any `json:"usage"`
				Newest   string         `json:"newest"`
			} `json:"agents"`
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rep.Agents)
	}
	want := figures()
	defer func(n int) { usageMaxIdentities = n }(usageMaxIdentities)
	usageMaxIdentities = 20
	if got := figures(); got != want || !strings.Contains(want, "claude-code 63") {
		t.Fatalf("figures differ when read in passes:\n%s\nwant\n%s", got, want)
	}
}
