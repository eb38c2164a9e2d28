package opencode

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// reference computes the usage of a legacy storage folder independently of
// the reader: a plain encoding/json pass over every file, with the rules
// applied by hand. A call is a step-finish part file in part/<message id>/,
// else an assistant message file with tokens whose part directory holds no
// step-finish part; input, cache read and cache write are taken as they are
// (the samples carry no reasoning).
func reference(t *testing.T, storage string) (total attribution.Usage, calls int) {
	t.Helper()
	type doc struct {
		ID        string `json:"id"`
		Role      string `json:"role"`
		Type      string `json:"type"`
		MessageID string `json:"messageID"`
		Tokens    *struct {
			Input, Output float64
			Cache         struct{ Read, Write float64 }
		} `json:"tokens"`
	}
	read := func(path string) doc {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var d doc
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return d
	}
	add := func(d doc) {
		total = total.Add(attribution.Usage{Input: int64(d.Tokens.Input), Output: int64(d.Tokens.Output),
			CacheRead: int64(d.Tokens.Cache.Read), CacheWrite: int64(d.Tokens.Cache.Write)})
		calls++
	}
	stepped := map[string]bool{}
	parts, _ := filepath.Glob(filepath.Join(storage, "part", "*", "*.json"))
	for _, p := range parts {
		if d := read(p); d.Type == "step-finish" && d.Tokens != nil {
			stepped[filepath.Base(filepath.Dir(p))] = true
			add(d)
		}
	}
	messages, _ := filepath.Glob(filepath.Join(storage, "message", "*", "*.json"))
	for _, m := range messages {
		if d := read(m); d.Role == "assistant" && d.Tokens != nil && !stepped[d.ID] {
			add(d)
		}
	}
	return total, calls
}

// TestStorageV2Sample reads the agent-sessions storage_v2 fixture (OpenCode
// 1.3.17 file layout). Its one call is m_assistant_large_1's step-finish
// part 006.json: 120 input, 16 output tokens (the message file repeats them;
// counted once, under the part's key). The message's path is a string, not
// {cwd, root}, so the cwd comes from the session (/tmp/large); it has no
// time.completed, so the time is time.created, 1730000102000 ms.
func TestStorageV2Sample(t *testing.T) {
	data := storageFrom(t, samples+"/storage_v2")
	got := scanData(t, data)
	refTotal, refCalls := reference(t, filepath.Join(data, "storage"))
	want := attribution.Usage{Input: 120, Output: 16}
	if got.Total != want || got.Requests != 1 {
		t.Errorf("total = %+v in %d calls, want %+v in 1", got.Total, got.Requests, want)
	}
	if refTotal != want || refCalls != 1 {
		t.Errorf("independent reference = %+v in %d calls, recorded %+v in 1", refTotal, refCalls, want)
	}
	if len(got.Problems) != 0 {
		t.Errorf("problems: %q", got.Problems)
	}
	st := got.Stats[attribution.AgentOpenCode]
	if st.Files != 20 || st.Skipped != 0 || st.Errors != 0 {
		t.Errorf("stats = %+v, want 20 files (6 messages, 14 parts) and nothing skipped", st)
	}
	if len(got.Events) == 1 {
		e := got.Events[0]
		wantTime := time.UnixMilli(1730000102000).UTC()
		if e.Model != "gpt-4o-mini" || e.Cwd != "/tmp/large" || !e.Time.Equal(wantTime) ||
			e.Session != attribution.HashSession(attribution.AgentOpenCode, "s_stage0_large") {
			t.Errorf("event = %+v", e)
		}
	}
}

// TestStorageLegacySample reads the older, drifted agent-sessions fixture:
// its messages carry no tokens and its part files lie flat in part/ (a
// layout OpenCode never wrote), so there is nothing to count and nothing to
// complain about.
func TestStorageLegacySample(t *testing.T) {
	data := storageFrom(t, samples+"/storage_legacy")
	got := scanData(t, data)
	if !got.Total.IsZero() || got.Requests != 0 || len(got.Problems) != 0 {
		t.Errorf("total = %+v in %d calls, problems %q", got.Total, got.Requests, got.Problems)
	}
	if st := got.Stats[attribution.AgentOpenCode]; st.Files != 2 {
		t.Errorf("files = %d, want the 2 message files", st.Files)
	}
}

// TestSampleFilesDirectly feeds every sample file to the reader on its own
// (in any order, without its neighbours' help being needed for the count):
// the storage_v2 step part yields the one event, nothing else does.
func TestSampleFilesDirectly(t *testing.T) {
	data := storageFrom(t, samples+"/storage_v2")
	var paths []string
	err := filepath.WalkDir(filepath.Join(data, "storage"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(filepath.Join(data, "storage"), p)
			if match(filepath.ToSlash(rel)) {
				paths = append(paths, p)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	events, st, errs := readAll(t, Source(), paths...)
	if len(errs) != 0 || len(events) != 1 || events[0].Key != "p:p_step_finish_large_1" || st.Read != len(paths) {
		t.Errorf("events %+v, errors %v, stats %+v", events, errs, st)
	}
	if !strings.HasSuffix(paths[0], ".json") {
		t.Errorf("paths %v", paths)
	}
}

// TestLegacyFork: a fork in the legacy storage copies messages and parts
// under new ids into a session created later; the copies are not counted
// again, while a call made in the fork afterwards is.
func TestLegacyFork(t *testing.T) {
	data := t.TempDir()
	storage := filepath.Join(data, "storage")
	writeJSON(t, filepath.Join(storage, "session", "p", "ses_fork.json"),
		map[string]any{"id": "ses_fork", "version": "1.1.4", "directory": "/work/repo", "time": map[string]any{"created": at(time.Hour)}})
	write := func(mid, pid string, created int64, s map[string]any) {
		m := assistant("anthropic", "claude-sonnet-4-5", "/work/repo", created, created+5000, s)
		m["id"], m["sessionID"] = mid, "ses_fork"
		writeJSON(t, filepath.Join(storage, "message", "ses_fork", mid+".json"), m)
		p := step(s)
		p["id"], p["messageID"], p["sessionID"] = pid, mid, "ses_fork"
		writeJSON(t, filepath.Join(storage, "part", mid, pid+".json"), p)
	}
	write("msg_copy", "prt_copy", at(2*time.Second), tok(100, 10, 0, 0, 0, 110))
	write("msg_new", "prt_new", at(time.Hour+time.Minute), tok(7, 3, 0, 0, 0, 10))
	got := scanData(t, data)
	if got.Total != (attribution.Usage{Input: 7, Output: 3}) || got.Requests != 1 || len(got.Problems) != 0 {
		t.Errorf("total = %+v in %d calls, problems %q", got.Total, got.Requests, got.Problems)
	}
}
