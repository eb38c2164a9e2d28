package claudecode

import (
	"bytes"
	"os"
	"testing"
	"time"
)

const mainSession = spotterRoot + "/projects/-home-USER-projects-spotter-worktrees-spotter-dov/4d5611e5-241a-462a-8d15-5122611a9569.jsonl"

// TestIncrementalHalves writes a transcript in two steps, the first ending in
// the middle of a line, and checks that two reads with the cursor give
// exactly what one read of the whole file gives.
func TestIncrementalHalves(t *testing.T) {
	data, err := os.ReadFile(mainSession)
	if err != nil {
		t.Fatal(err)
	}
	whole := readAll(t, writeFile(t, "whole.jsonl", data))

	// Cuts inside a line, on a line boundary, and just before the final newline.
	for _, cut := range []int{len(data) / 2, len(data) / 3, bytes.IndexByte(data, '\n') + 1, len(data) - 1} {
		if cut != bytes.IndexByte(data, '\n')+1 && data[cut-1] == '\n' {
			t.Fatalf("cut %d is on a line boundary", cut)
		}
		path := writeFile(t, "s.jsonl", data[:cut])
		r := newReader()
		r.read(t, path)
		cur := r.cursors[path]
		if want := int64(bytes.LastIndexByte(data[:cut], '\n') + 1); cur.Offset != want {
			t.Errorf("cut %d: cursor offset = %d, want %d (end of the last complete line)", cut, cur.Offset, want)
		}
		first := r.res.Stats.Lines

		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(data[cut:]); err != nil {
			t.Fatal(err)
		}
		f.Close()
		r.read(t, path)

		got := r.res
		if got.Total != whole.Total || got.Unique != whole.Unique || len(got.Events) != len(whole.Events) {
			t.Errorf("cut %d: two reads = %+v (%d unique, %d events), one read = %+v (%d, %d)",
				cut, got.Total, got.Unique, len(got.Events), whole.Total, whole.Unique, len(whole.Events))
		}
		if got.Stats.Lines != whole.Stats.Lines || first == 0 || first >= whole.Stats.Lines {
			t.Errorf("cut %d: lines %d then %d in total, want %d", cut, first, got.Stats.Lines, whole.Stats.Lines)
		}
		if got.Stats.Rewrites != 0 || got.Stats.Skipped != 0 {
			t.Errorf("cut %d: stats = %+v", cut, got.Stats)
		}
		// A third read of the unchanged file does nothing.
		before := got.Stats
		r.read(t, path)
		if r.res.Stats.Read != before.Read || len(r.res.Events) != len(got.Events) {
			t.Errorf("cut %d: unchanged file read again", cut)
		}
	}
}

// TestRewrittenFile truncates a transcript and writes different content (as
// compaction or a resume may do). The reader starts again from the top and
// Dedup keeps the copies from counting twice: the totals are those of the
// union of both versions' lines.
func TestRewrittenFile(t *testing.T) {
	lines := fileLines(t, mainSession)
	n := len(lines)
	tests := []struct {
		name          string
		before, after [][]byte
		union         [][]byte
	}{
		{"shrink", lines[:n*2/3], lines[n/6 : n/3], lines[:n*2/3]},
		{"grow with another start", lines[:n/4], lines[n/8:], lines},
		{"same lines reordered", lines[:n/2], append(append([][]byte{}, lines[n/4:n/2]...), lines[:n/4]...), lines[:n/2]},
		{"replaced by another transcript", lines[:n/2], fileLines(t, samples+"/spotter/tool_heavy.jsonl"),
			append(append([][]byte{}, lines[:n/2]...), fileLines(t, samples+"/spotter/tool_heavy.jsonl")...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "s.jsonl", joinLines(tt.before))
			r := newReader()
			r.read(t, path)
			firstEvents := len(r.res.Events)

			// Rewrite in place (same inode), keeping the modification time
			// different from the first version's.
			if err := os.WriteFile(path, joinLines(tt.after), 0o644); err != nil {
				t.Fatal(err)
			}
			future := time.Now().Add(time.Minute)
			if err := os.Chtimes(path, future, future); err != nil {
				t.Fatal(err)
			}
			r.read(t, path)

			ref := referenceTotals(t, tt.union)
			if r.res.Total != ref.Total || r.res.Unique != ref.Unique {
				t.Errorf("totals = %+v (%d unique), union of both versions = %+v (%d)", r.res.Total, r.res.Unique, ref.Total, ref.Unique)
			}
			if r.res.Stats.Rewrites != 1 {
				t.Errorf("rewrites = %d, want 1", r.res.Stats.Rewrites)
			}
			if second := len(r.res.Events) - firstEvents; second != referenceTotals(t, tt.after).Lines {
				t.Errorf("second read emitted %d events, want all %d of the new content", second, referenceTotals(t, tt.after).Lines)
			}
		})
	}
}
