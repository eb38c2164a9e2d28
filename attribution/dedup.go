package attribution

import (
	"cmp"
	"slices"
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
// persist between hook runs; see Entries, Restore and Prune. Restored entries
// stay in a sorted slice searched in place, so restoring a large memory costs
// no map building.
//
// The zero value is not usable; create one with NewDedup.
type Dedup struct {
	base []DedupEntry          // restored entries, sorted by ID, never modified
	seen map[uint64]DedupEntry // entries added or raised since; they win over base
	// changed holds, once Track was called, the identities Observe added or
	// raised since.
	changed map[uint64]struct{}
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
	const prime = 1099511628211
	h := uint64(14695981039346656037) // FNV-1a offset basis
	for i := 0; i < len(agent); i++ {
		h = (h ^ uint64(agent[i])) * prime
	}
	h *= prime // the 0 separator: h ^ 0 == h
	for i := 0; i < len(key); i++ {
		h = (h ^ uint64(key[i])) * prime
	}
	return h
}

// NewDedup returns an empty Dedup.
func NewDedup() *Dedup { return &Dedup{seen: make(map[uint64]DedupEntry)} }

// Observe records e and returns the event carrying only the usage not yet
// counted for its identity, and whether anything new was added. Events with an
// empty Key are always new. An event that only raises an identity counted
// before comes back with Increment set.
func (d *Dedup) Observe(e Event) (Event, bool) {
	if e.Key == "" {
		return e, !e.Usage.IsZero()
	}
	return d.ObserveID(IdentityHash(e.Agent, e.Key), e)
}

// ObserveID is Observe for an identity already hashed with IdentityHash
// (callers that hash in parallel, or that do not keep the key string).
// The id 0 means "no identity": the event is always new.
func (d *Dedup) ObserveID(id uint64, e Event) (Event, bool) {
	if id == 0 {
		return e, !e.Usage.IsZero()
	}
	prev, ok := d.lookup(id)
	if !ok {
		d.seen[id] = DedupEntry{ID: id, Usage: e.Usage, Unix: e.Time.Unix()}
		d.track(id)
		return e, true
	}
	inc := e.Usage.Increase(prev.Usage)
	if inc.IsZero() {
		return e, false
	}
	prev.Usage = prev.Usage.Max(e.Usage)
	d.seen[id] = prev
	d.track(id)
	e.Usage = inc
	e.Increment = true
	return e, true
}

func (d *Dedup) track(id uint64) {
	if d.changed != nil {
		d.changed[id] = struct{}{}
	}
}

// Track starts recording which identities Observe adds or raises, for
// Changes; calling it again starts over. A caller that persists a Dedup uses
// it to write only what changed since it was loaded.
func (d *Dedup) Track() { d.changed = map[uint64]struct{}{} }

// Changes returns, sorted by ID, the current entries of the identities
// Observe added or raised since Track (none when Track was never called).
func (d *Dedup) Changes() []DedupEntry {
	out := make([]DedupEntry, 0, len(d.changed))
	for id := range d.changed {
		if e, ok := d.lookup(id); ok {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b DedupEntry) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func (d *Dedup) lookup(id uint64) (DedupEntry, bool) {
	if e, ok := d.seen[id]; ok {
		return e, true
	}
	i, ok := slices.BinarySearchFunc(d.base, id, func(e DedupEntry, id uint64) int { return cmp.Compare(e.ID, id) })
	if ok {
		return d.base[i], true
	}
	return DedupEntry{}, false
}

// Seen returns the vector counted so far for an identity.
func (d *Dedup) Seen(agent, key string) (Usage, bool) {
	en, ok := d.lookup(IdentityHash(agent, key))
	return en.Usage, ok
}

// Len returns the number of identities remembered.
func (d *Dedup) Len() int {
	if len(d.base) == 0 {
		return len(d.seen)
	}
	n := len(d.base)
	for id := range d.seen {
		if _, inBase := slices.BinarySearchFunc(d.base, id, func(e DedupEntry, id uint64) int { return cmp.Compare(e.ID, id) }); !inBase {
			n++
		}
	}
	return n
}

// Entries returns every remembered identity, sorted by ID. The slice may
// share memory with the Dedup: callers must not modify it.
func (d *Dedup) Entries() []DedupEntry {
	if len(d.seen) == 0 {
		return d.base
	}
	added := make([]DedupEntry, 0, len(d.seen))
	for _, e := range d.seen {
		added = append(added, e)
	}
	slices.SortFunc(added, func(a, b DedupEntry) int { return cmp.Compare(a.ID, b.ID) })
	out := make([]DedupEntry, 0, len(d.base)+len(added))
	i, j := 0, 0
	for i < len(d.base) || j < len(added) {
		switch {
		case j == len(added) || (i < len(d.base) && d.base[i].ID < added[j].ID):
			out = append(out, d.base[i])
			i++
		case i == len(d.base) || added[j].ID < d.base[i].ID:
			out = append(out, added[j])
			j++
		default: // same identity: the newer entry already holds the maximum
			out = append(out, added[j])
			i++
			j++
		}
	}
	return out
}

// Restore adds saved entries, keeping the larger vector where an identity is
// already known. Restoring sorted entries into an empty Dedup keeps them as
// they are, without building a map.
func (d *Dedup) Restore(entries []DedupEntry) {
	sorted := slices.IsSortedFunc(entries, func(a, b DedupEntry) int { return cmp.Compare(a.ID, b.ID) })
	if sorted && len(d.base) == 0 && len(d.seen) == 0 {
		d.base = entries
		return
	}
	if len(d.seen) == 0 {
		d.seen = make(map[uint64]DedupEntry, len(entries))
	}
	for _, e := range entries {
		if prev, ok := d.lookup(e.ID); ok {
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
	all := d.Entries()
	kept := make([]DedupEntry, 0, len(all))
	for _, e := range all {
		if e.Unix >= c {
			kept = append(kept, e)
		}
	}
	n := len(all) - len(kept)
	d.base = kept
	d.seen = make(map[uint64]DedupEntry)
	return n
}
