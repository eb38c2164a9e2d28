package ledger

import (
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/attribution"
)

// Source values of CommitUsage: where a commit's figures came from.
const (
	FromNote     = "note"
	FromTrailers = "trailers"
)

// CommitUsage is a commit's usage as tokenyield reads it: its note when it
// has one, else its AI-Tokens trailers.
type CommitUsage struct {
	Note attribution.Note
	// Source is FromNote, FromTrailers or "" (no data).
	Source string
	// Problem describes a note or trailers that were rejected (hostile or
	// malformed), so callers can warn; the figures never include them.
	Problem string
}

// UsageOf reads a commit's usage from its note (read through read) or else
// from the trailers of its message. A note or trailer that does not validate
// is reported in Problem, never trusted.
func UsageOf(read func() (attribution.Note, bool, error), message string) CommitUsage {
	var cu CommitUsage
	n, ok, err := read()
	switch {
	case err != nil:
		cu.Problem = fmt.Sprintf("note ignored: %v", err)
	case ok:
		cu.Note, cu.Source = n, FromNote
		return cu
	}
	t, lines, err := ParseTrailers(message)
	switch {
	case err != nil:
		cu.Problem = strings.TrimPrefix(cu.Problem+"; ", "; ") + fmt.Sprintf("trailers ignored: %v", err)
	case lines > 0:
		cu.Note, cu.Source = t, FromTrailers
	}
	return cu
}

// UsageOfBlob is UsageOf for a note already fetched as a blob (the Git Data
// API, or Ledger.List): has says whether the commit has a note, and a nil
// blob for a commit that has one means it could not be read or was over the
// size limit.
func UsageOfBlob(blob []byte, has bool, message string) CommitUsage {
	return UsageOf(func() (attribution.Note, bool, error) {
		if !has {
			return attribution.Note{}, false, nil
		}
		if blob == nil {
			return attribution.Note{}, false, fmt.Errorf("%w: note blob unreadable or over the size limit", attribution.ErrBadNote)
		}
		n, err := DecodeStored(blob)
		return n, err == nil, err
	}, message)
}

// Usage is UsageOf with the note read from this ledger.
func (l *Ledger) Usage(commit plumbing.Hash, message string) CommitUsage {
	return UsageOf(func() (attribution.Note, bool, error) { return l.Read(commit) }, message)
}
