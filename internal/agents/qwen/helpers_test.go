package qwen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Sample trees, each a Qwen Code runtime directory (QWEN_DATA_DIR) holding
// projects/.
const (
	samples      = agenttest.Samples + "/qwen"
	samplesDir   = samples + "/samples"   // upstream fixtures in a real layout
	syntheticDir = samples + "/synthetic" // hand-made: see SOURCES.md
)

// Raw session ids of the synthetic tree: a session and its /branch.
const (
	synSession = "3c1e9a70-5d2b-4f8e-a6c4-7b9d0e1f2a31"
	synBranch  = "8f2d4b6a-1c3e-4a5b-9d7f-0e2c4a6b8d42"
)

// scanDir scans a runtime directory named by QWEN_DATA_DIR with a fresh
// state.
func scanDir(t testing.TB, dir string) agenttest.Summary {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return agenttest.Scan(t, agenttest.Env(t, map[string]string{"QWEN_DATA_DIR": abs}), Source())
}

// matchedFiles lists the files Source matches below dir/projects.
func matchedFiles(t testing.TB, dir string) []string {
	t.Helper()
	root := filepath.Join(dir, "projects")
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err == nil && match(filepath.ToSlash(rel)) {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// readEvents reads files through the line reader (keys included, no
// de-duplication).
func readEvents(t testing.TB, files ...string) ([]attribution.Event, tail.Stats) {
	t.Helper()
	var events []attribution.Event
	var st tail.Stats
	for _, f := range files {
		if err := tail.ReadFile(Source(), f, &tail.Cursor{}, func(e attribution.Event) { events = append(events, e) }, &st); err != nil {
			t.Fatal(err)
		}
	}
	return events, st
}

// rawUsage is a usageMetadata object as written.
type rawUsage struct {
	Prompt     int64  `json:"promptTokenCount"`
	Candidates int64  `json:"candidatesTokenCount"`
	Cached     int64  `json:"cachedContentTokenCount"`
	Thoughts   int64  `json:"thoughtsTokenCount"`
	Tool       int64  `json:"toolUsePromptTokenCount"`
	Total      *int64 `json:"totalTokenCount"`
}

// reference reads a tree independently with encoding/json: the
// usageMetadata of every assistant record with usage, by uuid. It shares no
// code with the reader.
func reference(t testing.TB, dir string) map[string]rawUsage {
	t.Helper()
	out := map[string]rawUsage{}
	for _, f := range matchedFiles(t, dir) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var r struct {
				UUID  string    `json:"uuid"`
				Type  string    `json:"type"`
				Usage *rawUsage `json:"usageMetadata"`
			}
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if r.Type == "assistant" && r.Usage != nil && (r.Usage.Prompt|r.Usage.Candidates|r.Usage.Cached|r.Usage.Thoughts|r.Usage.Tool) != 0 {
				out[r.UUID] = *r.Usage
			}
		}
	}
	return out
}

// checkReference compares a scan with the reference. Whatever the backend,
// the provider's own total is prompt + tool-use prompt + output, which is
// what Input + CacheRead + Output adds up to; the prompt is split into
// uncached input and cache reads; thoughts are the reasoning.
func checkReference(t *testing.T, dir string, got agenttest.Summary) {
	t.Helper()
	ref := reference(t, dir)
	var prompt, cached, thoughts, billed int64
	for _, u := range ref {
		prompt += u.Prompt + u.Tool
		cached += u.Cached
		thoughts += u.Thoughts
		if u.Total != nil {
			billed += *u.Total
		} else {
			billed += u.Prompt + u.Tool + u.Candidates + u.Thoughts
		}
	}
	if got.Requests != len(ref) || got.Total.Input+got.Total.CacheRead != prompt || got.Total.CacheRead != cached ||
		got.Total.Reasoning != thoughts || got.Total.Total() != billed {
		t.Errorf("totals = %+v in %d requests; reference: %d requests, prompt %d, cached %d, thoughts %d, billed %d",
			got.Total, got.Requests, len(ref), prompt, cached, thoughts, billed)
	}
}

// appendFile appends data to a file.
func appendFile(t testing.TB, path string, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
