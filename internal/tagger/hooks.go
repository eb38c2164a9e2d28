package tagger

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/ledger"
)

// proposal is what the commit-msg hook decided, for the post-commit hook.
type proposal struct {
	// Delta is the new usage of the commit; Final what its trailer says
	// (Delta plus, when amending, the amended commit's note).
	Delta attribution.Note `json:"delta"`
	Final attribution.Note `json:"final"`
	// Taken are the pending events Delta took, already removed from the
	// pending list; Head is HEAD when they were taken. A proposal still there
	// at the next commit-msg with HEAD unchanged belongs to a commit that was
	// aborted: its events go back to the pending list.
	Taken pendingEvents `json:"taken,omitempty"`
	Head  string        `json:"head,omitempty"`
	// Made is when the proposal was made; an old one is ignored.
	Made time.Time `json:"made"`
}

const proposalMaxAge = 10 * time.Minute

func (t *Tagger) proposalPath() string { return filepath.Join(t.Repo.worktreeDir(), "proposal") }

// noteReadyPath is where commit-msg leaves the note for the post-commit
// script to store with git.
func (t *Tagger) noteReadyPath() string { return filepath.Join(t.Repo.worktreeDir(), "note-ready") }

// skipMarker is the file that tells the post-commit script there is nothing
// to store (only in a main worktree, whose git dir the script can find).
func (t *Tagger) skipMarker() string {
	if t.Repo.GitDir != filepath.Join(t.Repo.Top, ".git") {
		return ""
	}
	return filepath.Join(t.Repo.worktreeDir(), "post-commit-skip")
}

// CommitMsg is the commit-msg hook: it attributes the worktree's new usage
// to the commit being made and writes the AI-Tokens trailers into the
// message file.
func (t *Tagger) CommitMsg(ctx context.Context, msgFile string) error {
	if t.Repo.SequenceInProgress() {
		return nil
	}
	raw, err := os.ReadFile(msgFile)
	if err != nil {
		return fmt.Errorf("read commit message: %w", err)
	}
	msg := string(raw)
	// Amending: the message still carries the amended commit's trailers,
	// which match its note. Anything else (a message reused with -C, a
	// cherry-pick) carries trailers that are not this commit's.
	var base attribution.Note
	if trailers, n, err := ledger.ParseTrailers(msg); err == nil && n > 0 {
		led, err := ledger.Open(t.Repo.Top)
		if err != nil {
			return err
		}
		if head, _, ok := led.Head(); ok {
			if hn, ok, err := led.Read(head); err == nil && ok && ledger.Agree(hn, trailers) {
				base = hn
			}
		}
		_ = led.Close()
	}
	var p proposal
	head := t.Repo.headSHA()
	err = t.withLock(ctx, func() error {
		c, err := t.collect(ctx, true)
		if old := t.readProposal(); old != nil && old.Head == head && len(old.Taken) > 0 {
			c.Pending.restore(old.Taken)
			c.PendingChanged = true
		}
		now := t.Now()
		sel, serr := t.takeFor(c, now)
		p = proposal{Delta: t.note(sel.events), Taken: sel.taken, Head: head, Made: now}
		return errors.Join(err, serr, t.writeWatch(c))
	})
	if err != nil && p.Made.IsZero() {
		return err
	}
	p.Final = p.Delta
	if len(base.Rows) > 0 {
		p.Final = attribution.Merge(base, p.Delta)
		p.Final.Tool = p.Delta.Tool
	}
	marker := t.skipMarker()
	if marker != "" && len(p.Delta.Rows) == 0 {
		// Nothing for post-commit to store: let its script skip the binary.
		_ = os.Remove(t.proposalPath())
		if werr := os.WriteFile(marker, []byte("1\n"), 0o600); werr != nil { // the script tests -s
			err = errors.Join(err, fmt.Errorf("post-commit marker: %w", werr))
		}
	} else {
		if werr := t.saveProposal(p); werr != nil {
			return errors.Join(err, werr)
		}
		if marker != "" {
			// The note, ready for the post-commit script to hand to git.
			if b, eerr := p.Delta.Encode(); eerr == nil {
				err = errors.Join(err, writeFileAtomic(t.noteReadyPath(), append(b, '\n')))
			}
		}
	}
	err = errors.Join(err, t.pricingErr())
	if t.Config.Trailer {
		out := ledger.RewriteMessage(msg, p.Final)
		if out != msg {
			if werr := os.WriteFile(msgFile, []byte(out), 0o644); werr != nil { //nolint:gosec // the commit message file git gave us
				return errors.Join(err, fmt.Errorf("write commit message: %w", werr))
			}
		}
	}
	return err
}

func (t *Tagger) saveProposal(p proposal) error {
	if err := os.MkdirAll(t.Repo.worktreeDir(), 0o700); err != nil {
		return fmt.Errorf("worktree state: %w", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode proposal: %w", err)
	}
	return writeFileAtomic(t.proposalPath(), b)
}

// takeProposal reads and removes the proposal; one older than
// proposalMaxAge is ignored.
func (t *Tagger) takeProposal() *proposal {
	p := t.readProposal()
	_ = os.Remove(t.proposalPath())
	if p == nil || t.Now().Sub(p.Made) > proposalMaxAge {
		return nil
	}
	return p
}

func (t *Tagger) readProposal() *proposal {
	b, err := os.ReadFile(t.proposalPath())
	if err != nil {
		return nil
	}
	var p proposal
	if json.Unmarshal(b, &p) != nil {
		return nil
	}
	return &p
}

// PostCommit is the post-commit hook: it stores the commit's new usage as
// its note and removes that usage from the pending list.
func (t *Tagger) PostCommit(ctx context.Context) error {
	if m := t.skipMarker(); m != "" {
		_ = os.Remove(m) // a script older than the marker ran us anyway
		_ = os.Remove(t.noteReadyPath())
	}
	if t.Repo.SequenceInProgress() {
		_ = os.Remove(t.proposalPath())
		return nil
	}
	// One ledger for reading HEAD and writing its note.
	led, err := ledger.Open(t.Repo.Top)
	if err != nil {
		return err
	}
	defer func() { _ = led.Close() }()
	headHash, msg, ok := led.Head()
	if !ok {
		return errors.New("post-commit: HEAD has no commit")
	}
	head := headHash.String()
	trailers, copied, terr := ledger.ParseTrailers(msg)
	var errs []error
	p := t.takeProposal()
	if p == nil {
		// No commit-msg hook ran (--no-verify, trailers off, a cherry-pick):
		// attribute now.
		err := t.withLock(ctx, func() error {
			c, err := t.collect(ctx, true)
			now := t.Now()
			sel, serr := t.takeFor(c, now)
			p = &proposal{Delta: t.note(sel.events), Made: now}
			p.Final = p.Delta
			return errors.Join(err, serr)
		})
		if p == nil {
			return err
		}
		errs = append(errs, err)
	} else if t.Config.Trailer && (terr != nil || !ledger.Agree(p.Final, trailers)) {
		errs = append(errs, fmt.Errorf("the commit's AI-Tokens trailers (%d lines) were changed after the commit-msg hook; the note keeps the measured figures", copied))
	}

	if len(p.Delta.Rows) == 0 && copied == 0 {
		return errors.Join(errs...) // nothing to store: the common, fast case
	}
	if d, ok := ctx.Deadline(); ok {
		led.SetDeadline(d)
	}
	switch {
	case len(p.Delta.Rows) > 0:
		if err := led.Write(plumbing.NewHash(head), p.Delta); err != nil {
			return errors.Join(append(errs, err)...)
		}
	case copied > 0 && len(p.Final.Rows) == 0:
		// Trailers copied from another commit (a cherry-pick, a reused
		// message) and no usage of its own: an empty note says so, so that
		// readers do not count the copied trailers again.
		if _, has, _ := led.ReadRaw(plumbing.NewHash(head)); !has {
			if err := led.Write(plumbing.NewHash(head), p.Delta); err != nil {
				return errors.Join(append(errs, err)...)
			}
		}
	}
	return errors.Join(errs...)
}

// PostRewrite is the post-rewrite hook. kind is "amend" or "rebase"; stdin
// holds "<old> <new>" lines. Each new commit gets the merged notes of the
// commits it replaced (plus, for an amend, the usage the post-commit hook
// stored on it), as one canonical note.
func (t *Tagger) PostRewrite(ctx context.Context, kind string, stdin io.Reader) error {
	led, err := ledger.Open(t.Repo.Top)
	if err != nil {
		return err
	}
	defer func() { _ = led.Close() }()
	if d, ok := ctx.Deadline(); ok {
		led.SetDeadline(d)
	}
	olds := map[string][]string{}
	var order []string
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		if _, ok := olds[f[1]]; !ok {
			order = append(order, f[1])
		}
		olds[f[1]] = append(olds[f[1]], f[0])
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read post-rewrite input: %w", err)
	}
	out := map[plumbing.Hash]attribution.Note{}
	var errs []error
	for _, nw := range order {
		var final attribution.Note
		have := false
		var oldRaw [][]byte
		for _, old := range olds[nw] {
			n, ok, err := led.Read(plumbing.NewHash(old))
			if err != nil {
				errs = append(errs, fmt.Errorf("note of %s: %w", short(old), err))
				continue
			}
			if ok {
				final, have = attribution.Merge(final, n), true
				raw, _, _ := led.ReadRaw(plumbing.NewHash(old))
				oldRaw = append(oldRaw, bytes.TrimSpace(raw))
			}
		}
		if kind == "amend" {
			// The amending commit's own usage was stored on it by the
			// post-commit hook; git then appended the old note to it
			// (notes.rewriteMode=concatenate) or not (no rewriteRef).
			raw, ok, _ := led.ReadRaw(plumbing.NewHash(nw))
			if n, err := ledger.DecodeStored(raw); ok && err == nil {
				copied := len(oldRaw) == 1 && bytes.Contains(raw, oldRaw[0])
				if copied {
					final = n
				} else {
					final = attribution.Merge(final, n)
				}
				have = true
			}
		}
		if have {
			final.Tool = "tokenyield/" + Version
			out[plumbing.NewHash(nw)] = final
		}
	}
	if len(out) > 0 {
		errs = append(errs, led.WriteMany(out))
	}
	return errors.Join(errs...)
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
