package scan

import (
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// record is an event as a scan holds it between parsing and de-duplication:
// 64 bytes instead of an Event's 160, with the identity already hashed (in
// parallel, by the workers) and the repeated strings interned.
type record struct {
	id    uint64 // attribution.IdentityHash of agent and key; 0 = no identity
	nanos int64  // event time, Unix nanoseconds
	usage attribution.Usage
	meta  uint32 // worker<<24 | index into that worker's metaTable
	flags uint8
}

const (
	flagEstimated = 1 << iota
	flagLowerBound
)

// meta is the part of an event shared by many events of one file.
type meta struct{ agent, session, model, cwd string }

// metaTable interns metas for one worker.
type metaTable struct {
	worker uint32
	index  map[meta]uint32
	list   []meta
}

func newMetaTable(worker int) metaTable {
	return metaTable{worker: uint32(worker) << 24, index: map[meta]uint32{}} //nolint:gosec // workers are few
}

func (t *metaTable) compact(e attribution.Event) record {
	m := meta{e.Agent, e.Session, e.Model, e.Cwd}
	i, ok := t.index[m]
	if !ok {
		i = uint32(len(t.list)) //nolint:gosec // bounded by the events of one worker
		t.index[m] = i
		t.list = append(t.list, m)
	}
	var id uint64
	if e.Key != "" {
		id = attribution.IdentityHash(e.Agent, e.Key)
		if id == 0 {
			id = 1
		}
	}
	var flags uint8
	if e.Estimated {
		flags |= flagEstimated
	}
	if e.LowerBound {
		flags |= flagLowerBound
	}
	return record{id: id, nanos: e.Time.UnixNano(), usage: e.Usage, meta: t.worker | i, flags: flags}
}

func expand(r *record, tables []metaTable) attribution.Event {
	m := tables[r.meta>>24].list[r.meta&(1<<24-1)]
	return attribution.Event{
		Agent: m.agent, Session: m.session, Model: m.model, Cwd: m.cwd,
		Time:       time.Unix(0, r.nanos).UTC(),
		Usage:      r.usage,
		Estimated:  r.flags&flagEstimated != 0,
		LowerBound: r.flags&flagLowerBound != 0,
	}
}
