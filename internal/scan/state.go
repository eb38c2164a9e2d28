package scan

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Retention and size bounds of a persisted State.
const (
	// DefaultRetention is how long identities are remembered. Events older
	// than that are ignored altogether (see State.Floor), which is safe
	// because the commit hook never attributes usage older than its horizon
	// (24 hours by default); a week also covers a session resumed days later
	// that copies its history into a new file.
	DefaultRetention = 7 * 24 * time.Hour
	// MaxIdentities caps the de-dup memory; the oldest are forgotten first.
	MaxIdentities = 2_000_000
)

const (
	stateMagic   = "tokenyield-scan-state v3\n"
	stateMagicV2 = "tokenyield-scan-state v2\n" // v3 without the directory table
	entrySize    = 8 + 8 + 5*8
	maxField     = 64 << 20
)

// Load reads a state saved by Save. A missing file gives an empty state; a
// damaged one gives an empty state and an error saying so, so callers can
// start over safely.
//
// The state file is binary so that the hook loads it in a few milliseconds:
//
//	magic
//	floor (uvarint Unix nanoseconds, 0 = none)
//	cursor count, then per cursor: key, dev, ino, size, mod, offset, prefix
//	length, prefix hash, parser state (strings and byte slices length-prefixed)
//	identity count, then fixed 56-byte little-endian entries sorted by ID
//	(v3) last full walk (varint Unix ns), directory count, then per
//	directory: key, agent, root, rel, modification time
func Load(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return NewState(), nil
	}
	if err != nil {
		return NewState(), fmt.Errorf("read scan state: %w", err)
	}
	st, err := decode(data)
	if err != nil {
		return NewState(), fmt.Errorf("scan state %s is damaged, starting over: %w", path, err)
	}
	return st, nil
}

// decoder reads the state's fields, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errors.New("truncated number")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errors.New("truncated number")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > maxField || n > uint64(len(d.b)) {
		d.err = errors.New("truncated field")
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func decode(data []byte) (*State, error) {
	v3 := bytes.HasPrefix(data, []byte(stateMagic))
	if !v3 && !bytes.HasPrefix(data, []byte(stateMagicV2)) {
		return nil, errors.New("not a scan state file")
	}
	d := &decoder{b: data[len(stateMagic):]}
	st := NewState()
	if floor := d.varint(); floor != 0 {
		st.Floor = time.Unix(0, floor)
	}
	nc := d.uvarint()
	if nc > uint64(len(d.b)) {
		return nil, errors.New("bad cursor count")
	}
	st.Cursors = make(map[string]*tail.Cursor, nc)
	for range nc {
		key := string(d.bytes())
		c := &tail.Cursor{
			Dev: d.uvarint(), Ino: d.uvarint(), Size: d.varint(), ModNano: d.varint(), Offset: d.varint(),
			PrefixLen: int(d.uvarint()), PrefixHash: d.uvarint(), //nolint:gosec // bounded by prefixBytes when written
		}
		if state := d.bytes(); len(state) > 0 {
			c.State = state
		}
		st.Cursors[key] = c
	}
	count := d.uvarint()
	if d.err != nil {
		return nil, d.err
	}
	if count > MaxIdentities || uint64(len(d.b)) < count*entrySize || (!v3 && uint64(len(d.b)) != count*entrySize) {
		return nil, errors.New("bad identity table")
	}
	table := d.b[:count*entrySize]
	d.b = d.b[count*entrySize:]
	if v3 {
		if full := d.varint(); full != 0 {
			st.FullWalk = time.Unix(0, full)
		}
		nd := d.uvarint()
		if nd > uint64(len(d.b)) {
			return nil, errors.New("bad directory count")
		}
		for range nd {
			key := string(d.bytes())
			di := DirInfo{Agent: string(d.bytes()), Root: string(d.bytes()), Rel: string(d.bytes()), ModNano: d.varint()}
			st.Dirs[key] = di
		}
		if d.err != nil || len(d.b) != 0 {
			return nil, errors.New("bad directory table")
		}
	}
	d.b = table
	entries := make([]attribution.DedupEntry, count)
	le := binary.LittleEndian
	for i := range entries {
		b := d.b[i*entrySize:]
		entries[i] = attribution.DedupEntry{
			ID:   le.Uint64(b[0:]),
			Unix: int64(le.Uint64(b[8:])), //nolint:gosec // round-trips the int64 written by Save
			Usage: attribution.Usage{
				Input:      int64(le.Uint64(b[16:])), //nolint:gosec // as above
				CacheRead:  int64(le.Uint64(b[24:])), //nolint:gosec // as above
				CacheWrite: int64(le.Uint64(b[32:])), //nolint:gosec // as above
				Output:     int64(le.Uint64(b[40:])), //nolint:gosec // as above
				Reasoning:  int64(le.Uint64(b[48:])), //nolint:gosec // as above
			},
		}
	}
	st.Dedup.Restore(entries)
	return st, nil
}

// Save writes st atomically (temporary file and rename) after forgetting
// identities older than now-retention, or the oldest beyond MaxIdentities;
// State.Floor moves up accordingly.
func Save(path string, st *State, now time.Time, retention time.Duration) error {
	floor := now.Add(-retention)
	if floor.After(st.Floor) {
		st.Floor = floor
	}
	st.Dedup.Prune(st.Floor)
	entries := st.Dedup.Entries()
	if len(entries) > MaxIdentities {
		newest := slices.Clone(entries)
		slices.SortFunc(newest, func(a, b attribution.DedupEntry) int { return cmp.Compare(b.Unix, a.Unix) })
		st.Floor = time.Unix(newest[MaxIdentities-1].Unix, 0)
		st.Dedup.Prune(st.Floor)
		entries = st.Dedup.Entries()
	}
	size := len(stateMagic) + 16 + len(entries)*entrySize
	for k, c := range st.Cursors {
		size += len(k) + len(c.State) + 8*binary.MaxVarintLen64
	}
	for k, di := range st.Dirs {
		size += len(k) + len(di.Agent) + len(di.Root) + len(di.Rel) + 5*binary.MaxVarintLen64
	}
	buf := make([]byte, 0, size)
	buf = append(buf, stateMagic...)
	var floorNano int64
	if !st.Floor.IsZero() {
		floorNano = st.Floor.UnixNano()
	}
	buf = binary.AppendVarint(buf, floorNano)
	keys := make([]string, 0, len(st.Cursors))
	for k := range st.Cursors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	buf = binary.AppendUvarint(buf, uint64(len(keys)))
	for _, k := range keys {
		c := st.Cursors[k]
		buf = binary.AppendUvarint(buf, uint64(len(k)))
		buf = append(buf, k...)
		buf = binary.AppendUvarint(buf, c.Dev)
		buf = binary.AppendUvarint(buf, c.Ino)
		buf = binary.AppendVarint(buf, c.Size)
		buf = binary.AppendVarint(buf, c.ModNano)
		buf = binary.AppendVarint(buf, c.Offset)
		buf = binary.AppendUvarint(buf, uint64(c.PrefixLen)) //nolint:gosec // never negative
		buf = binary.AppendUvarint(buf, c.PrefixHash)
		buf = binary.AppendUvarint(buf, uint64(len(c.State)))
		buf = append(buf, c.State...)
	}
	le := binary.LittleEndian
	buf = binary.AppendUvarint(buf, uint64(len(entries)))
	for _, e := range entries {
		buf = le.AppendUint64(buf, e.ID)
		buf = le.AppendUint64(buf, uint64(e.Unix)) //nolint:gosec // stored as bits, read back as int64
		for _, v := range [...]int64{e.Usage.Input, e.Usage.CacheRead, e.Usage.CacheWrite, e.Usage.Output, e.Usage.Reasoning} {
			buf = le.AppendUint64(buf, uint64(v)) //nolint:gosec // as above
		}
	}
	var full int64
	if !st.FullWalk.IsZero() {
		full = st.FullWalk.UnixNano()
	}
	buf = binary.AppendVarint(buf, full)
	dkeys := make([]string, 0, len(st.Dirs))
	for k := range st.Dirs {
		dkeys = append(dkeys, k)
	}
	slices.Sort(dkeys)
	buf = binary.AppendUvarint(buf, uint64(len(dkeys)))
	for _, k := range dkeys {
		di := st.Dirs[k]
		for _, f := range []string{k, di.Agent, di.Root, di.Rel} {
			buf = binary.AppendUvarint(buf, uint64(len(f)))
			buf = append(buf, f...)
		}
		buf = binary.AppendVarint(buf, di.ModNano)
	}
	return writeAtomic(path, buf)
}

// writeAtomic replaces path with data through a temporary file and a rename,
// so a crash leaves either the old or the new state, never a torn one.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save scan state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".scan-state-*")
	if err != nil {
		return fmt.Errorf("save scan state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("save scan state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save scan state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save scan state: %w", err)
	}
	return nil
}
