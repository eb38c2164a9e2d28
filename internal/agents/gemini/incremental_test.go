package gemini

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// TestIncremental grows and rewrites the synthetic tree between scans that
// share one scan.State, the way the commit hook runs: each scan must report
// only the usage that is new.
func TestIncremental(t *testing.T) {
	tree := agenttest.CopyTree(t, syntheticDir)
	tmp := filepath.Join(tree, "tmp")
	env := agenttest.Env(t, map[string]string{"GEMINI_DATA_DIR": tmp})
	st := scan.NewState()
	step := func(name string, want attribution.Usage, requests int) agenttest.Summary {
		t.Helper()
		got := agenttest.ScanState(t, env, st, Source())
		if got.Total != want || got.Requests != requests || len(got.Problems) != 0 {
			t.Errorf("%s: new usage %+v in %d requests (problems %q), want %+v in %d", name, got.Total, got.Requests, got.Problems, want, requests)
		}
		return got
	}
	step("first scan", syntheticWant, 7)
	step("nothing changed", attribution.Usage{}, 0)

	main := filepath.Join(tmp, "webapp", "chats", "session-2026-05-02T10-00-5e55a001.jsonl")
	m3 := `{"id":"7c6d5e4f-3a21-4c1d-8e9f-8a7b6c5d4e05","timestamp":"2026-05-02T10:00:44.000Z","type":"gemini","content":"Done.","thoughts":[],"tokens":{"input":2100,"output":90,"cached":1500,"thoughts":0,"tool":0,"total":2190},"model":"gemini-2.5-pro"}`
	m4 := `{"id":"m4","timestamp":"2026-05-02T10:02:00.000Z","type":"gemini","content":"","thoughts":[],"tokens":{"input":2500,"output":60,"cached":2000,"thoughts":10,"tool":0,"total":2570},"model":"gemini-2.5-pro"}`
	m5 := `{"id":"m5","timestamp":"2026-05-02T10:03:00.000Z","type":"gemini","content":"","thoughts":[],"tokens":{"input":900,"output":15,"cached":0,"thoughts":0,"tool":0,"total":915},"model":"gemini-2.5-pro"}`
	// m3 re-appended unchanged, a new m4, and half of m5 (being written).
	appendFile(t, main, m3+"\n"+m4+"\n"+m5[:40])
	// The legacy document is rewritten whole with one more message.
	legacy := filepath.Join(tmp, sha("/home/dev/legacy"), "chats", "session-2025-11-20T08-00-01d00003.json")
	data, err := os.ReadFile(legacy)
	if err != nil {
		t.Fatal(err)
	}
	l3 := `{"id":"l3","timestamp":"2025-11-20T08:01:00.000Z","type":"gemini","content":"","tokens":{"input":400,"output":25,"cached":0,"thoughts":0,"tool":0,"total":425},"model":"gemini-2.5-pro"}`
	i := strings.LastIndex(string(data), "]")
	rewritten := string(data[:i]) + "," + l3 + string(data[i:])
	writeNewer(t, legacy, rewritten)

	// m4: Input 500, CacheRead 2000, Output 70, Reasoning 10; l3: Input 400, Output 25.
	step("appended and rewritten", attribution.Usage{Input: 900, CacheRead: 2000, Output: 95, Reasoning: 10}, 2)

	appendFile(t, main, m5[40:]+"\n")
	step("the half line completed", attribution.Usage{Input: 900, Output: 15}, 1)

	// Recovery rewrites the .jsonl from memory (temporary file + rename):
	// a new inode holding only known messages.
	lines := strings.Split(strings.TrimSpace(readString(t, main)), "\n")
	rewrite := strings.Join([]string{lines[0], lines[1], m3, m4, m5}, "\n") + "\n"
	if err := os.WriteFile(main+".tmp-1", []byte(rewrite), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(main+".tmp-1", main); err != nil {
		t.Fatal(err)
	}
	got := step("rewritten after recovery", attribution.Usage{}, 0)
	if s := got.Stats[attribution.AgentGeminiCLI]; s.Rewrites != 1 {
		t.Errorf("rewrites = %d, want 1", s.Rewrites)
	}

	// The legacy document rewritten while being written (cut short): a
	// skipped read, nothing lost, and the next complete version is read.
	writeNewer(t, legacy, rewritten[:len(rewritten)/2])
	got = agenttest.ScanState(t, env, st, Source())
	if got.Requests != 0 || len(got.Problems) != 1 || got.Stats[attribution.AgentGeminiCLI].Skipped != 1 {
		t.Errorf("half-written document: %d requests, problems %q", got.Requests, got.Problems)
	}
	writeNewer(t, legacy, rewritten)
	step("document complete again", attribution.Usage{}, 0)
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeNewer rewrites a file in place with a later modification time, so
// that a rewrite within the clock's resolution is still seen.
func writeNewer(t *testing.T, path, data string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	next := fi.ModTime().Add(time.Second)
	if err := os.Chtimes(path, next, next); err != nil {
		t.Fatal(err)
	}
}
