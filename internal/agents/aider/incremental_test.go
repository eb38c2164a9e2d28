package aider

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// splitAt returns data cut after the n-th newline.
func splitAt(t *testing.T, data []byte, n int) (head, rest []byte) {
	t.Helper()
	off := 0
	for i := 0; i < n; i++ {
		j := bytes.IndexByte(data[off:], '\n')
		if j < 0 {
			t.Fatalf("fewer than %d lines", n)
		}
		off += j + 1
	}
	return data[:off], data[off:]
}

// TestIncrementalAppend grows both kinds of log the way aider does (append,
// sometimes a half-written last line) and rescans with the same scan.State:
// every scan adds only the new usage, the sum of all scans equals one full
// read, and an unchanged file adds nothing. The chat history is cut in the
// middle of a session, so the resumed parser must carry the session start,
// model and line rank in its state.
func TestIncrementalAppend(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sample string
		file   func(repo string) string
		vars   func(repo string) map[string]string
		cuts   []int // line numbers to cut the sample after
	}{
		{
			name:   "chat history",
			sample: sampleTail,
			file:   func(repo string) string { return filepath.Join(repo, historyName) },
			vars:   func(string) map[string]string { return nil },
			cuts:   []int{12700, 17288, 25000},
		},
		{
			name:   "global analytics log",
			sample: sampleAnalytics,
			file:   func(repo string) string { return filepath.Join(repo, "..", "global.jsonl") },
			vars: func(repo string) map[string]string {
				return map[string]string{envAnalyticsLog: filepath.Join(repo, "..", "global.jsonl")}
			},
			cuts: []int{54, 500, 999},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := readFile(t, tc.sample)
			full, _ := parse(t, roleByName(tc.sample), data, false)
			want := sum(full)

			repo := filepath.Join(t.TempDir(), "repo")
			path := filepath.Clean(tc.file(repo))
			env := agenttest.Env(t, tc.vars(repo))
			env.Repos = []string{repo}
			st := scan.NewState()

			var total attribution.Usage
			requests := 0
			written := 0
			for i, cut := range append(tc.cuts, -1) {
				var chunk []byte
				if cut < 0 {
					chunk = data[written:]
				} else {
					head, _ := splitAt(t, data, cut)
					chunk = head[written:]
				}
				// Write all but the last 10 bytes first: a half-written line
				// must wait for its end.
				if len(chunk) > 10 {
					write(t, path, chunk[:len(chunk)-10], written == 0)
					res := agenttest.ScanState(t, env, st, Source())
					total, requests = total.Add(res.Total), requests+res.Requests
					write(t, path, chunk[len(chunk)-10:], false)
				} else {
					write(t, path, chunk, written == 0)
				}
				written += len(chunk)
				res := agenttest.ScanState(t, env, st, Source())
				if len(res.Problems) > 0 {
					t.Fatalf("step %d: %v", i, res.Problems)
				}
				total, requests = total.Add(res.Total), requests+res.Requests
				again := agenttest.ScanState(t, env, st, Source())
				if len(again.Events) != 0 {
					t.Fatalf("step %d: an unchanged file gave %d events", i, len(again.Events))
				}
			}
			if total != want || requests != len(full) {
				t.Errorf("incremental: %+v in %d requests; full read: %+v in %d", total, requests, want, len(full))
			}

			// A rewrite (same content under a new inode, as an editor saves)
			// is read again from the start and adds nothing.
			tmp := path + ".tmp"
			writeFile(t, tmp, data)
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
			res := agenttest.ScanState(t, env, st, Source())
			if len(res.Events) != 0 {
				t.Errorf("rewrite added %d events (%+v)", len(res.Events), res.Total)
			}
			if s := res.Stats[attribution.AgentAider]; s.Rewrites != 1 {
				t.Errorf("rewrites %d, want 1", s.Rewrites)
			}
		})
	}
}

// write creates path with data, or appends data to it.
func write(t *testing.T, path string, data []byte, create bool) {
	t.Helper()
	if create {
		writeFile(t, path, data)
		return
	}
	appendFile(t, path, data)
}
