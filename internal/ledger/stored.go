package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/tokenyield/tokenyield/attribution"
)

// maxStoredDocuments bounds the documents one stored note may concatenate
// (one per rewrite that met an existing note).
const maxStoredDocuments = 64

// DecodeStored decodes a stored note: one canonical JSON document, or several
// that git concatenated when it copied notes onto a commit that already had
// one (notes.rewriteMode=concatenate, the default; documents separated by
// blank lines). Each document is decoded strictly with
// attribution.DecodeNote; the documents are combined with attribution.Merge,
// except that a document repeated byte for byte counts once (it is the same
// note copied twice, not more usage). Any failure wraps
// attribution.ErrBadNote.
func DecodeStored(data []byte) (attribution.Note, error) {
	if len(data) > attribution.MaxNoteBytes {
		return attribution.Note{}, fmt.Errorf("%w: %d bytes exceeds the %d byte limit", attribution.ErrBadNote, len(data), attribution.MaxNoteBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var notes []attribution.Note
	seen := map[string]bool{}
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return attribution.Note{}, fmt.Errorf("%w: %w", attribution.ErrBadNote, err)
		}
		if len(notes) == maxStoredDocuments {
			return attribution.Note{}, fmt.Errorf("%w: more than %d concatenated documents", attribution.ErrBadNote, maxStoredDocuments)
		}
		n, err := attribution.DecodeNote(raw)
		if err != nil {
			if len(notes) > 0 {
				return attribution.Note{}, fmt.Errorf("document %d: %w", len(notes)+1, err)
			}
			return attribution.Note{}, err
		}
		canon, err := n.Encode()
		if err != nil {
			return attribution.Note{}, err
		}
		if seen[string(canon)] {
			continue
		}
		seen[string(canon)] = true
		notes = append(notes, n)
	}
	switch len(notes) {
	case 0:
		return attribution.Note{}, fmt.Errorf("%w: empty note", attribution.ErrBadNote)
	case 1:
		return notes[0], nil
	}
	merged := notes[0]
	for _, n := range notes[1:] {
		merged = attribution.Merge(merged, n)
	}
	if _, err := merged.Encode(); err != nil { // rows or sums past the limits
		return attribution.Note{}, fmt.Errorf("concatenated note: %w", err)
	}
	return merged, nil
}
