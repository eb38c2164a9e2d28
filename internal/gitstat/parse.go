package gitstat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// logFormat is the --format of the git log that Log runs. With -z every
// commit is printed as
//
//	\x01<sha>\0<parents>\0<author name>\0<author email>\0<author date>\0<committer date>\0<message>\0
//
// (the last NUL is -z's record terminator), followed, when the commit has a
// diff, by "\n" and one "<added>\t<deleted>\t<path>\0" entry per file. The
// message is last because it is the only field that may hold arbitrary text;
// git cuts a message at an embedded NUL, so no field can contain one. The
// \x01 opens each commit and is checked, which catches a format that does
// not match the parser.
const logFormat = "%x01%H%x00%P%x00%an%x00%ae%x00%aI%x00%cI%x00%B"

// headerFields is how many NUL-terminated fields logFormat prints.
const headerFields = 7

// commitMarker opens every commit record.
const commitMarker = '\x01'

// fileChange is one numstat entry, kept until the classes of all paths are
// known (they need one batch of git check-attr after the log).
type fileChange struct {
	path   int32 // index into collector.paths
	binary bool
	lines  Lines
}

// collector receives parsed commits and file changes. Paths are interned:
// history touches the same files over and over.
type collector struct {
	commits []CommitStat
	ends    []int // changes[ends[i-1]:ends[i]] belong to commits[i]
	changes []fileChange
	pathIDs map[string]int32
	paths   []string
}

func newCollector() *collector {
	return &collector{pathIDs: make(map[string]int32)}
}

// commit starts a new commit; the changes that follow belong to it.
func (c *collector) commit(cs CommitStat) {
	if len(c.commits) > 0 {
		c.ends = append(c.ends, len(c.changes))
	}
	c.commits = append(c.commits, cs)
}

// file records one changed file of the current commit.
func (c *collector) file(path []byte, binary bool, lines Lines) {
	id, ok := c.pathIDs[string(path)] // no allocation for the lookup
	if !ok {
		id = int32(len(c.paths))
		p := string(path)
		c.paths = append(c.paths, p)
		c.pathIDs[p] = id
	}
	c.changes = append(c.changes, fileChange{path: id, binary: binary, lines: lines})
}

// finish sums each commit's changes by class; classes[i] is the class of
// paths[i] by name and attributes. It returns the commits.
func (c *collector) finish(classes []Class) []CommitStat {
	if len(c.commits) == 0 {
		return nil
	}
	c.ends = append(c.ends, len(c.changes))
	start := 0
	for i := range c.commits {
		cs := &c.commits[i]
		for _, fc := range c.changes[start:c.ends[i]] {
			class := classes[fc.path]
			cs.Files++
			if fc.binary {
				cs.BinaryFiles++
				if class == Code {
					class = Binary
				}
			}
			if class == Code {
				cs.Code = cs.Code.Add(fc.lines)
				continue
			}
			if cs.Excluded == nil {
				cs.Excluded = make(map[Class]Lines, 2)
			}
			cs.Excluded[class] = cs.Excluded[class].Add(fc.lines)
		}
		start = c.ends[i]
	}
	return c.commits
}

// parser reads the output of Log's git log command.
type parser struct {
	r       *bufio.Reader
	off     int64  // bytes consumed so far, for error messages
	scratch []byte // a field longer than the reader's buffer
	commits int    // commits parsed so far
}

// readBufferSize is large enough for almost every field (paths, most
// messages) to be read without copying.
const readBufferSize = 256 << 10

// parseLog parses git log output from r into c.
func parseLog(r io.Reader, c *collector) error {
	p := &parser{r: bufio.NewReaderSize(r, readBufferSize)}
	if err := p.run(c); err != nil {
		return fmt.Errorf("unexpected git log output (commit %d, byte %d): %w", p.commits+1, p.off, err)
	}
	return nil
}

func (p *parser) run(c *collector) error {
	for {
		b, err := p.r.ReadByte()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		p.off++
		if b != commitMarker {
			return fmt.Errorf("commit starts with %q, want %q", b, commitMarker)
		}
		cs, err := p.header()
		if err != nil {
			return err
		}
		c.commit(cs)
		p.commits++
		if err := p.files(c); err != nil {
			return fmt.Errorf("commit %s: %w", cs.SHA, err)
		}
	}
}

// field returns the bytes up to the next NUL, which it consumes. The slice
// is valid until the next read. A missing NUL at the end of input is
// io.ErrUnexpectedEOF.
func (p *parser) field() ([]byte, error) {
	b, err := p.r.ReadSlice(0)
	p.off += int64(len(b))
	if err == nil {
		return b[:len(b)-1], nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	p.scratch = append(p.scratch[:0], b...)
	for {
		b, err = p.r.ReadSlice(0)
		p.off += int64(len(b))
		p.scratch = append(p.scratch, b...)
		switch {
		case err == nil:
			return p.scratch[:len(p.scratch)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
	}
}

// header reads the fields of logFormat after the marker.
func (p *parser) header() (CommitStat, error) {
	var cs CommitStat
	for i := range headerFields {
		b, err := p.field()
		if err != nil {
			return cs, fmt.Errorf("commit header field %d of %d: %w", i+1, headerFields, err)
		}
		switch i {
		case 0:
			if !isHash(b) {
				return cs, fmt.Errorf("commit hash %q is not hexadecimal", truncate(b))
			}
			cs.SHA = string(b)
		case 1:
			if len(b) > 0 {
				cs.Parents = strings.Split(string(b), " ")
				for _, h := range cs.Parents {
					if !isHash([]byte(h)) {
						return cs, fmt.Errorf("commit %s: parent %q is not a hash", cs.SHA, truncate([]byte(h)))
					}
				}
			}
		case 2:
			cs.AuthorName = string(b)
		case 3:
			cs.AuthorEmail = string(b)
		case 4:
			cs.AuthorTime = parseTime(b)
		case 5:
			cs.CommitTime = parseTime(b)
		case 6:
			cs.Message = string(b)
		}
	}
	return cs, nil
}

// files reads the numstat entries of the current commit, up to the next
// commit marker or the end of input.
func (p *parser) files(c *collector) error {
	for {
		next, err := p.r.Peek(1)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch next[0] {
		case commitMarker:
			return nil
		case '\n': // the blank line between a commit's header and its diff
			_, _ = p.r.ReadByte()
			p.off++
			continue
		}
		b, err := p.field()
		if err != nil {
			return fmt.Errorf("numstat entry: %w", err)
		}
		added, rest, ok1 := bytes.Cut(b, []byte{'\t'})
		deleted, path, ok2 := bytes.Cut(rest, []byte{'\t'})
		if !ok1 || !ok2 {
			return fmt.Errorf("numstat entry %q has no two tabs", truncate(b))
		}
		var lines Lines
		binary := string(added) == "-" && string(deleted) == "-"
		if !binary {
			a, okA := parseCount(added)
			d, okD := parseCount(deleted)
			if !okA || !okD {
				return fmt.Errorf("numstat entry %q: counts are not numbers", truncate(b))
			}
			lines = Lines{Added: a, Deleted: d}
		}
		if len(path) == 0 {
			// A rename or copy (only if rename detection was forced on
			// despite --no-renames): "<a>\t<d>\t\0<old>\0<new>\0".
			if _, err := p.field(); err != nil {
				return fmt.Errorf("numstat rename source: %w", err)
			}
			if path, err = p.field(); err != nil {
				return fmt.Errorf("numstat rename destination: %w", err)
			}
			if len(path) == 0 {
				return errors.New("numstat entry with an empty path")
			}
		}
		c.file(path, binary, lines)
	}
}

// parseCount parses a numstat count: decimal digits, at most 18 of them (no
// file has 10^18 lines; the bound keeps the sum from overflowing).
func parseCount(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// isHash reports whether b looks like a full SHA-1 or SHA-256 hash in lower
// case hexadecimal.
func isHash(b []byte) bool {
	if len(b) != 40 && len(b) != 64 {
		return false
	}
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// parseTime parses a strict ISO 8601 date (%aI). A date git could not print
// in that form (a forged commit) gives the zero time rather than an error:
// the lines of the commit matter more than its date.
func parseTime(b []byte) time.Time {
	t, err := time.Parse(time.RFC3339, string(b))
	if err != nil {
		return time.Time{}
	}
	return t
}

// truncate shortens b for an error message.
func truncate(b []byte) string {
	const max = 80
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
