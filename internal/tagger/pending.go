package tagger

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// pendingEvent is an event waiting for a commit. Seq identifies it within
// the list, so a commit removes exactly what it took.
type pendingEvent struct {
	Seq        uint64            `json:"seq"`
	Agent      string            `json:"agent"`
	Session    string            `json:"session,omitempty"`
	Model      string            `json:"model"`
	Cwd        string            `json:"cwd"`
	Time       time.Time         `json:"time"`
	Usage      attribution.Usage `json:"usage"`
	Estimated  bool              `json:"est,omitempty"`
	LowerBound bool              `json:"lb,omitempty"`
	Increment  bool              `json:"inc,omitempty"`
}

func (p pendingEvent) event() attribution.Event {
	return attribution.Event{Agent: p.Agent, Session: p.Session, Model: p.Model, Cwd: p.Cwd, Time: p.Time,
		Usage: p.Usage, Estimated: p.Estimated, LowerBound: p.LowerBound, Increment: p.Increment}
}

// pendingList is the shared list of unattributed usage.
type pendingList struct {
	NextSeq uint64        `json:"next_seq"`
	Events  pendingEvents `json:"events"`
	// Expired counts events dropped unattributed because they passed the
	// horizon, and ExpiredTokens their tokens (shown by status).
	Expired       int64 `json:"expired"`
	ExpiredTokens int64 `json:"expired_tokens"`
}

// pendingEvents is a list of pending events, stored compactly: one group
// per agent, session, model, working directory and flags, with the events'
// sequence numbers, times and usage as number arrays. A commit can take
// thousands of events, and number arrays encode and decode several times
// faster than as many objects with RFC 3339 times.
type pendingEvents []pendingEvent

// eventGroup is the stored form of the events sharing every field but Seq,
// Time, Usage and Increment.
type eventGroup struct {
	Agent      string `json:"agent"`
	Session    string `json:"session,omitempty"`
	Model      string `json:"model"`
	Cwd        string `json:"cwd"`
	Estimated  bool   `json:"est,omitempty"`
	LowerBound bool   `json:"lb,omitempty"`
	// Seq and Time (Unix nanoseconds) have one entry per event; Usage five
	// (input, cache read, cache write, output, reasoning); Inc lists the
	// sequence numbers of the events flagged Increment.
	Seq   []uint64 `json:"seq"`
	Time  []int64  `json:"time"`
	Usage []int64  `json:"usage"`
	Inc   []uint64 `json:"inc,omitempty"`
}

// MarshalJSON stores the events as groups, in order of first appearance.
func (es pendingEvents) MarshalJSON() ([]byte, error) {
	type groupKey struct {
		agent, session, model, cwd string
		est, lb                    bool
	}
	index := map[groupKey]int{}
	groups := []eventGroup{}
	for _, e := range es {
		k := groupKey{e.Agent, e.Session, e.Model, e.Cwd, e.Estimated, e.LowerBound}
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, eventGroup{Agent: e.Agent, Session: e.Session, Model: e.Model, Cwd: e.Cwd, Estimated: e.Estimated, LowerBound: e.LowerBound})
		}
		g := &groups[i]
		g.Seq = append(g.Seq, e.Seq)
		g.Time = append(g.Time, e.Time.UnixNano())
		u := e.Usage
		g.Usage = append(g.Usage, u.Input, u.CacheRead, u.CacheWrite, u.Output, u.Reasoning)
		if e.Increment {
			g.Inc = append(g.Inc, e.Seq)
		}
	}
	return json.Marshal(groups)
}

// UnmarshalJSON reads groups back into events ordered by sequence number.
func (es *pendingEvents) UnmarshalJSON(b []byte) error {
	var groups []eventGroup
	if err := json.Unmarshal(b, &groups); err != nil {
		return err
	}
	var out pendingEvents
	for _, g := range groups {
		if len(g.Time) != len(g.Seq) || len(g.Usage) != 5*len(g.Seq) {
			return fmt.Errorf("event group of %s: %d sequence numbers, %d times, %d usage numbers", g.Agent, len(g.Seq), len(g.Time), len(g.Usage))
		}
		inc := make(map[uint64]bool, len(g.Inc))
		for _, s := range g.Inc {
			inc[s] = true
		}
		for i, seq := range g.Seq {
			u := g.Usage[5*i : 5*i+5]
			out = append(out, pendingEvent{Seq: seq, Agent: g.Agent, Session: g.Session, Model: g.Model, Cwd: g.Cwd,
				Time: time.Unix(0, g.Time[i]).UTC(), Estimated: g.Estimated, LowerBound: g.LowerBound, Increment: inc[seq],
				Usage: attribution.Usage{Input: u[0], CacheRead: u[1], CacheWrite: u[2], Output: u[3], Reasoning: u[4]}})
		}
	}
	slices.SortFunc(out, func(a, b pendingEvent) int { return cmp.Compare(a.Seq, b.Seq) })
	*es = out
	return nil
}

func loadPending(path string) (*pendingList, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &pendingList{}, nil
	}
	if err != nil {
		return &pendingList{}, fmt.Errorf("read pending usage: %w", err)
	}
	var p pendingList
	if err := json.Unmarshal(b, &p); err != nil {
		return &pendingList{}, fmt.Errorf("pending usage %s is damaged, starting over: %w", path, err)
	}
	return &p, nil
}

func (p *pendingList) add(e attribution.Event) {
	p.NextSeq++
	p.Events = append(p.Events, pendingEvent{Seq: p.NextSeq, Agent: e.Agent, Session: e.Session, Model: e.Model,
		Cwd: e.Cwd, Time: e.Time, Usage: e.Usage, Estimated: e.Estimated, LowerBound: e.LowerBound, Increment: e.Increment})
}

// expire drops events older than cutoff: they can no longer be attributed.
// It returns how many it dropped.
func (p *pendingList) expire(cutoff time.Time) int {
	kept := p.Events[:0]
	n := 0
	for _, e := range p.Events {
		if e.Time.Before(cutoff) {
			p.Expired++
			p.ExpiredTokens += e.Usage.Total()
			n++
			continue
		}
		kept = append(kept, e)
	}
	p.Events = kept
	return n
}

// restore puts back events a commit took but never stored (the commit was
// aborted after its commit-msg hook).
func (p *pendingList) restore(events []pendingEvent) {
	have := make(map[uint64]bool, len(p.Events))
	for _, e := range p.Events {
		have[e.Seq] = true
	}
	for _, e := range events {
		if !have[e.Seq] {
			p.Events = append(p.Events, e)
		}
	}
}

// remove drops the events with the given sequence numbers.
func (p *pendingList) remove(seqs []uint64) {
	drop := make(map[uint64]bool, len(seqs))
	for _, s := range seqs {
		drop[s] = true
	}
	kept := p.Events[:0]
	for _, e := range p.Events {
		if !drop[e.Seq] {
			kept = append(kept, e)
		}
	}
	p.Events = kept
}

func (p *pendingList) save(path string) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode pending usage: %w", err)
	}
	return writeFileAtomic(path, b)
}

func writeFileAtomic(path string, data []byte) error {
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
