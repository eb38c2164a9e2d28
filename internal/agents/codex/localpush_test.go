package codex

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// plainVec is an OpenAI-style token vector read by the independent
// reference below.
type plainVec struct {
	Input, Cached, CacheWrite, Output, Reasoning, Total int64
}

func (v plainVec) usage() attribution.Usage {
	return attribution.FromOpenAI(v.Input, v.Cached, v.CacheWrite, v.Output, v.Reasoning)
}

func toPlain(m any) (plainVec, bool) {
	obj, ok := m.(map[string]any)
	if !ok {
		return plainVec{}, false
	}
	n := func(k string) int64 { f, _ := obj[k].(float64); return int64(f) }
	return plainVec{n("input_tokens"), n("cached_input_tokens"), n("cache_write_input_tokens"),
		n("output_tokens"), n("reasoning_output_tokens"), n("total_tokens")}, true
}

// reference is an independent, deliberately plain reading of one rollout:
// generic JSON maps, no shared code with the parser. It keeps the last
// total_token_usage, the baseline (the last total before the first turn
// stamped at or after the thread start, in a fork or subagent file), the
// number of advancing token_count events, and the naive sum of every
// last_token_usage.
type reference struct {
	thread     string
	last, base plainVec
	advancing  int
	naive      attribution.Usage
}

func (r reference) own() attribution.Usage {
	d := r.last
	d.Input -= r.base.Input
	d.Cached -= r.base.Cached
	d.CacheWrite -= r.base.CacheWrite
	d.Output -= r.base.Output
	d.Reasoning -= r.base.Reasoning
	return d.usage()
}

func readReference(t testing.TB, path string) reference {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		ref       reference
		replay    bool
		start     time.Time
		seenMeta  bool
		prevTotal *plainVec
	)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		payload, _ := rec["payload"].(map[string]any)
		ts, _ := time.Parse(time.RFC3339Nano, rec["timestamp"].(string))
		switch rec["type"] {
		case "session_meta":
			if seenMeta {
				continue
			}
			seenMeta = true
			ref.thread, _ = payload["id"].(string)
			src, _ := payload["source"].(map[string]any)
			if payload["forked_from_id"] != nil || payload["parent_thread_id"] != nil || src["subagent"] != nil {
				replay = true
			}
			start, _ = time.Parse(time.RFC3339Nano, payload["timestamp"].(string))
		case "turn_context":
			if replay && !ts.Before(start) {
				replay = false
			}
		case "event_msg":
			if payload["type"] == "task_started" && replay && !ts.Before(start) {
				replay = false
			}
			if payload["type"] != "token_count" {
				continue
			}
			info, _ := payload["info"].(map[string]any)
			if info == nil {
				continue
			}
			total, _ := toPlain(info["total_token_usage"])
			last, _ := toPlain(info["last_token_usage"])
			ref.naive = ref.naive.Add(last.usage())
			if replay {
				ref.base = total
			} else if prevTotal == nil || total != *prevTotal {
				ref.advancing++
			}
			ref.last = total
			prevTotal = &total
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ref
}

func localpushFiles(t testing.TB) []string {
	t.Helper()
	files := discover(t, Source(), fakeEnv(t, map[string]string{"CODEX_HOME": localpushHome}))
	if len(files) != 6 {
		t.Fatalf("found %d localpush rollouts, want 6: %v", len(files), files)
	}
	return files
}

// TestLocalpushTotals reads the six real Codex Desktop rollouts and checks
// the de-duplicated totals against an independent reading, and against the
// figures the upstream project (madshn/localpush) expects.
func TestLocalpushTotals(t *testing.T) {
	files := localpushFiles(t)
	res := newReader(t).read(files...)

	var want attribution.Usage
	advancing := 0
	perThread := map[string]attribution.Usage{}
	for _, f := range files {
		ref := readReference(t, f)
		want = want.Add(ref.own())
		advancing += ref.advancing
		perThread[attribution.HashSession(attribution.AgentCodex, ref.thread)] = ref.own()
	}
	if res.total != want {
		t.Errorf("totals:\n got %+v\nwant %+v (sum of each thread's last total_token_usage)", res.total, want)
	}
	if len(res.added) != advancing || len(res.raw) != advancing {
		t.Errorf("events: %d emitted, %d counted, want %d advancing token_count events", len(res.raw), len(res.added), advancing)
	}
	if res.stats.Skipped != 0 || res.stats.Errors != 0 {
		t.Errorf("stats %+v: nothing should be skipped", res.stats)
	}
	got := map[string]attribution.Usage{}
	for _, e := range res.added {
		got[e.Session] = got[e.Session].Add(e.Usage)
		if e.Model != "gpt-5.3-codex" || e.Cwd == "" || e.Time.IsZero() {
			t.Errorf("event %s: model %q cwd %q time %v", e.Key, e.Model, e.Cwd, e.Time)
		}
	}
	for s, u := range perThread {
		if got[s] != u {
			t.Errorf("session %s: got %+v, want %+v", s, got[s], u)
		}
	}
	t.Logf("localpush: %+v total=%d events=%d", res.total, res.total.Total(), len(res.added))

	// Upstream expectations. codex-sessions.json holds, per session, the
	// maximum cumulative total_token_usage (OpenAI-style: input includes
	// cache_read); it must equal our per-session sums exactly.
	var sessions struct {
		Sessions []struct {
			ID     string `json:"id"`
			Tokens struct {
				Input           int64 `json:"input"`
				CacheRead       int64 `json:"cache_read"`
				CacheCreation   int64 `json:"cache_creation"`
				Output          int64 `json:"output"`
				ReasoningOutput int64 `json:"reasoning_output"`
			} `json:"tokens"`
		} `json:"sessions"`
	}
	readJSON(t, filepath.Join(localpushHome, "expected", "codex-sessions.json"), &sessions)
	if len(sessions.Sessions) != 6 {
		t.Fatalf("expected file lists %d sessions", len(sessions.Sessions))
	}
	var upstream attribution.Usage
	for _, s := range sessions.Sessions {
		tk := s.Tokens
		u := attribution.FromOpenAI(tk.Input, tk.CacheRead, tk.CacheCreation, tk.Output, tk.ReasoningOutput)
		upstream = upstream.Add(u)
		if g := got[attribution.HashSession(attribution.AgentCodex, s.ID)]; g != u {
			t.Errorf("session %s: got %+v, upstream expects %+v", s.ID, g, u)
		}
	}
	if upstream != res.total {
		t.Errorf("upstream session total %+v != ours %+v", upstream, res.total)
	}

	// codex-stats.json is the same delta aggregation restricted to the UTC
	// day 2026-02-23; one session runs into 2026-02-24, so it is smaller than
	// the all-time total. Our events carry their own timestamps, so the same
	// window over them gives exactly the same figures (its "input" includes
	// cached input, as OpenAI reports it; FromOpenAI separates the two).
	// There is no difference to explain: both upstream files agree with us
	// field by field.
	var stats struct {
		Metrics []struct {
			Tags struct {
				CachedInput     int64 `json:"cached_input"`
				Input           int64 `json:"input"`
				Output          int64 `json:"output"`
				ReasoningOutput int64 `json:"reasoning_output"`
			} `json:"tags"`
			Value int64 `json:"value"`
		} `json:"metrics"`
	}
	readJSON(t, filepath.Join(localpushHome, "expected", "codex-stats.json"), &stats)
	day0 := time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC)
	var inDay attribution.Usage
	for _, e := range res.added {
		if !e.Time.Before(day0) && e.Time.Before(day0.AddDate(0, 0, 1)) {
			inDay = inDay.Add(e.Usage)
		}
	}
	tags := stats.Metrics[0].Tags
	wantDay := attribution.FromOpenAI(tags.Input, tags.CachedInput, 0, tags.Output, tags.ReasoningOutput)
	if inDay != wantDay || inDay.Total() != stats.Metrics[0].Value {
		t.Errorf("UTC day 2026-02-23: got %+v (total %d), codex-stats expects %+v (total %d)",
			inDay, inDay.Total(), wantDay, stats.Metrics[0].Value)
	}
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestNaiveLastTokenUsageOvercounts documents why we do not sum
// last_token_usage like ccusage does: about half of the token_count lines
// are re-emits of an unchanged total, so summing their per-call vectors
// counts the same calls again.
func TestNaiveLastTokenUsageOvercounts(t *testing.T) {
	files := localpushFiles(t)
	var naive, ours attribution.Usage
	for _, f := range files {
		ref := readReference(t, f)
		naive = naive.Add(ref.naive)
		ours = ours.Add(ref.own())
	}
	got := newReader(t).read(files...).total
	if got != ours {
		t.Fatalf("reader total %+v != reference %+v", got, ours)
	}
	ratio := float64(naive.Total()) / float64(ours.Total())
	t.Logf("naive sum of last_token_usage: %d tokens, delta rule: %d tokens, ratio %.3f", naive.Total(), ours.Total(), ratio)
	if ratio <= 1 {
		t.Fatalf("naive/delta ratio %.3f, expected an over-count", ratio)
	}
}

// TestIncrementalChunks appends each real rollout to a temporary file in
// three pieces (one cut inside a line) and checks that the three reads give
// exactly the events of one read, and that a re-read from scratch with the
// same Dedup adds nothing.
func TestIncrementalChunks(t *testing.T) {
	for _, f := range localpushFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			whole := newReader(t).read(f)

			tmp := filepath.Join(t.TempDir(), filepath.Base(f))
			writeFile(t, tmp, nil)
			r := newReader(t)
			var got []attribution.Event
			cuts := []int{len(data) / 3, 2 * len(data) / 3, len(data)}
			if data[cuts[0]-1] == '\n' {
				cuts[0]++ // make sure the first cut falls inside a line
			}
			prev := 0
			for _, c := range cuts {
				appendBytes(t, tmp, data[prev:c])
				prev = c
				got = append(got, r.read(tmp).raw...)
			}
			sameEvents(t, "three chunks", got, whole.raw)

			// Re-read from scratch: same events, nothing new for Dedup.
			*r.cursors[tmp] = tail.Cursor{}
			again := r.read(tmp)
			sameEvents(t, "re-read", again.raw, whole.raw)
			if len(again.added) != 0 {
				t.Errorf("re-read added %d events (%+v)", len(again.added), again.total)
			}

			// Line by line with a state round-trip after every line.
			events, skipped := parseBytes(t, tmp, data, true)
			if skipped != 0 {
				t.Errorf("%d lines skipped", skipped)
			}
			sameEvents(t, "state round-trip per line", events, whole.raw)
		})
	}
}

func appendBytes(t testing.TB, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

func compress(t testing.TB, dst, src string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	enc, err := zstd.NewWriter(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(enc, in); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t testing.TB, dst, src string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dst, b)
}

// TestCompressedRollouts reads zstd-compressed copies of the real rollouts,
// alone and next to their plain twins (and archived copies), and expects the
// same totals.
func TestCompressedRollouts(t *testing.T) {
	files := localpushFiles(t)
	want := newReader(t).read(files...)

	zstOnly := t.TempDir()
	both := t.TempDir()
	for _, f := range files {
		rel, err := filepath.Rel(localpushHome, f)
		if err != nil {
			t.Fatal(err)
		}
		compress(t, filepath.Join(zstOnly, rel+".zst"), f)
		compress(t, filepath.Join(both, rel+".zst"), f)
		copyFile(t, filepath.Join(both, rel), f)
		copyFile(t, filepath.Join(both, "archived_sessions", filepath.Base(f)), f)
	}
	for _, tc := range []struct {
		name  string
		home  string
		files int
	}{
		{"zst only", zstOnly, 6},
		{"jsonl, jsonl.zst and archived copy", both, 18},
	} {
		t.Run(tc.name, func(t *testing.T) {
			found := discover(t, Source(), fakeEnv(t, map[string]string{"CODEX_HOME": tc.home}))
			if len(found) != tc.files {
				t.Fatalf("found %d files, want %d", len(found), tc.files)
			}
			got := newReader(t).read(found...)
			if got.total != want.total || len(got.added) != len(want.added) {
				t.Errorf("got %+v in %d events, want %+v in %d", got.total, len(got.added), want.total, len(want.added))
			}
			if got.stats.Skipped != 0 || got.stats.Errors != 0 {
				t.Errorf("stats %+v", got.stats)
			}
		})
	}
}

// BenchmarkParseLocalpush measures the parser over the real rollouts, in
// memory (no I/O, no de-duplication).
func BenchmarkParseLocalpush(b *testing.B) {
	files := localpushFiles(b)
	var data [][]byte
	var n int64
	for _, f := range files {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d)
		n += int64(len(d))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	events := 0
	emit := func(attribution.Event) { events++ }
	for b.Loop() {
		for i, d := range data {
			p, err := NewParser(files[i], nil)
			if err != nil {
				b.Fatal(err)
			}
			for len(d) > 0 {
				j := bytes.IndexByte(d, '\n')
				if j < 0 {
					j = len(d)
				}
				_ = p.Line(d[:j], emit)
				d = d[min(j+1, len(d)):]
			}
		}
	}
	if events == 0 {
		b.Fatal("no events")
	}
}
