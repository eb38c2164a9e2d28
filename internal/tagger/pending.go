package tagger

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
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
	NextSeq uint64         `json:"next_seq"`
	Events  []pendingEvent `json:"events"`
	// Expired counts events dropped unattributed because they passed the
	// horizon, and ExpiredTokens their tokens (shown by status).
	Expired       int64 `json:"expired"`
	ExpiredTokens int64 `json:"expired_tokens"`
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
