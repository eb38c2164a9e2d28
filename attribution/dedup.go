package attribution

import (
	"hash/fnv"
	"time"
)

// Dedup enforces "each unit of usage is counted once, ever". It remembers the
// largest vector seen per identity (agent and key); observing an identity
// again yields only the increase over what was already counted. Agents write
// the same response several times (streamed lines with rising counts, resumed
// sessions that copy history into new files, re-read files), and all of them
// collapse to the field-wise maximum.
//
// Identities are kept as 64-bit hashes so that the state stays small enough to
// persist between hook runs; see Entries, Restore and Prune.
//
// The zero value is not usable; create one with NewDedup.
type Dedup struct {
	seen map[uint64]DedupEntry
}

// DedupEntry is what Dedup remembers of one identity.
type DedupEntry struct {
	// ID is the 64-bit hash of the identity (see IdentityHash).
	ID uint64
	// Usage is the largest vector counted for the identity.
	Usage Usage
	// Unix is the event time of the identity's first sighting, in seconds.
	Unix int64
}

// IdentityHash returns the 64-bit identity of an agent's event key
// (FNV-1a; stable across versions and machines).
func IdentityHash(agent, key string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(agent))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(key))
	return h.Sum64()
}

// NewDedup returns an empty Dedup.
func NewDedup() *Dedup { return &Dedup{seen: make(map[uint64]DedupEntry)} }

// Observe records e and returns the event carrying only the usage not yet
// counted for its identity, and whether anything new was added. Events with an
// empty Key are always new.
func (d *Dedup) Observe(e Event) (Event, bool) {
	if e.Key == "" {
		return e, !e.Usage.IsZero()
	}
	id := IdentityHash(e.Agent, e.Key)
	prev, ok := d.seen[id]
	if !ok {
		d.seen[id] = DedupEntry{ID: id, Usage: e.Usage, Unix: e.Time.Unix()}
		return e, true
	}
	inc := e.Usage.Increase(prev.Usage)
	if inc.IsZero() {
		return e, false
	}
	prev.Usage = prev.Usage.Max(e.Usage)
	d.seen[id] = prev
	e.Usage = inc
	e.Increment = true
	return e, true
}

// Seen returns the vector counted so far for an identity.
func (d *Dedup) Seen(agent, key string) (Usage, bool) {
	en, ok := d.seen[IdentityHash(agent, key)]
	return en.Usage, ok
}

// Len returns the number of identities remembered.
func (d *Dedup) Len() int { return len(d.seen) }

// Entries returns every remembered identity, in no particular order.
func (d *Dedup) Entries() []DedupEntry {
	out := make([]DedupEntry, 0, len(d.seen))
	for _, e := range d.seen {
		out = append(out, e)
	}
	return out
}

// Restore adds saved entries, keeping the larger vector where an identity is
// already known.
func (d *Dedup) Restore(entries []DedupEntry) {
	for _, e := range entries {
		if prev, ok := d.seen[e.ID]; ok {
			e.Usage = e.Usage.Max(prev.Usage)
			e.Unix = min(e.Unix, prev.Unix)
		}
		d.seen[e.ID] = e
	}
}

// Prune forgets identities first seen before cutoff and returns how many were
// dropped. Callers must then ignore events older than cutoff, since a copy of
// a forgotten identity would otherwise count again.
func (d *Dedup) Prune(cutoff time.Time) int {
	c := cutoff.Unix()
	n := 0
	for id, e := range d.seen {
		if e.Unix < c {
			delete(d.seen, id)
			n++
		}
	}
	return n
}
