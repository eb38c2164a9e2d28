// Package ledger stores each commit's token usage in git: as a JSON note on
// refs/notes/tokenyield and as AI-Tokens trailers in the commit message. It
// is the only package that writes refs, and it writes only NotesRef (plus the
// private tracking refs refs/notes/tokenyield-remote/<remote> during Fetch).
//
// # Notes
//
// A note is the canonical encoding of an attribution.Note followed by "\n",
// stored the way git stores notes: a blob named by the annotated commit's hex
// id in the tree of the notes commit that NotesRef points to, either flat
// ("<40 hex>") or under fan-out directories ("ab/cdef…", any depth); both are
// read. Writes keep the tree's layout; a new tree stays flat up to 256 notes
// and gets one level of fan-out beyond, so `git notes --ref tokenyield show`
// and `git log --notes=tokenyield` read what Ledger writes and Ledger reads
// what git writes. Every change is a new notes commit whose parent is the
// previous one, and the ref moves by compare-and-swap under git's own ref
// lock (refs/notes/tokenyield.lock), so concurrent writers in other
// goroutines, processes or worktrees lose nothing.
//
// Reading is strict: a note that is malformed, of another schema version,
// internally inconsistent or larger than attribution.MaxNoteBytes (checked
// from the object header, before the blob is read) yields an error wrapping
// attribution.ErrBadNote. A note that git concatenated while rewriting
// commits (notes.rewriteMode=concatenate: several JSON documents separated by
// blank lines) is decoded by DecodeStored and combined with attribution.Merge.
//
// # Trailers
//
// The trailer carrier is one line per (agent, model), the note's rows summed
// over sessions, in canonical order (agent, then model):
//
//	AI-Tokens: <agent> <model> in=<N> out=<N> cr=<N> cw=<N> rs=<N> req=<N> usd=<X.XXXX|?>[ est][ lb]
//
// where
//
//	agent, model  names accepted by attribution.ValidName (letters, digits, - _ . : / + [ ])
//	in            uncached input tokens
//	out           output tokens, reasoning included
//	cr, cw        cache read and cache write tokens
//	rs            reasoning tokens (part of out, so rs <= out)
//	req           model requests
//	usd           cost in US dollars with exactly 4 decimals, or ? when unknown
//	est           the figures are estimated
//	lb            the figures are a known lower bound
//
// Every <N> is a decimal integer without sign or leading zeros, at most
// attribution.MaxTokensPerEvent. The keys come in exactly this order, each
// once; the flags, when present, come last and in this order. Fields are
// separated by white space. The key "AI-Tokens:" is matched
// case-insensitively at the start of any line of the message, a line is at
// most 512 bytes and a message holds at most 200 such lines. Lines with the
// same (agent, model) add up: a squash commit's message carries the trailers
// of every squashed commit, and their sum is the squashed usage.
//
// Example:
//
//	Fix the parser's off-by-one
//
//	Signed-off-by: Ada <ada@example.com>
//	AI-Tokens: claude-code claude-sonnet-4-5 in=1200 out=3400 cr=56000 cw=7800 rs=0 req=12 usd=0.1234
//	AI-Tokens: codex gpt-5 in=800 out=950 cr=0 cw=0 rs=400 req=3 usd=? est
//
// # Sync
//
// Push and Fetch move NotesRef to and from a remote with the git binary, so
// the user's remotes, credentials and SSH configuration apply. Push never
// forces and never pushes another ref; when the remote moved, it fetches,
// merges and retries. Fetch brings the remote's notes to a private tracking
// ref and merges them into NotesRef: fast-forward when possible, otherwise a
// merge notes commit whose tree is the union of both sides, with
// attribution.Union for a commit annotated differently on each side. A bad
// note from the remote is dropped and reported, never propagated.
package ledger
