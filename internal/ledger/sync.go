package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/gitcli"
)

// TrackingPrefix is where Fetch keeps each remote's notes:
// TrackingPrefix + <remote>.
const TrackingPrefix = "refs/notes/tokenyield-remote/"

// pushAttempts bounds the pushes of one Push (each rejection fetches and
// merges before the next).
const pushAttempts = 3

// FetchAction says what Fetch did to the local notes ref.
type FetchAction string

// The outcomes of Fetch.
const (
	// FetchNoRemoteNotes: the remote has no notes ref; nothing changed.
	FetchNoRemoteNotes FetchAction = "no-remote-notes"
	// FetchUpToDate: the local ref already contains the remote's notes.
	FetchUpToDate FetchAction = "up-to-date"
	// FetchFastForward: the local ref moved to the remote's tip.
	FetchFastForward FetchAction = "fast-forward"
	// FetchMerged: a notes commit combining both sides was written (also
	// when the remote was ahead but some of its notes were rejected).
	FetchMerged FetchAction = "merged"
)

// FetchResult reports one Fetch.
type FetchResult struct {
	// Remote is the remote name or URL fetched from.
	Remote string
	// TrackingRef is the private ref holding the remote's notes.
	TrackingRef string
	// Action is what happened to the local notes ref.
	Action FetchAction
	// Before and After are the local notes tips (zero when there was none).
	Before, After plumbing.Hash
	// Added counts remote notes for commits the local side had no note for.
	Added int
	// Merged counts commits annotated differently on both sides whose notes
	// were combined with attribution.Union (or replaced by the remote's
	// when it contained the local one).
	Merged int
	// Rejected counts remote notes dropped because they are not valid notes.
	Rejected int
	// Warnings describe each rejected or kept-as-is note.
	Warnings []string
}

// PushResult reports one Push.
type PushResult struct {
	// Remote is the remote name or URL pushed to.
	Remote string
	// NothingToPush is true when there is no local notes ref.
	NothingToPush bool
	// Pushed is true when the remote's notes ref now has the local tip.
	Pushed bool
	// UpToDate is true when it already had it.
	UpToDate bool
	// Attempts is the number of pushes made.
	Attempts int
	// Fetches are the fetch-and-merge rounds done after rejections.
	Fetches []FetchResult
}

// TrackingRef returns the ref Fetch uses for remote's notes. A remote name
// that cannot be a ref component (a URL or path, say) is replaced by a hash
// of it.
func TrackingRef(remote string) string {
	if safeRefPart(remote) {
		return TrackingPrefix + remote
	}
	sum := sha256.Sum256([]byte(remote))
	return TrackingPrefix + "url-" + hex.EncodeToString(sum[:6])
}

// safeRefPart accepts remote names made of plain ref components.
func safeRefPart(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, part := range strings.Split(s, "/") {
		if part == "" || part[0] == '.' || part[0] == '-' || strings.HasSuffix(part, ".lock") || strings.Contains(part, "..") {
			return false
		}
		for _, c := range part {
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			default:
				return false
			}
		}
	}
	return true
}

func checkRemote(remote string) error {
	if remote == "" || strings.HasPrefix(remote, "-") || strings.ContainsAny(remote, "\x00\n") {
		return fmt.Errorf("bad remote %q", remote)
	}
	return nil
}

// Push pushes the local notes ref to the same ref on remote, never forcing
// and never pushing another ref ("git push --no-verify <remote>
// refs/notes/tokenyield:refs/notes/tokenyield"). When the remote's ref moved
// ahead it fetches and merges (Fetch) and pushes again, at most 3 pushes in
// all. A missing local notes ref is nothing to push, not an error.
func Push(ctx context.Context, g *gitcli.Git, remote string) (PushResult, error) {
	res := PushResult{Remote: remote}
	if err := checkRemote(remote); err != nil {
		return res, err
	}
	gc := g.WithEnv("LC_ALL=C")
	for attempt := 1; attempt <= pushAttempts; attempt++ {
		_, err := gc.Run(ctx, "rev-parse", "--verify", "--quiet", NotesRef)
		if gitcli.ExitCode(err) == 1 {
			res.NothingToPush = true
			return res, nil
		}
		if err != nil {
			return res, err
		}
		res.Attempts = attempt
		out, err := gc.Run(ctx, "push", "--porcelain", "--no-verify", "--no-follow-tags", "--recurse-submodules=no",
			"--", remote, NotesRef+":"+NotesRef)
		flag, summary := pushStatus(out)
		if err == nil {
			res.UpToDate = flag == '='
			res.Pushed = true
			return res, nil
		}
		if !isNonFastForward(flag, summary) {
			return res, fmt.Errorf("push notes to %s: %w", remote, err)
		}
		fr, err := Fetch(ctx, g, remote)
		res.Fetches = append(res.Fetches, fr)
		if err != nil {
			return res, fmt.Errorf("push notes to %s: after rejection: %w", remote, err)
		}
	}
	return res, fmt.Errorf("push notes to %s: still rejected after %d attempts", remote, pushAttempts)
}

// isNonFastForward reports a push rejected because the remote's ref moved
// ahead ("[rejected] (fetch first)" or "(non-fast-forward)").
func isNonFastForward(flag byte, summary string) bool {
	if flag != '!' || !strings.Contains(summary, "[rejected]") {
		return false
	}
	return strings.Contains(summary, "fetch first") || strings.Contains(summary, "non-fast-forward")
}

// pushStatus finds the notes ref's line in "git push --porcelain" output
// ("<flag>\t<from>:<to>\t<summary>") and returns its flag and summary.
func pushStatus(out []byte) (byte, string) {
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.SplitN(line, "\t", 3)
		if len(f) == 3 && len(f[0]) == 1 && f[1] == NotesRef+":"+NotesRef {
			return f[0][0], f[2]
		}
	}
	return 0, ""
}

// Fetch fetches remote's notes ref into its private tracking ref (forced:
// "git fetch --no-write-fetch-head <remote>
// +refs/notes/tokenyield:refs/notes/tokenyield-remote/<remote>") and merges
// it into the local notes ref: a fast-forward when the local ref is behind,
// nothing when it is ahead, otherwise a merge notes commit with both tips as
// parents whose tree holds every note of both sides, attribution.Union of
// the two when a commit is annotated differently on each. A remote note that
// is not a valid note is dropped and reported in Warnings; a bad local note
// is kept as it is. A remote without notes is not an error.
func Fetch(ctx context.Context, g *gitcli.Git, remote string) (FetchResult, error) {
	tracking := TrackingRef(remote)
	res := FetchResult{Remote: remote, TrackingRef: tracking}
	if err := checkRemote(remote); err != nil {
		return res, err
	}
	gc := g.WithEnv("LC_ALL=C")
	_, err := gc.Run(ctx, "fetch", "--no-write-fetch-head", "--no-tags", "--no-prune", "--recurse-submodules=no",
		"--", remote, "+"+NotesRef+":"+tracking)
	if err != nil {
		var ge *gitcli.Error
		if errors.As(err, &ge) && strings.Contains(ge.Stderr, "couldn't find remote ref") {
			res.Action = FetchNoRemoteNotes
			return res, nil
		}
		return res, fmt.Errorf("fetch notes from %s: %w", remote, err)
	}
	// Open after fetching, so that new packs are seen.
	l, err := Open(g.Dir)
	if err != nil {
		return res, err
	}
	defer func() { _ = l.Close() }()
	l.mu.Lock()
	defer l.mu.Unlock()
	err = l.mergeTracking(func(ancestor, descendant plumbing.Hash) (bool, error) {
		return isAncestor(ctx, gc, ancestor, descendant)
	}, plumbing.ReferenceName(tracking), &res)
	return res, err
}

// isAncestor asks git whether a is an ancestor of b (git's commit-graph makes
// this fast on long notes histories).
func isAncestor(ctx context.Context, g *gitcli.Git, a, b plumbing.Hash) (bool, error) {
	_, err := g.Run(ctx, "merge-base", "--is-ancestor", a.String(), b.String())
	if err == nil {
		return true, nil
	}
	if gitcli.ExitCode(err) == 1 {
		return false, nil
	}
	return false, err
}

// mergeTracking merges the notes commit at tracking into NotesRef.
func (l *Ledger) mergeTracking(ancestor func(a, b plumbing.Hash) (bool, error), tracking plumbing.ReferenceName, res *FetchResult) error {
	remoteTip, ok, err := l.refHash(tracking)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("merge notes: %s missing after fetch", tracking)
	}
	return l.updateRef(func(tip plumbing.Hash, exists bool) (plumbing.Hash, error) {
		// Start over on every attempt.
		*res = FetchResult{Remote: res.Remote, TrackingRef: res.TrackingRef, Before: tip, After: tip}
		res.Action = FetchUpToDate
		if exists && tip == remoteTip {
			return plumbing.ZeroHash, nil
		}
		if exists {
			behind, err := ancestor(remoteTip, tip)
			if err != nil || behind {
				return plumbing.ZeroHash, err
			}
		}
		ff := !exists
		if exists {
			var err error
			if ff, err = ancestor(tip, remoteTip); err != nil {
				return plumbing.ZeroHash, err
			}
		}
		remoteTree, err := l.treeOf(remoteTip)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		remoteNotes, err := l.entries(remoteTree)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		var localTree plumbing.Hash
		localNotes := map[plumbing.Hash]object.TreeEntry{}
		if exists {
			if localTree, err = l.treeOf(tip); err != nil {
				return plumbing.ZeroHash, err
			}
			if localNotes, err = l.entries(localTree); err != nil {
				return plumbing.ZeroHash, err
			}
		}
		// changes apply to the remote tree when fast-forwarding, to the
		// local tree when merging.
		changes, err := l.mergeNotes(localNotes, remoteNotes, ff, res)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		var commit plumbing.Hash
		switch {
		case ff && len(changes) == 0:
			res.Action = FetchFastForward
			commit = remoteTip
		case ff:
			tree, err := l.applyChanges(remoteTree, changes)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			res.Action = FetchMerged
			if commit, err = l.writeCommit(tree, []plumbing.Hash{remoteTip}, msgMerged); err != nil {
				return plumbing.ZeroHash, err
			}
		default:
			tree, err := l.applyChanges(localTree, changes)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			res.Action = FetchMerged
			if commit, err = l.writeCommit(tree, []plumbing.Hash{tip, remoteTip}, msgMerged); err != nil {
				return plumbing.ZeroHash, err
			}
		}
		res.After = commit
		return commit, nil
	})
}

// mergeNotes compares both sides' notes and returns the tree changes that
// produce their union: applied to the remote tree when ff, else to the local
// tree. It counts into res.
func (l *Ledger) mergeNotes(local, remote map[plumbing.Hash]object.TreeEntry, ff bool, res *FetchResult) (map[plumbing.Hash]plumbing.Hash, error) {
	changes := map[plumbing.Hash]plumbing.Hash{}
	decode := func(e object.TreeEntry) (attribution.Note, error) {
		data, err := l.readNoteBlob(e)
		if err != nil {
			return attribution.Note{}, err
		}
		return DecodeStored(data)
	}
	for c, re := range remote {
		le, inLocal := local[c]
		if inLocal && le.Hash == re.Hash {
			continue
		}
		rn, err := decode(re)
		if err != nil {
			if !errors.Is(err, attribution.ErrBadNote) {
				return nil, err
			}
			res.Rejected++
			res.Warnings = append(res.Warnings, fmt.Sprintf("dropped the remote note for %s: %v", c, err))
			if ff { // the remote tree is the base: undo its bad note
				if inLocal {
					changes[c] = le.Hash
				} else {
					changes[c] = plumbing.ZeroHash
				}
			}
			continue
		}
		if !inLocal {
			res.Added++
			if !ff {
				changes[c] = re.Hash
			}
			continue
		}
		ln, err := decode(le)
		if err != nil {
			if !errors.Is(err, attribution.ErrBadNote) {
				return nil, err
			}
			res.Warnings = append(res.Warnings, fmt.Sprintf("kept the local note for %s as it is: %v", c, err))
			if ff {
				changes[c] = le.Hash
			}
			continue
		}
		blob, err := l.unionBlob(ln, rn, le.Hash, re.Hash)
		if err != nil {
			return nil, err
		}
		if blob != le.Hash {
			res.Merged++
		}
		if ff && blob != re.Hash || !ff && blob != le.Hash {
			changes[c] = blob
		}
	}
	return changes, nil
}

// unionBlob returns the blob of attribution.Union(local, remote), reusing
// either side's blob when the union encodes to it.
func (l *Ledger) unionBlob(local, remote attribution.Note, localBlob, remoteBlob plumbing.Hash) (plumbing.Hash, error) {
	u, err := attribution.Union(local, remote).Encode()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	for _, side := range []struct {
		n    attribution.Note
		blob plumbing.Hash
	}{{local, localBlob}, {remote, remoteBlob}} {
		enc, err := side.n.Encode()
		if err == nil && bytes.Equal(enc, u) && blobHash(append(enc, '\n')) == side.blob {
			return side.blob, nil
		}
	}
	return l.writeBlob(append(u, '\n'))
}

// blobHash is git's id of a blob with data.
func blobHash(data []byte) plumbing.Hash {
	return plumbing.ComputeHash(plumbing.BlobObject, data)
}
