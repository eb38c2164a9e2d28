package cline

import (
	"testing"

	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// TestCcusageReadsNone documents why the totals tests compare with an
// independent decode instead of ccusage: ccusage 20.0.24 reads none of these
// logs. Its "kilo" command reads the Kilo CLI's SQLite database, not the Kilo
// Code extension's task folders. With every sample installed where the
// extensions write them (Linux and macOS user dirs, ~/.cline/data), both
// `ccusage daily` and `ccusage kilo daily` report nothing. Should a later
// ccusage read them, this test fails and a real comparison belongs here.
func TestCcusageReadsNone(t *testing.T) {
	env := agenttest.Env(t, nil)
	for _, goos := range []string{"linux", "darwin"} {
		env.GOOS = goos
		for _, sample := range []string{clineSample, rooSample, kiloSample} {
			install(t, env, sample, "Code")
		}
	}
	copyDir(t, clineSDK, env.InHome(".cline", "data"))
	for _, args := range [][]string{{"daily", "--json", "--offline"}, {"kilo", "daily", "--json", "--offline"}} {
		report := agenttest.Ccusage(t, map[string]string{"HOME": env.Home}, args...)
		for _, k := range []string{"inputTokens", "outputTokens", "cacheReadTokens", "cacheCreationTokens"} {
			if n, ok := agenttest.Number(report, "totals", k); !ok || n != 0 {
				t.Errorf("ccusage %v: totals.%s = %d (present %v), want 0", args, k, n, ok)
			}
		}
	}
}
