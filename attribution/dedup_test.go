package attribution

import (
	"cmp"
	"hash/fnv"
	"slices"
	"testing"
	"time"
)

func TestDedupObserve(t *testing.T) {
	t0 := time.Date(2026, 2, 12, 16, 0, 0, 0, time.UTC)
	ev := func(key string, out int64) Event {
		return Event{Agent: AgentClaudeCode, Key: key, Time: t0, Usage: Usage{Input: 3, CacheRead: 100, Output: out}}
	}
	steps := []struct {
		name    string
		e       Event
		wantNew bool
		wantAdd Usage
	}{
		{"first line of a streamed response", ev("m:1", 10), true, Usage{Input: 3, CacheRead: 100, Output: 10}},
		{"identical streamed line", ev("m:1", 10), false, Usage{}},
		{"final line with more output", ev("m:1", 299), true, Usage{Output: 289}},
		{"copy in a resumed session", ev("m:1", 299), false, Usage{}},
		{"an older, smaller snapshot", ev("m:1", 50), false, Usage{}},
		{"another response", ev("m:2", 7), true, Usage{Input: 3, CacheRead: 100, Output: 7}},
		{"same key, other agent", Event{Agent: AgentCodex, Key: "m:1", Time: t0, Usage: Usage{Input: 1}}, true, Usage{Input: 1}},
		{"no key is never deduplicated", Event{Agent: AgentCodex, Time: t0, Usage: Usage{Input: 1}}, true, Usage{Input: 1}},
	}
	d := NewDedup()
	var sum Usage
	for _, s := range steps {
		got, isNew := d.Observe(s.e)
		if isNew != s.wantNew {
			t.Fatalf("%s: new = %v, want %v", s.name, isNew, s.wantNew)
		}
		if isNew && got.Usage != s.wantAdd {
			t.Fatalf("%s: added %+v, want %+v", s.name, got.Usage, s.wantAdd)
		}
		if isNew {
			sum = sum.Add(got.Usage)
			if got.Increment != (s.name == "final line with more output") {
				t.Fatalf("%s: Increment = %v", s.name, got.Increment)
			}
		}
	}
	if want := (Usage{Input: 8, CacheRead: 200, Output: 306}); sum != want {
		t.Fatalf("sum = %+v, want %+v", sum, want)
	}
}

func TestDedupPersistence(t *testing.T) {
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	recent := old.Add(60 * 24 * time.Hour)
	d := NewDedup()
	d.Observe(Event{Agent: "a", Key: "old", Time: old, Usage: Usage{Output: 5}})
	d.Observe(Event{Agent: "a", Key: "new", Time: recent, Usage: Usage{Output: 7}})

	restored := NewDedup()
	restored.Restore(d.Entries())
	if u, ok := restored.Seen("a", "new"); !ok || u.Output != 7 {
		t.Fatalf("restored Seen = %+v %v", u, ok)
	}
	if _, isNew := restored.Observe(Event{Agent: "a", Key: "new", Time: recent, Usage: Usage{Output: 7}}); isNew {
		t.Fatal("restored identity counted again")
	}
	if n := restored.Prune(recent.Add(-time.Hour)); n != 1 || restored.Len() != 1 {
		t.Fatalf("Prune dropped %d, left %d", n, restored.Len())
	}
	// Restore keeps the larger vector.
	restored.Restore([]DedupEntry{{ID: IdentityHash("a", "new"), Usage: Usage{Output: 3}, Unix: recent.Unix()}})
	if u, _ := restored.Seen("a", "new"); u.Output != 7 {
		t.Fatalf("Restore lowered a vector to %d", u.Output)
	}
}

func TestIdentityHashIsFNV1a(t *testing.T) {
	for _, c := range [][2]string{{"claude-code", "m:msg_01"}, {"", ""}, {"codex", "t:123:456"}} {
		h := fnv.New64a()
		_, _ = h.Write([]byte(c[0] + "\x00" + c[1]))
		if got := IdentityHash(c[0], c[1]); got != h.Sum64() {
			t.Errorf("IdentityHash(%q, %q) = %x, want FNV-1a %x", c[0], c[1], got, h.Sum64())
		}
	}
}

func TestDedupTrackChanges(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	d := NewDedup()
	d.Observe(Event{Agent: "a", Key: "before", Time: at, Usage: Usage{Output: 1}})
	if got := d.Changes(); len(got) != 0 {
		t.Fatalf("changes before Track = %v", got)
	}
	d.Restore(d.Entries())
	d.Track()
	d.Observe(Event{Agent: "a", Key: "before", Time: at, Usage: Usage{Output: 1}}) // a duplicate: no change
	d.Observe(Event{Agent: "a", Key: "new", Time: at, Usage: Usage{Output: 2}})
	d.Observe(Event{Agent: "a", Key: "raised", Time: at, Usage: Usage{Output: 3}})
	d.Observe(Event{Agent: "a", Key: "raised", Time: at, Usage: Usage{Output: 5}})
	got := d.Changes()
	want := map[uint64]int64{IdentityHash("a", "new"): 2, IdentityHash("a", "raised"): 5}
	if len(got) != len(want) || !slices.IsSortedFunc(got, func(a, b DedupEntry) int { return cmp.Compare(a.ID, b.ID) }) {
		t.Fatalf("changes = %+v", got)
	}
	for _, e := range got {
		if want[e.ID] != e.Usage.Output {
			t.Fatalf("change %+v, want output %d", e, want[e.ID])
		}
	}
	d.Track()
	if len(d.Changes()) != 0 {
		t.Fatal("Track must start over")
	}
}
