package tail

import (
	"fmt"
	"io"
	"os"

	"github.com/tokenyield/tokenyield/attribution"
)

// MaxDocumentBytes is the largest document ReadWhole parses; larger ones are
// reported as errors and left alone.
const MaxDocumentBytes = 512 << 20

// ReadWhole reads a document its agent rewrites whole on every change (a JSON
// file such as Cline's ui_messages.json or an Amp thread). When path is
// unchanged since cur (same size, modification time and inode) it costs one
// stat. Otherwise parse gets the whole file and emits every event the
// document holds, old ones included: the callers' global de-duplication by
// event key keeps only what is new (or raised), so events must carry stable
// keys.
//
// A document that does not parse (caught mid-write, or damaged) counts as
// skipped and returns the error; its cursor still moves, so it is parsed
// again only when it changes again.
func ReadWhole(path string, cur *Cursor, parse func(data []byte, emit func(attribution.Event)) error, emit func(attribution.Event), st *Stats) error {
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
	if size > MaxDocumentBytes {
		st.Errors++
		return fmt.Errorf("%s: %d bytes, over the %d-byte limit for documents", path, size, MaxDocumentBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		st.Errors++
		return fmt.Errorf("read %s: %w", path, err)
	}
	*cur = Cursor{Dev: dev, Ino: ino, Size: size, ModNano: mod, Offset: int64(len(data))}
	st.Read++
	st.Bytes += int64(len(data))
	counting := func(e attribution.Event) { st.Events++; emit(e) }
	if err := parse(data, counting); err != nil {
		st.Skipped++
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ReadSmall reads a small file whole (a tool's metadata or a sidecar), or
// fails when it holds more than limit bytes.
func ReadSmall(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: over %d bytes", path, limit)
	}
	return data, nil
}
