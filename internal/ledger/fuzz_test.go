package ledger_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/ledger"
)

// FuzzParseTrailers checks that any message parses without panicking, that
// errors wrap ErrBadTrailer, and that what parses formats back to lines that
// parse to the same usage.
func FuzzParseTrailers(f *testing.F) {
	f.Add("Subject\n\nAI-Tokens: codex gpt-5 in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000\n")
	f.Add("AI-Tokens: a b in=0 out=0 cr=0 cw=0 rs=0 req=0 usd=? est lb")
	f.Add(strings.Join(ledger.FormatTrailers(trailerNote()), "\n"))
	f.Fuzz(func(t *testing.T, msg string) {
		n, count, err := ledger.ParseTrailers(msg)
		if err != nil {
			if !errors.Is(err, ledger.ErrBadTrailer) {
				t.Fatalf("error %v does not wrap ErrBadTrailer", err)
			}
			return
		}
		if count > ledger.MaxTrailerLines || (count == 0) != (len(n.Rows) == 0) {
			t.Fatalf("count %d with %d rows", count, len(n.Rows))
		}
		if _, err := n.Encode(); err != nil {
			t.Fatalf("parsed note does not encode: %v", err)
		}
		lines := ledger.FormatTrailers(n)
		again, count2, err := ledger.ParseTrailers(strings.Join(lines, "\n"))
		if err != nil || count2 != len(lines) || !ledger.Agree(n, again) || !ledger.Agree(again, n) {
			t.Fatalf("round trip of %q: %v", lines, err)
		}
		if !slices.Equal(ledger.FormatTrailers(again), lines) {
			t.Fatalf("format is not stable: %q", lines)
		}
		// Rewriting any message with these trailers keeps them readable.
		rewritten := ledger.RewriteMessage(msg, n)
		if p, _, err := ledger.ParseTrailers(rewritten); err != nil || !ledger.Agree(n, p) {
			t.Fatalf("RewriteMessage(%q) = %q: %v", msg, rewritten, err)
		}
		if ledger.RewriteMessage(rewritten, n) != rewritten {
			t.Fatalf("RewriteMessage not idempotent on %q", msg)
		}
		// Removing what was added gives the message with the lines removed.
		var empty attribution.Note
		if a, b := ledger.RewriteMessage(rewritten, empty), ledger.RewriteMessage(msg, empty); a != b {
			t.Fatalf("add then remove on %q:\n%q\nwant\n%q", msg, a, b)
		}
	})
}

// FuzzDecodeStored checks that any stored bytes decode without panicking,
// that errors wrap attribution.ErrBadNote, and that a decoded note
// re-encodes to bytes that decode to the same note.
func FuzzDecodeStored(f *testing.F) {
	a, _ := numbered(1).Encode()
	b, _ := trailerNote().Encode()
	f.Add(a)
	f.Add(append(append(append([]byte{}, a...), "\n\n"...), b...))
	f.Add([]byte(`{"v":1,"rows":[],"total":{"input":0,"cache_read":0,"cache_write":0,"output":0,"reasoning":0,"total":0,"cost_usd":null}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ledger.DecodeStored(data)
		if err != nil {
			if !errors.Is(err, attribution.ErrBadNote) {
				t.Fatalf("error %v does not wrap ErrBadNote", err)
			}
			return
		}
		enc, err := n.Encode()
		if err != nil {
			t.Fatalf("decoded note does not encode: %v", err)
		}
		again, err := ledger.DecodeStored(append(enc, '\n'))
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if enc2, _ := again.Encode(); string(enc2) != string(enc) {
			t.Fatalf("not stable:\n%s\n%s", enc, enc2)
		}
	})
}
