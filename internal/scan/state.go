package scan

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
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
	stateMagic   = "tokenyield-scan-state v4\n"
	stateMagicV3 = "tokenyield-scan-state v3\n" // v4 without the generation
	stateMagicV2 = "tokenyield-scan-state v2\n" // v3 without the directory table
	entrySize    = 8 + 8 + 5*8
	maxField     = 64 << 20
	// JournalSuffix names the journal next to a state file.
	JournalSuffix = ".journal"
	// minJournalLimit is the journal size below which Save always appends;
	// above it, and above a quarter of the base file, Save rewrites the base.
	minJournalLimit = 256 << 10
	// maxBaseAge is how old the base may grow before Save rewrites it, so
	// that forgotten identities (see Save) leave the file at least daily.
	maxBaseAge = 24 * time.Hour
)

// persisted is what Load read, so that Save can append only the difference.
type persisted struct {
	gen         uint64 // the base's generation (its write time, Unix ns)
	baseSize    int64
	journalSize int64 // bytes of valid journal records
	cursors     map[string]tail.Cursor
	dirs        map[string]DirInfo
	floor       int64
	fullWalk    int64
}

// Load reads a state saved by Save: the base file at path and the journal
// records appended to path+JournalSuffix since. A missing file gives an
// empty state; a damaged base gives an empty state and an error saying so,
// so callers can start over safely. A damaged journal tail (a crash while
// appending) is dropped: the state is then the one of the last complete
// save, as with an atomic rewrite.
//
// Both files are binary so that the hook loads them in a few milliseconds.
// The base:
//
//	magic
//	generation (8 bytes little-endian: the Unix ns the base was written)
//	floor (varint Unix nanoseconds, 0 = none)
//	cursor count, then per cursor: key, dev, ino, size, mod, offset, prefix
//	length, prefix hash, parser state (strings and byte slices length-prefixed)
//	identity count, then fixed 56-byte little-endian entries sorted by ID
//	last full walk (varint Unix ns), directory count, then per directory:
//	key, agent, root, rel, modification time
//
// A journal record is its payload length (uvarint), the payload and its
// CRC-32C (4 bytes little-endian). The payload is the base's generation (8
// bytes; records of another generation are ignored), floor, last full walk,
// the cursors set (count, then key and fields as in the base), the cursor
// keys removed, the directories set and removed the same way, and the
// identities added or raised (count, then 56-byte entries).
func Load(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return NewState(), nil
	}
	if err != nil {
		return NewState(), fmt.Errorf("read scan state: %w", err)
	}
	st, gen, err := decode(data)
	if err != nil {
		return NewState(), fmt.Errorf("scan state %s is damaged, starting over: %w", path, err)
	}
	if gen == 0 { // an older format: no journal; the next Save rewrites it
		return st, nil
	}
	journal, err := os.ReadFile(path + JournalSuffix)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return NewState(), fmt.Errorf("read scan state journal: %w", err)
	}
	valid, whole := applyJournal(st, gen, journal)
	st.Dedup.Track()
	if !whole {
		return st, nil // a torn or stale journal: the next Save rewrites the base
	}
	p := &persisted{gen: gen, baseSize: int64(len(data)), journalSize: int64(valid),
		cursors: make(map[string]tail.Cursor, len(st.Cursors)), dirs: maps.Clone(st.Dirs),
		floor: unixNano(st.Floor), fullWalk: unixNano(st.FullWalk)}
	for k, c := range st.Cursors {
		p.cursors[k] = *c
	}
	st.persisted = p
	return st, nil
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
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

func (d *decoder) fixed64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.err = errors.New("truncated number")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
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

// count reads a count of items of at least min bytes each.
func (d *decoder) count(minSize int) uint64 {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)/minSize) {
		d.err = errors.New("bad count")
		return 0
	}
	return n
}

// cursor reads a cursor into c.
func (d *decoder) cursor(c *tail.Cursor) *tail.Cursor {
	*c = tail.Cursor{
		Dev: d.uvarint(), Ino: d.uvarint(), Size: d.varint(), ModNano: d.varint(), Offset: d.varint(),
		PrefixLen: int(d.uvarint()), PrefixHash: d.uvarint(), //nolint:gosec // bounded by prefixBytes when written
	}
	if state := d.bytes(); len(state) > 0 {
		c.State = state
	}
	return c
}

func (d *decoder) dir() DirInfo {
	return DirInfo{Agent: string(d.bytes()), Root: string(d.bytes()), Rel: string(d.bytes()), ModNano: d.varint()}
}

// entries reads n fixed-size identity entries.
func (d *decoder) entries(n uint64) []attribution.DedupEntry {
	if d.err != nil {
		return nil
	}
	if n > MaxIdentities || uint64(len(d.b)) < n*entrySize {
		d.err = errors.New("bad identity table")
		return nil
	}
	out := make([]attribution.DedupEntry, n)
	le := binary.LittleEndian
	for i := range out {
		b := d.b[i*entrySize:]
		out[i] = attribution.DedupEntry{
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
	d.b = d.b[n*entrySize:]
	return out
}

// decode reads a base file; gen is 0 for the formats before v4.
func decode(data []byte) (st *State, gen uint64, err error) {
	var version int
	switch {
	case bytes.HasPrefix(data, []byte(stateMagic)):
		version = 4
	case bytes.HasPrefix(data, []byte(stateMagicV3)):
		version = 3
	case bytes.HasPrefix(data, []byte(stateMagicV2)):
		version = 2
	default:
		return nil, 0, errors.New("not a scan state file")
	}
	d := &decoder{b: data[len(stateMagic):]}
	if version >= 4 {
		if gen = d.fixed64(); gen == 0 && d.err == nil {
			return nil, 0, errors.New("bad generation")
		}
	}
	st = NewState()
	st.Floor = fromUnixNano(d.varint())
	nc := d.count(8)
	st.Cursors = make(map[string]*tail.Cursor, nc)
	slab := make([]tail.Cursor, nc) // one allocation for all cursors
	for i := range slab {
		key := string(d.bytes())
		st.Cursors[key] = d.cursor(&slab[i])
	}
	entries := d.entries(d.uvarint())
	if version >= 3 {
		st.FullWalk = fromUnixNano(d.varint())
		nd := d.count(5)
		for range nd {
			key := string(d.bytes())
			st.Dirs[key] = d.dir()
		}
	}
	if d.err != nil {
		return nil, 0, d.err
	}
	if len(d.b) != 0 {
		return nil, 0, errors.New("trailing bytes")
	}
	st.Dedup.Restore(entries)
	return st, gen, nil
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// applyJournal applies the journal's records of generation gen to st. It
// returns the length of the valid records and whether that is the whole
// journal (false: a torn last record or a journal of another base).
func applyJournal(st *State, gen uint64, journal []byte) (valid int, whole bool) {
	var entries []attribution.DedupEntry
	defer func() { st.Dedup.Restore(entries) }() // once: Restore sizes its map
	for valid < len(journal) {
		n, k := binary.Uvarint(journal[valid:])
		if k <= 0 || n > uint64(len(journal)-valid-k) || uint64(len(journal)-valid-k)-n < 4 {
			return valid, false
		}
		payload := journal[valid+k : valid+k+int(n)] //nolint:gosec // n < len(journal), checked above
		sum := binary.LittleEndian.Uint32(journal[valid+k+int(n):])
		if crc32.Checksum(payload, crcTable) != sum {
			return valid, false
		}
		recEntries, ok := applyRecord(st, gen, payload)
		if !ok {
			return valid, false
		}
		entries = append(entries, recEntries...)
		valid += k + int(n) + 4
	}
	return valid, true
}

// applyRecord applies one journal record but its identities, which it
// returns; false when the record belongs to another base generation or does
// not parse (then st is unchanged).
func applyRecord(st *State, gen uint64, payload []byte) ([]attribution.DedupEntry, bool) {
	d := &decoder{b: payload}
	if d.fixed64() != gen {
		return nil, false
	}
	floor, full := d.varint(), d.varint()
	cursors := map[string]*tail.Cursor{}
	for range d.count(8) {
		key := string(d.bytes())
		cursors[key] = d.cursor(new(tail.Cursor))
	}
	var goneCursors []string
	for range d.count(1) {
		goneCursors = append(goneCursors, string(d.bytes()))
	}
	dirs := map[string]DirInfo{}
	for range d.count(5) {
		key := string(d.bytes())
		dirs[key] = d.dir()
	}
	var goneDirs []string
	for range d.count(1) {
		goneDirs = append(goneDirs, string(d.bytes()))
	}
	entries := d.entries(d.uvarint())
	if d.err != nil || len(d.b) != 0 {
		return nil, false
	}
	st.Floor, st.FullWalk = fromUnixNano(floor), fromUnixNano(full)
	maps.Copy(st.Cursors, cursors)
	for _, k := range goneCursors {
		delete(st.Cursors, k)
	}
	maps.Copy(st.Dirs, dirs)
	for _, k := range goneDirs {
		delete(st.Dirs, k)
	}
	return entries, true
}

// Save persists st. Usually it appends what changed since Load to the
// journal, which costs little whatever the state's size. It rewrites the
// base atomically (temporary file and rename) instead, and empties the
// journal, when st was not loaded from the current base, the journal has
// grown past max(256 KiB, a quarter of the base), the base is a day old, or
// the identities pass MaxIdentities. A rewrite forgets identities older than
// now-retention, or the oldest beyond MaxIdentities; State.Floor moves up
// accordingly (and is recorded by every save).
func Save(path string, st *State, now time.Time, retention time.Duration) error {
	floor := now.Add(-retention)
	if floor.After(st.Floor) {
		st.Floor = floor
	}
	p := st.persisted
	st.persisted = nil                                                // what was loaded is no longer what is on disk
	if p != nil && now.Sub(time.Unix(0, int64(p.gen))) < maxBaseAge { //nolint:gosec // a Unix ns time written by Save
		rec := journalRecord(st, p)
		if limit := max(minJournalLimit, p.baseSize/4); p.journalSize+int64(len(rec)) <= limit && st.Dedup.Len() <= MaxIdentities {
			return appendJournal(path+JournalSuffix, rec)
		}
	}
	return saveBase(path, st, now)
}

// journalRecord encodes what changed in st since p was loaded.
func journalRecord(st *State, p *persisted) []byte {
	payload := binary.LittleEndian.AppendUint64(nil, p.gen)
	payload = binary.AppendVarint(payload, unixNano(st.Floor))
	payload = binary.AppendVarint(payload, unixNano(st.FullWalk))
	var set, gone []string
	for k, c := range st.Cursors {
		if old, ok := p.cursors[k]; !ok || !sameCursor(old, *c) {
			set = append(set, k)
		}
	}
	for k := range p.cursors {
		if _, ok := st.Cursors[k]; !ok {
			gone = append(gone, k)
		}
	}
	slices.Sort(set)
	slices.Sort(gone)
	payload = binary.AppendUvarint(payload, uint64(len(set)))
	for _, k := range set {
		payload = appendCursor(payload, k, st.Cursors[k])
	}
	payload = appendStrings(payload, gone)
	set, gone = set[:0], gone[:0]
	for k, di := range st.Dirs {
		if old, ok := p.dirs[k]; !ok || old != di {
			set = append(set, k)
		}
	}
	for k := range p.dirs {
		if _, ok := st.Dirs[k]; !ok {
			gone = append(gone, k)
		}
	}
	slices.Sort(set)
	slices.Sort(gone)
	payload = binary.AppendUvarint(payload, uint64(len(set)))
	for _, k := range set {
		payload = appendDir(payload, k, st.Dirs[k])
	}
	payload = appendStrings(payload, gone)
	payload = appendEntries(payload, st.Dedup.Changes())
	rec := binary.AppendUvarint(make([]byte, 0, len(payload)+binary.MaxVarintLen64+4), uint64(len(payload)))
	rec = append(rec, payload...)
	return binary.LittleEndian.AppendUint32(rec, crc32.Checksum(payload, crcTable))
}

func sameCursor(a, b tail.Cursor) bool {
	return a.Dev == b.Dev && a.Ino == b.Ino && a.Size == b.Size && a.ModNano == b.ModNano && a.Offset == b.Offset &&
		a.PrefixLen == b.PrefixLen && a.PrefixHash == b.PrefixHash && bytes.Equal(a.State, b.State)
}

func appendBytes(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

func appendStrings(buf []byte, ss []string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(ss)))
	for _, s := range ss {
		buf = appendBytes(buf, s)
	}
	return buf
}

func appendCursor(buf []byte, key string, c *tail.Cursor) []byte {
	buf = appendBytes(buf, key)
	buf = binary.AppendUvarint(buf, c.Dev)
	buf = binary.AppendUvarint(buf, c.Ino)
	buf = binary.AppendVarint(buf, c.Size)
	buf = binary.AppendVarint(buf, c.ModNano)
	buf = binary.AppendVarint(buf, c.Offset)
	buf = binary.AppendUvarint(buf, uint64(c.PrefixLen)) //nolint:gosec // never negative
	buf = binary.AppendUvarint(buf, c.PrefixHash)
	buf = binary.AppendUvarint(buf, uint64(len(c.State)))
	return append(buf, c.State...)
}

func appendDir(buf []byte, key string, di DirInfo) []byte {
	for _, f := range [...]string{key, di.Agent, di.Root, di.Rel} {
		buf = appendBytes(buf, f)
	}
	return binary.AppendVarint(buf, di.ModNano)
}

func appendEntries(buf []byte, entries []attribution.DedupEntry) []byte {
	le := binary.LittleEndian
	buf = binary.AppendUvarint(buf, uint64(len(entries)))
	for _, e := range entries {
		buf = le.AppendUint64(buf, e.ID)
		buf = le.AppendUint64(buf, uint64(e.Unix)) //nolint:gosec // stored as bits, read back as int64
		for _, v := range [...]int64{e.Usage.Input, e.Usage.CacheRead, e.Usage.CacheWrite, e.Usage.Output, e.Usage.Reasoning} {
			buf = le.AppendUint64(buf, uint64(v)) //nolint:gosec // as above
		}
	}
	return buf
}

// appendJournal appends one record. A crash mid-write leaves a torn record
// that Load drops.
func appendJournal(path string, rec []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("save scan state: %w", err)
	}
	if _, err := f.Write(rec); err != nil {
		_ = f.Close()
		return fmt.Errorf("save scan state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save scan state: %w", err)
	}
	return nil
}

// saveBase rewrites the base file (a new generation) and removes the
// journal. A crash between the two leaves a journal of the old generation,
// which Load ignores.
func saveBase(path string, st *State, now time.Time) error {
	st.Dedup.Prune(st.Floor)
	entries := st.Dedup.Entries()
	if len(entries) > MaxIdentities {
		newest := slices.Clone(entries)
		slices.SortFunc(newest, func(a, b attribution.DedupEntry) int { return cmp.Compare(b.Unix, a.Unix) })
		st.Floor = time.Unix(newest[MaxIdentities-1].Unix, 0)
		st.Dedup.Prune(st.Floor)
		entries = st.Dedup.Entries()
	}
	size := len(stateMagic) + 32 + len(entries)*entrySize
	for k, c := range st.Cursors {
		size += len(k) + len(c.State) + 8*binary.MaxVarintLen64
	}
	for k, di := range st.Dirs {
		size += len(k) + len(di.Agent) + len(di.Root) + len(di.Rel) + 5*binary.MaxVarintLen64
	}
	buf := make([]byte, 0, size)
	buf = append(buf, stateMagic...)
	gen := uint64(max(now.UnixNano(), 1)) //nolint:gosec // positive
	buf = binary.LittleEndian.AppendUint64(buf, gen)
	buf = binary.AppendVarint(buf, unixNano(st.Floor))
	keys := slices.Sorted(maps.Keys(st.Cursors))
	buf = binary.AppendUvarint(buf, uint64(len(keys)))
	for _, k := range keys {
		buf = appendCursor(buf, k, st.Cursors[k])
	}
	buf = appendEntries(buf, entries)
	buf = binary.AppendVarint(buf, unixNano(st.FullWalk))
	dkeys := slices.Sorted(maps.Keys(st.Dirs))
	buf = binary.AppendUvarint(buf, uint64(len(dkeys)))
	for _, k := range dkeys {
		buf = appendDir(buf, k, st.Dirs[k])
	}
	if err := writeAtomic(path, buf); err != nil {
		return err
	}
	if err := os.Remove(path + JournalSuffix); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("save scan state: %w", err)
	}
	return nil
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
