package attribution

import (
	"path/filepath"
	"strings"
	"time"
)

// DefaultHorizon is how far back, before a commit, unattributed usage may be
// pulled into it. Older usage stays unattributed rather than landing on an
// unrelated commit.
const DefaultHorizon = 24 * time.Hour

// Window decides which events belong to one commit.
type Window struct {
	// Root is the worktree root (absolute, cleaned). Events whose Cwd is Root
	// or below it belong to the worktree.
	Root string
	// Exclude lists directories below Root that are not this worktree: nested
	// repositories and other worktrees.
	Exclude []string
	// After is the attribution cut-off of the previous commit: only events
	// strictly after it are taken.
	After time.Time
	// Until is the commit time: events after it are left for the next commit.
	Until time.Time
	// Horizon, when positive, also drops events older than Until-Horizon.
	Horizon time.Duration
	// FoldCase compares paths case-insensitively (macOS, Windows).
	FoldCase bool
}

// Contains reports whether e belongs to the window.
func (w Window) Contains(e Event) bool {
	if !e.Time.After(w.After) || (!w.Until.IsZero() && e.Time.After(w.Until)) {
		return false
	}
	if w.Horizon > 0 && !w.Until.IsZero() && e.Time.Before(w.Until.Add(-w.Horizon)) {
		return false
	}
	if !w.within(e.Cwd, w.Root) {
		return false
	}
	for _, x := range w.Exclude {
		if w.within(e.Cwd, x) {
			return false
		}
	}
	return true
}

func (w Window) within(p, dir string) bool {
	if p == "" || dir == "" {
		return false
	}
	p, dir = filepath.Clean(p), filepath.Clean(dir)
	if w.FoldCase {
		p, dir = strings.ToLower(p), strings.ToLower(dir)
	}
	if p == dir {
		return true
	}
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(p, dir)
}

// Attribute returns the note for the events inside w, priced with pricer,
// and the events it took. Events must already be de-duplicated (see Dedup).
func Attribute(events []Event, w Window, pricer Pricer) (Note, []Event) {
	var taken []Event
	for _, e := range events {
		if w.Contains(e) {
			taken = append(taken, e)
		}
	}
	return Sum(taken, pricer), taken
}
