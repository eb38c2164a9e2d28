package tail

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/tokenyield/tokenyield/attribution"
)

// MaxLineBytes is the longest line a reader will parse; longer lines are
// skipped and counted.
const MaxLineBytes = 10 << 20

// prefixBytes is how much of a file's start is hashed to detect rewrites.
const prefixBytes = 4096

// Cursor is where the previous read of one file stopped.
type Cursor struct {
	// Dev and Ino identify the file; a new inode means a replaced file.
	Dev uint64 `json:"dev,omitempty"`
	Ino uint64 `json:"ino,omitempty"`
	// Size and ModNano are the file's size and modification time at the last read.
	Size    int64 `json:"size"`
	ModNano int64 `json:"mod"`
	// Offset is the (decompressed) byte offset after the last complete line parsed.
	Offset int64 `json:"off"`
	// PrefixLen and PrefixHash fingerprint the file's first bytes.
	PrefixLen  int    `json:"plen,omitempty"`
	PrefixHash uint64 `json:"phash,omitempty"`
	// State is the parser's resumable state after Offset.
	State []byte `json:"state,omitempty"`
}

// Stats counts what reads did; the zero value is ready to use.
type Stats struct {
	Files     int   // files looked at
	Read      int   // files with new bytes parsed
	Bytes     int64 // bytes parsed
	Lines     int64 // complete lines parsed
	Events    int64 // events emitted (before de-duplication)
	Skipped   int64 // lines that should have carried usage but could not be used
	LongLines int64 // lines over MaxLineBytes, skipped
	Rewrites  int   // files found truncated, replaced or rewritten and read again
	Errors    int   // files that could not be read
}

// Add accumulates o into s.
func (s *Stats) Add(o Stats) {
	s.Files += o.Files
	s.Read += o.Read
	s.Bytes += o.Bytes
	s.Lines += o.Lines
	s.Events += o.Events
	s.Skipped += o.Skipped
	s.LongLines += o.LongLines
	s.Rewrites += o.Rewrites
	s.Errors += o.Errors
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// ReadFile parses the complete lines of path appended since cur, emitting
// events, and advances cur. An unchanged file costs one stat. A file that was
// truncated, replaced or rewritten is read again from its start with a fresh
// parser. Files ending in ".zst" are decompressed; their offsets count
// decompressed bytes.
func ReadFile(src Source, path string, cur *Cursor, emit func(attribution.Event), st *Stats) error {
	st.Files++
	fi, err := os.Stat(path)
	if err != nil {
		st.Errors++
		return fmt.Errorf("stat %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	dev, ino := fileID(fi)
	size, mod := fi.Size(), fi.ModTime().UnixNano()
	if cur.Size == size && cur.ModNano == mod && cur.Dev == dev && cur.Ino == ino {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		st.Errors++
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()

	compressed := strings.HasSuffix(path, ".zst")
	var r io.Reader = f
	if compressed {
		dec, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
		if err != nil {
			st.Errors++
			return fmt.Errorf("zstd %s: %w", path, err)
		}
		defer dec.Close()
		r = dec
	}

	// Decide whether the previous read is still a valid prefix of the file.
	resume := cur.Offset > 0 && cur.Dev == dev && cur.Ino == ino
	if resume && !compressed && size < cur.Offset {
		resume = false
	}
	var head []byte
	if cur.Offset > 0 || cur.PrefixLen > 0 {
		head = make([]byte, prefixBytes)
		n, err := io.ReadFull(r, head)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			st.Errors++
			return fmt.Errorf("read %s: %w", path, err)
		}
		head = head[:n]
		if resume && (len(head) < cur.PrefixLen || prefixHash(head[:cur.PrefixLen]) != cur.PrefixHash) {
			resume = false
		}
	}
	if !resume && cur.Offset > 0 {
		st.Rewrites++
	}
	start := int64(0)
	state := []byte(nil)
	if resume {
		start, state = cur.Offset, cur.State
	}
	// Position r at start: head already consumed len(head) bytes.
	if compressed || head != nil {
		if compressed {
			rest := start - int64(len(head))
			if rest < 0 {
				r = io.MultiReader(bytes.NewReader(head[start:]), r)
			} else if _, err := io.CopyN(io.Discard, r, rest); err != nil {
				st.Errors++
				return fmt.Errorf("skip %s: %w", path, err)
			}
		} else if _, err := f.Seek(start, io.SeekStart); err != nil {
			st.Errors++
			return fmt.Errorf("seek %s: %w", path, err)
		}
	}

	p, err := src.NewParser(path, state)
	if err != nil {
		st.Errors++
		return fmt.Errorf("parser for %s: %w", path, err)
	}
	counting := func(e attribution.Event) { st.Events++; emit(e) }
	if !compressed && size-start >= mmapMin && size-start <= mmapMax {
		if end, ok := scanMappedFile(f, start, size, p, counting, st); ok {
			return finish(path, cur, p, dev, ino, size, mod, end, head, compressed, start, st, f)
		}
	}
	var capture *headCapture
	if head == nil && start == 0 {
		// A read from the start sees the prefix anyway: keep it.
		capture = &headCapture{r: r}
		r = capture
	}
	end, err := scanLines(r, start, p, counting, st)
	if err != nil {
		st.Errors++
		return fmt.Errorf("read %s: %w", path, err)
	}
	if capture != nil {
		head = capture.head
	}
	return finish(path, cur, p, dev, ino, size, mod, end, head, compressed, start, st, nil)
}

// finish records a completed read in cur: where it stopped, the parser's
// state and a fingerprint of the file's start as it is now.
func finish(path string, cur *Cursor, p Parser, dev, ino uint64, size, mod, end int64, head []byte, compressed bool, start int64, st *Stats, mapped *os.File) error {
	st.Read++
	newState, err := p.State()
	if err != nil {
		return fmt.Errorf("parser state for %s: %w", path, err)
	}
	if len(head) < prefixBytes && int64(len(head)) < end {
		if mapped != nil && start == 0 {
			head = make([]byte, min(prefixBytes, end))
			_, err = mapped.ReadAt(head, 0)
		} else {
			head, err = readHead(path, compressed)
		}
		if err != nil {
			st.Errors++
			return fmt.Errorf("read %s: %w", path, err)
		}
	}
	plen := min(int64(len(head)), end)
	*cur = Cursor{Dev: dev, Ino: ino, Size: size, ModNano: mod, Offset: end,
		PrefixLen: int(plen), PrefixHash: prefixHash(head[:plen]), State: newState}
	return nil
}

// Files with at least mmapMin new bytes are read through a memory mapping,
// which saves copying them; mmapMax keeps the mapping's length an int on
// every platform.
const (
	mmapMin = 256 << 10
	mmapMax = 1 << 30
)

// scanMappedFile parses the complete lines of f in [start, size) through a
// memory mapping. It returns false, having parsed nothing, when the file
// cannot be mapped. A file truncated while mapped makes the kernel raise a
// fault on the missing pages; it is turned into a panic and recovered, and
// the lines parsed until then count (the next read sees the truncation).
func scanMappedFile(f *os.File, start, size int64, p Parser, emit func(attribution.Event), st *Stats) (end int64, ok bool) {
	data, unmap, err := mapFile(f, start, size)
	if err != nil {
		return 0, false
	}
	defer unmap()
	end = start
	defer func() {
		if r := recover(); r != nil {
			st.Errors++
			ok = true
		}
	}()
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	return scanMapped(data, start, p, emit, st, &end), true
}

// scanMapped feeds the complete lines of data (which starts at file offset
// start) to p, keeping *end at the offset after the last complete line.
func scanMapped(data []byte, start int64, p Parser, emit func(attribution.Event), st *Stats, end *int64) int64 {
	pos := 0
	for {
		i := bytes.IndexByte(data[pos:], '\n')
		if i < 0 {
			break
		}
		line := data[pos : pos+i]
		st.Lines++
		if len(line) > MaxLineBytes {
			st.LongLines++
		} else {
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			if len(line) > 0 && p.Line(line, emit) != nil {
				st.Skipped++
			}
		}
		pos += i + 1
		st.Bytes += int64(i + 1)
		*end = start + int64(pos)
	}
	return *end
}

// headCapture keeps the first prefixBytes read through it.
type headCapture struct {
	r    io.Reader
	head []byte
}

func (h *headCapture) Read(b []byte) (int, error) {
	n, err := h.r.Read(b)
	if k := min(n, prefixBytes-len(h.head)); k > 0 {
		h.head = append(h.head, b[:k]...)
	}
	return n, err
}

func readHead(path string, compressed bool) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	var r io.Reader = f
	if compressed {
		dec, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("zstd %s: %w", path, err)
		}
		defer dec.Close()
		r = dec
	}
	head := make([]byte, prefixBytes)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return head[:n], nil
}

func prefixHash(b []byte) uint64 {
	h := fnv.New64a()
	_, _ = h.Write(b)
	return h.Sum64()
}

// scanLines feeds every complete line of r to p and returns the offset after
// the last complete line. A trailing line without a newline is left unread.
func scanLines(r io.Reader, start int64, p Parser, emit func(attribution.Event), st *Stats) (int64, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	var (
		filled   int // bytes in buf
		consumed = start
		skipping bool // inside a line longer than MaxLineBytes
	)
	for {
		n, err := r.Read(buf[filled:])
		filled += n
		st.Bytes += int64(n)
		// Process complete lines in buf[:filled].
		pos := 0
		for {
			i := bytes.IndexByte(buf[pos:filled], '\n')
			if i < 0 {
				break
			}
			line := buf[pos : pos+i]
			if skipping {
				skipping = false
			} else {
				st.Lines++
				if len(line) > 0 && line[len(line)-1] == '\r' {
					line = line[:len(line)-1]
				}
				if len(line) > 0 {
					if perr := p.Line(line, emit); perr != nil {
						st.Skipped++
					}
				}
			}
			pos += i + 1
			consumed += int64(i + 1)
		}
		// Keep the incomplete tail.
		rest := filled - pos
		if pos > 0 {
			copy(buf, buf[pos:filled])
		}
		filled = rest
		if filled == len(buf) {
			if len(buf) >= MaxLineBytes {
				// Discard an over-long line; its end is found later.
				if !skipping {
					st.LongLines++
				}
				skipping = true
				consumed += int64(filled)
				filled = 0
			} else {
				nb := make([]byte, min(2*len(buf), MaxLineBytes))
				copy(nb, buf[:filled])
				buf = nb
			}
		}
		if err == io.EOF {
			return consumed, nil
		}
		if err != nil {
			return consumed, err
		}
	}
}
