// Package agenttest holds what the readers' tests share: an isolated
// environment, a full scan with global de-duplication summed up, sample
// trees copied into temporary directories, and the ccusage cross-check.
// Only tests import it.
package agenttest

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// Samples is the repository's directory of real and fixture session logs,
// relative to a package under internal/agents.
const Samples = "../../../testdata/sessions"

// Env returns an environment whose home is a fresh temporary directory (never
// the real one) and whose variables are vars only.
func Env(t testing.TB, vars map[string]string) tail.Env {
	t.Helper()
	return tail.Env{Home: t.TempDir(), GOOS: "linux", Getenv: func(k string) string { return vars[k] }}
}

// Summary is what one full scan found.
type Summary struct {
	// Events are the de-duplicated events, in time order.
	Events []attribution.Event
	// Total sums them; Requests counts those that are not increments.
	Total    attribution.Usage
	Requests int
	// Problems and Stats are the scan's.
	Problems []string
	Stats    map[string]*tail.Stats
	// Files are the single files the sources named.
	Files []string
}

// Scan reads every log of srcs in env from scratch, de-duplicated as the
// hooks and the usage command do.
func Scan(t testing.TB, env tail.Env, srcs ...tail.Source) Summary {
	t.Helper()
	return ScanState(t, env, scan.NewState(), srcs...)
}

// ScanState is Scan continuing from st (for incremental tests).
func ScanState(t testing.TB, env tail.Env, st *scan.State, srcs ...tail.Source) Summary {
	t.Helper()
	res := scan.Scan(context.Background(), env, srcs, st, scan.Options{Workers: 2})
	s := Summary{Events: res.Events, Problems: res.Problems, Stats: res.Stats, Files: res.Files}
	for _, e := range res.Events {
		s.Total = s.Total.Add(e.Usage)
		if !e.Increment {
			s.Requests++
		}
	}
	return s
}

// CopyTree copies the directory src to a new temporary directory and returns
// it, so tests can change the copy (append, rewrite, set times).
func CopyTree(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// Ccusage runs the ccusage binary named by TOKENYIELD_CCUSAGE with args
// (for instance "gemini", "daily", "--json", "--offline") and the variables
// vars, with HOME set to a fresh temporary directory unless vars has one and
// TZ=UTC, and decodes its JSON output. Without the variable the test is
// skipped, or fails when TOKENYIELD_REQUIRE_PEERS=1.
func Ccusage(t testing.TB, vars map[string]string, args ...string) map[string]any {
	t.Helper()
	bin := os.Getenv("TOKENYIELD_CCUSAGE")
	if bin == "" {
		if os.Getenv("TOKENYIELD_REQUIRE_PEERS") == "1" {
			t.Fatal("TOKENYIELD_CCUSAGE is not set and TOKENYIELD_REQUIRE_PEERS=1")
		}
		t.Skip("set TOKENYIELD_CCUSAGE to a ccusage binary to compare with it")
	}
	env := map[string]string{"HOME": t.TempDir(), "TZ": "UTC", "LOG_LEVEL": "0", "PATH": os.Getenv("PATH")}
	for k, v := range vars {
		env[k] = v
	}
	cmd := exec.Command(bin, args...)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ccusage %v: %v\n%s", args, err, stderr.Bytes())
	}
	var report map[string]any
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("ccusage %v printed no JSON object (%v):\n%s", args, err, out)
	}
	return report
}

// Number reads a number at a path of keys in decoded JSON (0 and false
// when absent or not a number).
func Number(v any, keys ...string) (int64, bool) {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return 0, false
		}
		v = m[k]
	}
	f, ok := v.(float64)
	return int64(f), ok
}
