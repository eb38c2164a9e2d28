package amp

import (
	"os"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// TestRewrites follows one thread through the rewrites Amp makes while it
// works, rescanning with the same scan.State each time: every scan must add
// exactly the usage that is new in the document, and nothing twice.
func TestRewrites(t *testing.T) {
	root := t.TempDir()
	env := dataDirEnv(t, root)
	src := threadFile(handmade, oracleThread)
	dst := threadFile(root, oracleThread)
	st := scan.NewState()
	future := time.Now()

	// keep keeps the first n messages and the first k ledger events.
	keep := func(n, k int) func(map[string]any) {
		return func(doc map[string]any) {
			doc["messages"] = list(doc, "messages")[:n]
			ledger := doc["usageLedger"].(map[string]any)
			ledger["events"] = list(ledger, "events")[:k]
		}
	}
	steps := []struct {
		name     string
		fromSrc  bool // edit the sample, not the previous version
		edit     func(map[string]any)
		want     attribution.Usage
		requests int
	}{
		{
			// Message 1 written, its two ledger events too.
			name: "first call", fromSrc: true, edit: keep(2, 2),
			want:     attribution.Usage{Input: 1510, Output: 600, CacheWrite: 5000},
			requests: 2,
		},
		{
			// Message 3 with its ledger event, message 5 before its event.
			name: "two more messages", fromSrc: true, edit: keep(6, 3),
			want:     attribution.Usage{Input: 10, Output: 140, CacheWrite: 400, CacheRead: 10300},
			requests: 2,
		},
		{
			// The ledger catches up with message 5: same key, same numbers.
			name: "ledger catches up",
			edit: func(doc map[string]any) {
				ledger := doc["usageLedger"].(map[string]any)
				ledger["events"] = append(list(ledger, "events"), map[string]any{
					"id": "evt-a4", "timestamp": "2026-01-10T07:29:10.000Z", "model": "claude-sonnet-4-5-20250929",
					"tokens": map[string]any{"input": 4, "output": 50}, "fromMessageId": 4, "toMessageId": 5,
				})
			},
		},
		{
			// Rewritten unchanged (a title change, say).
			name: "same usage", edit: func(doc map[string]any) { doc["title"] = "renamed" },
		},
		{
			// Message 5 grows while streaming: only the increase counts.
			name: "message grows",
			edit: func(doc map[string]any) {
				msgs := list(doc, "messages")
				u := msgs[5].(map[string]any)["usage"].(map[string]any)
				u["outputTokens"] = 65
				ledger := doc["usageLedger"].(map[string]any)
				evs := list(ledger, "events")
				evs[len(evs)-1].(map[string]any)["tokens"] = map[string]any{"input": 4, "output": 65}
			},
			want: attribution.Usage{Output: 15},
		},
	}
	for _, step := range steps {
		base := dst // the previous version
		if step.fromSrc {
			base = src
		}
		editJSON(t, base, dst, step.edit)
		future = future.Add(time.Minute) // a distinct modification time for each version
		if err := os.Chtimes(dst, future, future); err != nil {
			t.Fatal(err)
		}
		got := agenttest.ScanState(t, env, st, Source())
		if got.Total != step.want || got.Requests != step.requests {
			t.Errorf("%s: scan added %+v in %d requests, want %+v in %d", step.name, got.Total, got.Requests, step.want, step.requests)
		}
		if len(got.Problems) != 0 {
			t.Errorf("%s: problems %v", step.name, got.Problems)
		}
	}
	// An untouched document costs a stat: nothing read, nothing emitted.
	got := agenttest.ScanState(t, env, st, Source())
	if s := got.Stats[attribution.AgentAmp]; s.Read != 0 || len(got.Events) != 0 {
		t.Errorf("unchanged document: stats %+v, %d events", s, len(got.Events))
	}
}
