package amp

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// sampleWant holds the figures of each sample thread, derived by hand from
// the documents (see the comments) rather than by running the reader.
var sampleWant = []struct {
	dir, thread string
	total       attribution.Usage
	requests    int
	cwd         string
	lowerBound  int // events marked LowerBound
}{
	{
		// One ledger event evt-1 -> message 1: tokens input 12, output 345;
		// cache split from messages[1].usage: write 2100, read 18000. The
		// message's own usage is the same call (same key), not added.
		dir: synthetic, thread: sampleThread,
		total:    attribution.Usage{Input: 12, Output: 345, CacheWrite: 2100, CacheRead: 18000},
		requests: 1,
		cwd:      "/home/dev/src/app",
	},
	{
		// No ledger: the three assistant usages.
		//   message 1: in 5, out 120, write 3000, read 0
		//   message 3: in 8, out 60,  write 150,  read 3000
		//   message 5: in 3, out 10,  write 0,    read 3150 (still streaming: LowerBound)
		//   sum:       in 16, out 190, write 3150, read 6150
		// The second workspace tree is ignored: cwd is the first.
		dir: handmade, thread: messagesThread,
		total:      attribution.Usage{Input: 16, Output: 190, CacheWrite: 3150, CacheRead: 6150},
		requests:   3,
		cwd:        "/home/dev/src/tool",
		lowerBound: 1,
	},
	{
		// Ledger with two events for message 1 and none yet for message 5:
		//   evt-a2 (claude, operationType inference) owns message 1:
		//          in 10, out 200 + message 1's cache: write 5000, read 0
		//   evt-a1 (gpt-5 oracle call, also -> message 1): in 1500, out 400, no cache
		//   evt-a3 -> message 3: in 6, out 90 + write 300, read 5000
		//   message 5 (no ledger event): in 4, out 50, write 100, read 5300
		//   sum: in 1520, out 740, write 5400, read 10300
		dir: handmade, thread: oracleThread,
		total:    attribution.Usage{Input: 1520, Output: 740, CacheWrite: 5400, CacheRead: 10300},
		requests: 4,
		cwd:      filepath.FromSlash("c:/Users/dev/src/win-app"),
	},
}

func TestSampleTotals(t *testing.T) {
	for _, tt := range sampleWant {
		t.Run(tt.thread, func(t *testing.T) {
			root := t.TempDir()
			copyThread(t, threadFile(tt.dir, tt.thread), threadFile(root, tt.thread))
			got := agenttest.Scan(t, dataDirEnv(t, root), Source())
			if got.Total != tt.total || got.Requests != tt.requests {
				t.Errorf("total = %+v in %d requests, want %+v in %d", got.Total, got.Requests, tt.total, tt.requests)
			}
			if len(got.Problems) != 0 || got.Stats[attribution.AgentAmp].Skipped != 0 {
				t.Errorf("problems %v, stats %+v", got.Problems, got.Stats[attribution.AgentAmp])
			}
			session := attribution.HashSession(attribution.AgentAmp, tt.thread)
			lower := 0
			for _, e := range got.Events {
				if e.LowerBound {
					lower++
				}
				switch {
				case e.Agent != attribution.AgentAmp:
					t.Errorf("agent %q", e.Agent)
				case e.Session != session:
					t.Errorf("session %q, want %q", e.Session, session)
				case e.Cwd != tt.cwd:
					t.Errorf("cwd %q, want %q", e.Cwd, tt.cwd)
				case e.Time.Year() != 2026 || e.Time.Location() != time.UTC:
					t.Errorf("time %v", e.Time)
				case e.Model != "claude-sonnet-4-5-20250929" && e.Model != "gpt-5":
					t.Errorf("model %q", e.Model)
				}
			}
			if lower != tt.lowerBound {
				t.Errorf("%d LowerBound events, want %d", lower, tt.lowerBound)
			}
			// The scanner keeps key hashes only: check the keys on the parser.
			evs, err := parseFile(t, threadFile(tt.dir, tt.thread))
			if err != nil || len(evs) != tt.requests {
				t.Fatalf("parse: %d events, %v", len(evs), err)
			}
			for _, e := range evs {
				if !strings.HasPrefix(e.Key, tt.thread+"/") {
					t.Errorf("key %q is not scoped by the thread", e.Key)
				}
			}
		})
	}
}

// TestOracleThreadEvents pins the per-event split of the thread whose ledger
// has two events for one message: the cache split goes to the message's own
// (inference) event only, not to the oracle call, and the message the ledger
// lacks is counted from its usage under the key a later ledger event would
// take.
func TestOracleThreadEvents(t *testing.T) {
	evs, err := parseFile(t, threadFile(handmade, oracleThread))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		model string
		u     attribution.Usage
	}{
		oracleThread + "/l/evt-a1": {"gpt-5", attribution.Usage{Input: 1500, Output: 400}},
		oracleThread + "/m/1":      {"claude-sonnet-4-5-20250929", attribution.Usage{Input: 10, Output: 200, CacheWrite: 5000}},
		oracleThread + "/m/3":      {"claude-sonnet-4-5-20250929", attribution.Usage{Input: 6, Output: 90, CacheWrite: 300, CacheRead: 5000}},
		oracleThread + "/m/5":      {"claude-sonnet-4-5-20250929", attribution.Usage{Input: 4, Output: 50, CacheWrite: 100, CacheRead: 5300}},
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(evs), len(want), evs)
	}
	for _, e := range evs {
		w, ok := want[e.Key]
		if !ok || e.Model != w.model || e.Usage != w.u {
			t.Errorf("event %s %s %+v, want %+v", e.Key, e.Model, e.Usage, w)
		}
	}
	// The ledger's own time is used: evt-a1 at 07:26:58.
	for _, e := range evs {
		if e.Key == oracleThread+"/l/evt-a1" && !e.Time.Equal(time.Date(2026, 1, 10, 7, 26, 58, 0, time.UTC)) {
			t.Errorf("evt-a1 time %v", e.Time)
		}
	}
}

// TestLegacyCopy reads one thread from both the data directory and the
// editor extension's legacy threads3 folder (as after a migration): the copies
// share their keys and count once.
func TestLegacyCopy(t *testing.T) {
	env := agenttest.Env(t, nil)
	src := threadFile(synthetic, sampleThread)
	copyThread(t, src, filepath.Join(env.Home, ".local", "share", "amp", "threads", sampleThread+".json"))
	copyThread(t, src, filepath.Join(env.Home, ".config", "Code", "User", "globalStorage", "sourcegraph.amp", "threads3", sampleThread+".json"))
	got := agenttest.Scan(t, env, Source())
	if got.Total != sampleWant[0].total || got.Requests != 1 {
		t.Errorf("two copies = %+v in %d requests, want %+v once", got.Total, got.Requests, sampleWant[0].total)
	}
	if st := got.Stats[attribution.AgentAmp]; st.Files != 2 || st.Events != 2 {
		t.Errorf("stats %+v, want both files read", st)
	}
}

// TestCcusageAgreement compares the totals with `ccusage amp daily --json
// --offline` (pinned 20.0.24) on the three sample threads. ccusage reads
// the ledger when a thread has one and the assistant messages' usage
// otherwise, like this reader, so the first two threads agree exactly. On the
// oracle thread the two differ, and this reader is right:
//   - ccusage gives each ledger event the cache split of the message it
//     points to, so message 1's cache write (5000) is counted twice, once
//     with the claude call and once with the gpt-5 oracle call, which read
//     no cache. Here only the message's own (inference) event takes it.
//   - ccusage ignores message 5, whose usage is in the document but whose
//     ledger event is not (yet): in 4, out 50, write 100, read 5300. Here it
//     counts under the key its ledger event will take.
func TestCcusageAgreement(t *testing.T) {
	dirs := []string{synthetic, handmade}
	env := dataDirEnv(t, dirs...)
	report := agenttest.Ccusage(t, map[string]string{"AMP_DATA_DIR": env.Get("AMP_DATA_DIR")}, "amp", "daily", "--json", "--offline")
	got := agenttest.Scan(t, env, Source())

	want := got.Total
	want.CacheWrite += 5000                                                                         // message 1's cache counted twice
	want = want.Increase(attribution.Usage{Input: 4, Output: 50, CacheWrite: 100, CacheRead: 5300}) // message 5 ignored
	fields := []struct {
		name string
		got  int64
		key  string
	}{
		{"input", want.Input, "inputTokens"},
		{"output", want.Output, "outputTokens"},
		{"cache_write", want.CacheWrite, "cacheCreationTokens"},
		{"cache_read", want.CacheRead, "cacheReadTokens"},
		{"total", want.Total(), "totalTokens"},
	}
	for _, f := range fields {
		n, ok := agenttest.Number(report, "totals", f.key)
		if !ok || n != f.got {
			t.Errorf("%s: ccusage %d (found %v), expected %d from this reader's totals adjusted for the documented differences", f.name, n, ok, f.got)
		}
	}
	// And the unadjusted figures, for the record.
	if got.Total != (attribution.Usage{Input: 1548, Output: 1275, CacheWrite: 10650, CacheRead: 34450}) {
		t.Errorf("reader total = %+v", got.Total)
	}
}
