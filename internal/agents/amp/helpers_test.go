package amp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Sample data directories (each holds threads/), relative to this package.
var (
	samples   = agenttest.Samples + "/amp"
	synthetic = samples + "/synthetic" // the shared hand-authored sample
	handmade  = samples + "/handmade"  // this package's hand-made threads
)

// Thread ids of the samples.
const (
	sampleThread   = "T-019b9d03-62e3-772f-9780-3e637f90eaec" // ledger + message usage
	messagesThread = "T-7d0c1b7e-2a51-4c37-9a0f-5b3c2f1e8d40" // no ledger
	oracleThread   = "T-3f6a9b12-8c4d-4e21-b7a5-0d9e6c2b1a73" // two events for one message, a message the ledger lacks
)

// dataDirEnv returns an environment whose AMP_DATA_DIR lists dirs (made
// absolute).
func dataDirEnv(t testing.TB, dirs ...string) tail.Env {
	t.Helper()
	v := ""
	for i, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			v += ","
		}
		v += abs
	}
	return agenttest.Env(t, map[string]string{"AMP_DATA_DIR": v})
}

// threadFile returns the path of a sample thread.
func threadFile(dataDir, id string) string {
	return filepath.Join(dataDir, "threads", id+".json")
}

// parseFile runs parseThread on a file and returns its events and error.
func parseFile(t testing.TB, path string) ([]attribution.Event, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var evs []attribution.Event
	err = parseThread(data, path, func(e attribution.Event) { evs = append(evs, e) })
	return evs, err
}

// editJSON decodes a thread document, lets edit change it and writes it to
// dst, keeping dst's inode when it exists (Amp rewrites in place).
func editJSON(t testing.TB, src, dst string, edit func(doc map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	out, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// list returns doc[key] as a slice (nil when absent).
func list(doc map[string]any, key string) []any {
	v, _ := doc[key].([]any)
	return v
}

// copyThread copies a thread document to dst, creating its folder.
func copyThread(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
