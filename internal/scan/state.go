package scan

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Retention and size bounds of a persisted State.
const (
	// DefaultRetention is how long identities are remembered. Agents keep
	// history about as long (Claude Code deletes transcripts after 30 days).
	DefaultRetention = 35 * 24 * time.Hour
	// MaxIdentities caps the de-dup memory; the oldest are forgotten first.
	MaxIdentities = 2_000_000
)

const (
	stateMagic = "tokenyield-scan-state v1\n"
	entrySize  = 8 + 8 + 5*8
	maxHeader  = 256 << 20
)

type header struct {
	Floor   time.Time               `json:"floor"`
	Cursors map[string]*tail.Cursor `json:"cursors"`
}

// Load reads a state saved by Save. A missing file gives an empty state; a
// damaged one gives an empty state and an error saying so, so callers can
// start over safely.
func Load(path string) (*State, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return NewState(), nil
	}
	if err != nil {
		return NewState(), fmt.Errorf("open scan state: %w", err)
	}
	defer f.Close()
	st, err := decode(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return NewState(), fmt.Errorf("scan state %s is damaged, starting over: %w", path, err)
	}
	return st, nil
}

func decode(r io.Reader) (*State, error) {
	magic := make([]byte, len(stateMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != stateMagic {
		return nil, errors.New("not a scan state file")
	}
	var n uint64
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil || n > maxHeader {
		return nil, errors.New("bad header length")
	}
	hb := make([]byte, n)
	if _, err := io.ReadFull(r, hb); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	var count uint64
	if err := binary.Read(r, binary.LittleEndian, &count); err != nil || count > MaxIdentities {
		return nil, errors.New("bad identity count")
	}
	buf := make([]byte, int(count)*entrySize)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("identities: %w", err)
	}
	entries := make([]attribution.DedupEntry, count)
	le := binary.LittleEndian
	for i := range entries {
		b := buf[i*entrySize:]
		entries[i] = attribution.DedupEntry{
			ID:   le.Uint64(b[0:]),
			Unix: int64(le.Uint64(b[8:])),
			Usage: attribution.Usage{
				Input:      int64(le.Uint64(b[16:])),
				CacheRead:  int64(le.Uint64(b[24:])),
				CacheWrite: int64(le.Uint64(b[32:])),
				Output:     int64(le.Uint64(b[40:])),
				Reasoning:  int64(le.Uint64(b[48:])),
			},
		}
	}
	st := NewState()
	st.Floor = h.Floor
	if h.Cursors != nil {
		st.Cursors = h.Cursors
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
		sort.Slice(entries, func(i, j int) bool { return entries[i].Unix > entries[j].Unix })
		st.Floor = time.Unix(entries[MaxIdentities-1].Unix, 0)
		st.Dedup.Prune(st.Floor)
		entries = st.Dedup.Entries()
	}
	hb, err := json.Marshal(header{Floor: st.Floor, Cursors: st.Cursors})
	if err != nil {
		return fmt.Errorf("encode scan state: %w", err)
	}
	buf := make([]byte, 0, len(stateMagic)+16+len(hb)+len(entries)*entrySize)
	le := binary.LittleEndian
	buf = append(buf, stateMagic...)
	buf = le.AppendUint64(buf, uint64(len(hb)))
	buf = append(buf, hb...)
	buf = le.AppendUint64(buf, uint64(len(entries)))
	for _, e := range entries {
		buf = le.AppendUint64(buf, e.ID)
		buf = le.AppendUint64(buf, uint64(e.Unix))
		for _, v := range [...]int64{e.Usage.Input, e.Usage.CacheRead, e.Usage.CacheWrite, e.Usage.Output, e.Usage.Reasoning} {
			buf = le.AppendUint64(buf, uint64(v))
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save scan state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".scan-state-*")
	if err != nil {
		return fmt.Errorf("save scan state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf); err != nil {
		tmp.Close()
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
