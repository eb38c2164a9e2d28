package tagger

import (
	"context"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// Preview is what `tokenyield status` shows.
type Preview struct {
	// Next is the note the next commit in this worktree would get now.
	Next attribution.Note
	// Elsewhere counts pending events of the repository that this
	// worktree's next commit would not take (other worktrees, nested
	// repositories, or older than the horizon), and their tokens.
	Elsewhere, ElsewhereTokens int64
	// Expired counts events that passed the horizon unattributed.
	Expired, ExpiredTokens int64
	// Baselined is false when install never ran here.
	Baselined bool
	// Scan is what reading the logs met.
	Scan scan.Result
}

// Preview reads the logs (without saving anything) and reports what the next
// commit would get.
func (t *Tagger) Preview(ctx context.Context) (Preview, error) {
	var pv Preview
	pv.Baselined = t.Baselined()
	err := t.withLock(ctx, func() error {
		c, err := t.collect(ctx, false)
		sel := t.selectFor(c.Pending, t.Now())
		pv.Next = t.note(sel.events)
		taken := map[uint64]bool{}
		for _, s := range sel.seqs {
			taken[s] = true
		}
		for _, p := range c.Pending.Events {
			if !taken[p.Seq] {
				pv.Elsewhere++
				pv.ElsewhereTokens += p.Usage.Total()
			}
		}
		pv.Expired, pv.ExpiredTokens = c.Pending.Expired, c.Pending.ExpiredTokens
		pv.Scan = c.Scan
		return err
	})
	return pv, err
}
