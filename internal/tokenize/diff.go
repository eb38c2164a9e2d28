package tokenize

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DiffStats is what DiffTokens found in a diff.
type DiffStats struct {
	Tokens int   // tokens of the added lines
	Lines  int   // added lines
	Bytes  int64 // bytes of the added lines, without the "+" and with their line ends
	Binary int   // files the diff only reports as binary ("Binary files … differ", "GIT binary patch")
	Cuts   int   // blocks of more than 1 MiB cut where the count may be off by a token or two
}

// Sizes of DiffTokens' buffers: lines are read through a 64 KiB buffer,
// a run of added lines is counted once it passes flushAt bytes up to a
// point where the count splits exactly, and cut anyway at maxBlock.
const (
	readBuffer = 64 << 10
	flushAt    = 64 << 10
	maxBlock   = 1 << 20
)

// DiffTokens counts the tokens of the lines a unified diff adds (the output
// of git diff, git show, git format-patch or diff -u, combined diffs of
// merges included), so that a report can put the tokens of the code that
// landed next to the tokens an agent spent.
//
// Each run of added lines that are consecutive in the new file (removed
// lines between them do not break the run) is counted as one text, without
// the leading "+" and with the line ends, as the code appears in the file;
// a "\ No newline at end of file" after an added line takes its line end
// away.
//
// Inside a hunk, lines are classified by the counts of its "@@" header, so
// an added line that starts with "++" is code, not a header; outside hunks
// (a diff without headers, or a hunk whose counts are wrong), a line
// starting with "+" but not "+++" is taken as added.
//
// The diff is streamed with bounded memory, however large it is or however
// long its lines are. Binary content and invalid UTF-8 are counted like any
// text, without panicking; the returned error is only a read error of r.
func (e *Encoder) DiffTokens(r io.Reader) (DiffStats, error) {
	d := diffCounter{enc: e}
	err := d.read(r)
	return d.st, err
}

// read counts the diff in r into d.st.
func (d *diffCounter) read(r io.Reader) error {
	br := bufio.NewReaderSize(r, readBuffer)
	first := true // the next fragment starts a line
	var added bool
	for {
		frag, err := br.ReadSlice('\n')
		if len(frag) > 0 {
			if first {
				added = d.line(frag)
			} else if added {
				d.add(frag)
			}
			first = frag[len(frag)-1] == '\n'
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			d.flush(true)
			return nil
		default:
			d.flush(true)
			return fmt.Errorf("tokenize: read diff: %w", err)
		}
	}
}

// diffCounter holds the state of DiffTokens.
type diffCounter struct {
	enc   *Encoder
	st    DiffStats
	block []byte // consecutive added lines not counted yet
	split int    // the last exact split point of block, or 0

	// The current hunk: lines left to read in the new file and in each
	// parent (one for a plain diff, more for a combined diff).
	newLeft  int
	oldLeft  []int
	lastPlus bool // the previous line was an added line
}

// line handles the first fragment of a line and reports whether the line
// is added (its further fragments, if any, then belong to the block).
func (d *diffCounter) line(l []byte) bool {
	if len(l) > 0 && l[0] == '\\' { // "\ No newline at end of file", in a hunk or right after it
		if d.lastPlus && len(d.block) > 0 && d.block[len(d.block)-1] == '\n' {
			d.block = d.block[:len(d.block)-1]
			d.st.Bytes--
		}
		d.lastPlus = false
		return false
	}
	if d.inHunk() {
		if added, ok := d.hunkLine(l); ok {
			return added
		}
		d.newLeft, d.oldLeft = 0, d.oldLeft[:0] // a malformed hunk ends here
	}
	d.lastPlus = false
	switch {
	case bytes.HasPrefix(l, []byte("@@")):
		d.flush(true)
		d.startHunk(l)
		return false
	case len(l) > 0 && l[0] == '+' && !bytes.HasPrefix(l, []byte("+++")):
		d.lastPlus = true
		d.addLine(l[1:])
		return true
	case bytes.HasPrefix(l, []byte("GIT binary patch")),
		bytes.HasPrefix(l, []byte("Binary files ")) && bytes.HasSuffix(bytes.TrimRight(l, "\r\n"), []byte(" differ")):
		d.st.Binary++
	}
	d.flush(true)
	return false
}

func (d *diffCounter) inHunk() bool {
	if d.newLeft > 0 {
		return true
	}
	for _, n := range d.oldLeft {
		if n > 0 {
			return true
		}
	}
	return false
}

// hunkLine classifies a line inside a hunk by its columns, one per parent:
// '+' the line is not in that parent, '-' it is not in the result, ' ' it
// is in both. ok is false when the line cannot belong to the hunk.
func (d *diffCounter) hunkLine(l []byte) (added, ok bool) {
	cols := len(d.oldLeft)
	if len(l) == 1 && l[0] == '\n' || len(l) == 2 && l[0] == '\r' && l[1] == '\n' {
		l = bytes.Repeat([]byte(" "), cols) // an empty context line whose space was stripped
	}
	if len(l) < cols {
		return false, false
	}
	inNew, plus := true, false
	for _, c := range l[:cols] {
		switch c {
		case '-':
			inNew = false
		case '+':
			plus = true
		case ' ':
		default:
			return false, false
		}
	}
	for p, c := range l[:cols] {
		if c != '+' {
			d.oldLeft[p]--
		}
	}
	if inNew {
		d.newLeft--
	}
	d.lastPlus = inNew && plus
	switch {
	case d.lastPlus:
		d.addLine(l[cols:])
		return true, true
	case inNew: // a context line ends the run of added lines; a removed one does not
		d.flush(true)
	}
	return false, true
}

// startHunk reads a hunk header: "@@ -a,b +c,d @@" or, for a combined diff
// of n parents, n+1 "@" then n old ranges.
func (d *diffCounter) startHunk(l []byte) {
	ats := 0
	for ats < len(l) && l[ats] == '@' {
		ats++
	}
	fields := strings.Fields(string(l[ats:]))
	parents := ats - 1
	if parents < 1 || len(fields) < parents+1 {
		return
	}
	old := make([]int, 0, parents)
	for _, f := range fields[:parents] {
		n, ok := rangeLen(f, '-')
		if !ok {
			return
		}
		old = append(old, n)
	}
	n, ok := rangeLen(fields[parents], '+')
	if !ok {
		return
	}
	d.oldLeft, d.newLeft = old, n
}

// rangeLen returns the line count of a hunk range "-a,b", "+a,b" or "-a"
// (one line).
func rangeLen(f string, sign byte) (int, bool) {
	if len(f) < 2 || f[0] != sign {
		return 0, false
	}
	_, count, found := strings.Cut(f[1:], ",")
	if !found {
		return 1, true
	}
	n, err := strconv.Atoi(count)
	return n, err == nil && n >= 0
}

// addLine starts an added line with its first fragment.
func (d *diffCounter) addLine(content []byte) {
	d.st.Lines++
	d.add(content)
}

// add appends part of an added line to the block, counting what can be
// counted when the block grows large.
func (d *diffCounter) add(b []byte) {
	d.st.Bytes += int64(len(b))
	start := len(d.block)
	d.block = append(d.block, b...)
	// Only the new bytes are searched, so a long block is not searched
	// again for every short line added to it.
	for p := max(start, 1); p < len(d.block); p++ {
		if isSplit(d.block, p) {
			d.split = p
		}
	}
	if len(d.block) >= flushAt {
		d.flush(false)
	}
}

// flush counts the block: all of it when the run of added lines has ended,
// else the part before its last exact split point (or, past maxBlock, before
// its last character boundary).
func (d *diffCounter) flush(all bool) {
	if len(d.block) == 0 {
		return
	}
	cut := len(d.block)
	if !all {
		cut = d.split
		if cut <= 0 {
			if len(d.block) < maxBlock {
				return
			}
			cut = len(d.block) - 1
			for cut > 0 && !utf8.RuneStart(d.block[cut]) {
				cut--
			}
			if cut == 0 {
				cut = len(d.block)
			}
			d.st.Cuts++
		}
	}
	d.st.Tokens += d.enc.Count(string(d.block[:cut]))
	d.block = append(d.block[:0], d.block[cut:]...)
	d.split = 0 // cut was the last split point, or there was none
}

// isSplit reports whether counting b[:p] and b[p:] separately (0 < p <
// len(b)) gives the count of b. Both rules hold for both encodings because
// no piece of their patterns extends over them and none looks behind
// (TestSplitPoints and FuzzSplitPoints check them):
//
//   - after "\n" and before an ASCII letter or digit: a piece that holds a
//     newline ends with it, or continues only with newlines, whitespace or,
//     for o200k_base, '/';
//   - after an ASCII letter and before a space: a run of letters (with
//     o200k_base's optional contraction) ends at the space, and so does any
//     other piece that reached the letter.
func isSplit(b []byte, p int) bool {
	c, prev := b[p], b[p-1]
	return prev == '\n' && isASCIIAlnum(c) || c == ' ' && isASCIILetter(prev)
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isASCIIAlnum(c byte) bool  { return isASCIILetter(c) || '0' <= c && c <= '9' }
