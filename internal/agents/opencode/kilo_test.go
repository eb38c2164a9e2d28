package opencode

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// TestKiloPaths: Kilo CLI keeps OpenCode's layout under ~/.local/share/kilo
// (XDG_DATA_HOME/kilo), in kilo.db, kilo-<channel>.db or
// opencode-<channel>.db, and KILO_DB; OpenCode's variables do not move it.
func TestKiloPaths(t *testing.T) {
	j := filepath.Join
	data := j(t.TempDir(), "kilo")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"kilo.db", "kilo-beta.db", "opencode-dev.db", "kilo.db-wal", "opencode.db", "other.db"} {
		if err := os.WriteFile(j(data, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	xdg := filepath.Dir(data)
	home := j(string(filepath.Separator)+"home", "me")
	tests := []struct {
		name       string
		env        map[string]string
		roots, dbs []string
	}{
		{"default", nil, []string{j(home, ".local", "share", "kilo", "storage")}, []string{j(home, ".local", "share", "kilo", "kilo.db")}},
		{"XDG_DATA_HOME, with the channel databases", map[string]string{"XDG_DATA_HOME": xdg, "OPENCODE_DATA_DIR": "/elsewhere"},
			[]string{j(data, "storage"), j(home, ".local", "share", "kilo", "storage")},
			[]string{j(data, "kilo.db"), j(data, "kilo-beta.db"), j(data, "opencode-dev.db"), j(home, ".local", "share", "kilo", "kilo.db")}},
		{"KILO_DB relative", map[string]string{"KILO_DB": "mine.db", "OPENCODE_DB": "/not/this.db"},
			[]string{j(home, ".local", "share", "kilo", "storage")},
			[]string{j(home, ".local", "share", "kilo", "kilo.db"), j(home, ".local", "share", "kilo", "mine.db")}},
		{"ccusage's KILO_DATA_DIR list replaces", map[string]string{"KILO_DATA_DIR": "/a, /b", "XDG_DATA_HOME": xdg},
			[]string{j("/a", "storage"), j("/b", "storage")}, []string{j("/a", "kilo.db"), j("/b", "kilo.db")}},
		{"KILO_DB in memory", map[string]string{"KILO_DB": ":memory:"},
			[]string{j(home, ".local", "share", "kilo", "storage")}, []string{j(home, ".local", "share", "kilo", "kilo.db")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tail.Env{Home: home, GOOS: "linux", Getenv: func(k string) string { return tt.env[k] }}
			src := KiloSource()
			if got := src.Roots(env); !slices.Equal(got, tt.roots) {
				t.Errorf("Roots = %q\nwant    %q", got, tt.roots)
			}
			if got := src.Files(env); !slices.Equal(got, tt.dbs) {
				t.Errorf("Files = %q\nwant    %q", got, tt.dbs)
			}
		})
	}
	if s := KiloSource(); s.Agent != attribution.AgentKiloCLI || s.Match == nil || s.Read == nil {
		t.Errorf("KiloSource() = %+v", s)
	}
}

// TestKiloReadsAsItsOwnAgent: the OpenCode test history, stored as Kilo
// CLI stores it (kilo.db, kilo-beta.db, the legacy storage), gives the same
// calls under the agent kilo-cli, with session ids hashed under that name;
// the OpenCode source finds none of it.
func TestKiloReadsAsItsOwnAgent(t *testing.T) {
	xdg := t.TempDir()
	data := filepath.Join(xdg, "kilo")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	main, beta := history(t, data)
	for _, a := range []*agent{main, beta} {
		if err := a.db.Close(); err != nil { // checkpoints the write-ahead log
			t.Fatal(err)
		}
	}
	for from, to := range map[string]string{"opencode.db": "kilo.db", "opencode-beta.db": "kilo-beta.db"} {
		if err := os.Rename(filepath.Join(data, from), filepath.Join(data, to)); err != nil {
			t.Fatal(err)
		}
	}
	env := agenttest.Env(t, map[string]string{"XDG_DATA_HOME": xdg})
	got := agenttest.Scan(t, env, KiloSource())
	if got.Total != wantHistory.Total || got.Requests != wantHistory.Requests || len(got.Problems) != 0 {
		t.Errorf("total = %+v in %d calls (problems %q),\nwant    %+v in %d", got.Total, got.Requests, got.Problems, wantHistory.Total, wantHistory.Requests)
	}
	sessions := map[string]bool{}
	for _, e := range got.Events {
		if e.Agent != attribution.AgentKiloCLI {
			t.Fatalf("event of agent %q", e.Agent)
		}
		sessions[e.Session] = true
	}
	if !sessions[attribution.HashSession(attribution.AgentKiloCLI, "ses_a")] || sessions[attribution.HashSession(attribution.AgentOpenCode, "ses_a")] {
		t.Errorf("sessions %v: want ses_a hashed under kilo-cli", sessions)
	}
	if oc := agenttest.Scan(t, env, Source()); len(oc.Events) != 0 {
		t.Errorf("the OpenCode source read %d events of Kilo CLI's", len(oc.Events))
	}
}

// TestCcusageKilo compares with `ccusage kilo` (20.0.24) on the OpenCode
// test history stored as Kilo CLI stores it. ccusage reads Kilo CLI as it
// reads OpenCode (message tokens, one database), so the totals differ by
// the terms TestCcusageHistory explains (earlier steps of tool loops, the
// beta channel's database, the fork's copies, reasoning) and one more:
// ccusage reads only kilo.db, not the legacy storage, so the legacy-only
// msg_l1 (input 700, output 40, cache read 300) is missing from its totals.
func TestCcusageKilo(t *testing.T) {
	data := filepath.Join(t.TempDir(), "kilo")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	main, beta := history(t, data)
	for _, a := range []*agent{main, beta} {
		if err := a.db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for from, to := range map[string]string{"opencode.db": "kilo.db", "opencode-beta.db": "kilo-beta.db"} {
		if err := os.Rename(filepath.Join(data, from), filepath.Join(data, to)); err != nil {
			t.Fatal(err)
		}
	}
	report := agenttest.Ccusage(t, map[string]string{"KILO_DATA_DIR": data}, "kilo", "daily", "--json", "--offline")
	field := func(k string) int64 {
		v, ok := agenttest.Number(report, "totals", k)
		if !ok {
			t.Fatalf("ccusage totals lack %s: %v", k, report["totals"])
		}
		return v
	}
	cc := attribution.Usage{Input: field("inputTokens"), Output: field("outputTokens"),
		CacheRead: field("cacheReadTokens"), CacheWrite: field("cacheCreationTokens")}

	got := agenttest.Scan(t, agenttest.Env(t, map[string]string{"KILO_DATA_DIR": data}), KiloSource())
	if got.Total != wantHistory.Total {
		t.Fatalf("total = %+v, want %+v", got.Total, wantHistory.Total)
	}
	earlierSteps := attribution.Usage{Input: 12 + 8 + 4000, Output: 180 + 95 + 300, CacheRead: 14000, CacheWrite: 14000 + 620}
	betaDB := attribution.Usage{Input: 500, Output: 60}
	fork := attribution.Usage{Input: 5, Output: 410, CacheRead: 14620, CacheWrite: 1200}
	legacyOnly := attribution.Usage{Input: 700, Output: 40, CacheRead: 300}
	reasoning := int64(640 + 1200 + 200)
	lastStepReasoning := int64(640 + 200)

	want := got.Total
	want.Input += fork.Input - earlierSteps.Input - betaDB.Input - legacyOnly.Input
	want.Output += fork.Output - earlierSteps.Output - betaDB.Output - legacyOnly.Output - reasoning
	want.CacheRead += fork.CacheRead - earlierSteps.CacheRead - betaDB.CacheRead - legacyOnly.CacheRead
	want.CacheWrite += fork.CacheWrite - earlierSteps.CacheWrite - betaDB.CacheWrite - legacyOnly.CacheWrite
	want.Reasoning = 0
	if cc != want {
		t.Errorf("ccusage = %+v,\nexplained %+v", cc, want)
	}
	if wantTotal := want.Total() + lastStepReasoning; field("totalTokens") != wantTotal {
		t.Errorf("ccusage totalTokens = %d, explained %d", field("totalTokens"), wantTotal)
	}
}
