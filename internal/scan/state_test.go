package scan

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// sameState reports how want and got differ ("" when they do not).
func sameState(want, got *State) string {
	switch {
	case !want.Floor.Equal(got.Floor):
		return "floor " + got.Floor.String() + ", want " + want.Floor.String()
	case !want.FullWalk.Equal(got.FullWalk):
		return "full walk " + got.FullWalk.String() + ", want " + want.FullWalk.String()
	case !maps.EqualFunc(want.Cursors, got.Cursors, func(a, b *tail.Cursor) bool { return sameCursor(*a, *b) }):
		return "cursors differ"
	case !maps.Equal(want.Dirs, got.Dirs):
		return "directories differ"
	case !slices.Equal(want.Dedup.Entries(), got.Dedup.Entries()):
		return "identities differ"
	}
	return ""
}

func observe(st *State, key string, output int64, at time.Time) {
	st.Dedup.Observe(attribution.Event{Agent: "kv", Key: key, Time: at, Usage: attribution.Usage{Output: output}})
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return -1
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// journalState saves a base, then changes every kind of field and saves
// twice more; the second and third saves must go to the journal.
func journalState(t *testing.T, path string, now time.Time) *State {
	t.Helper()
	st := NewState()
	st.Cursors["kv\x00/a"] = &tail.Cursor{Size: 10, Offset: 10}
	st.Cursors["kv\x00/b"] = &tail.Cursor{Size: 5, Offset: 5, State: []byte("s1")}
	st.Cursors["kv\x00/gone"] = &tail.Cursor{Size: 1, Offset: 1}
	st.Dirs["kv\x00/d1"] = DirInfo{Agent: "kv", Root: "/", Rel: "d1", ModNano: 1}
	st.Dirs["kv\x00/d2"] = DirInfo{Agent: "kv", Root: "/", Rel: "d2", ModNano: 2}
	st.FullWalk = now.Add(-time.Minute)
	observe(st, "k1", 3, now)
	observe(st, "k2", 4, now)
	if err := Save(path, st, now, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	base, _ := os.ReadFile(path)

	st, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	st.Cursors["kv\x00/a"].Offset, st.Cursors["kv\x00/a"].Size = 20, 20 // moved
	st.Cursors["kv\x00/b"].State = []byte("s2")                         // parser state only
	delete(st.Cursors, "kv\x00/gone")
	st.Cursors["kv\x00/new"] = &tail.Cursor{Size: 7, Offset: 7}
	st.Dirs["kv\x00/d1"] = DirInfo{Agent: "kv", Root: "/", Rel: "d1", ModNano: 9}
	delete(st.Dirs, "kv\x00/d2")
	st.Dirs["kv\x00/d3"] = DirInfo{Agent: "kv", Root: "/", Rel: "d3", ModNano: 3}
	st.FullWalk = now
	observe(st, "k2", 6, now.Add(time.Minute)) // raised
	observe(st, "k3", 5, now.Add(time.Minute)) // new
	if err := Save(path, st, now.Add(time.Minute), DefaultRetention); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, base) || fileSize(t, path+JournalSuffix) <= 0 {
		t.Fatalf("the second save rewrote the base (journal size %d)", fileSize(t, path+JournalSuffix))
	}

	st, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	st.Cursors["kv\x00/new"].Offset = 8
	observe(st, "k4", 1, now.Add(2*time.Minute))
	if err := Save(path, st, now.Add(2*time.Minute), DefaultRetention); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, base) {
		t.Fatal("the third save rewrote the base")
	}
	return st
}

func TestStateJournal(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	path := filepath.Join(t.TempDir(), "state")
	want := journalState(t, path, now)
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := sameState(want, got); d != "" {
		t.Fatalf("base + journal: %s", d)
	}
	if u, _ := got.Dedup.Seen("kv", "k2"); u.Output != 6 {
		t.Fatalf("raised identity k2 = %d, want 6", u.Output)
	}

	// A save without a load (a state made from scratch) rewrites the base.
	if err := Save(path, want, now, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	if n := fileSize(t, path+JournalSuffix); n != -1 {
		t.Fatalf("journal left after a rewrite: %d bytes", n)
	}
	if got, err := Load(path); err != nil || sameState(want, got) != "" {
		t.Fatalf("after the rewrite: %v %s", err, sameState(want, got))
	}
}

func TestStateJournalDamage(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	dir := t.TempDir()
	path := filepath.Join(dir, "state")
	want := journalState(t, path, now)
	journal, _ := os.ReadFile(path + JournalSuffix)
	base, _ := os.ReadFile(path)

	// The journal with its records' generation changed and checksums
	// recomputed, as left by a crash between a base rewrite and the journal
	// removal.
	var otherGen []byte
	for rest := journal; len(rest) > 0; {
		n, k := binary.Uvarint(rest)
		payload := bytes.Clone(rest[k : k+int(n)])
		payload[0]++
		otherGen = binary.AppendUvarint(otherGen, n)
		otherGen = append(otherGen, payload...)
		otherGen = binary.LittleEndian.AppendUint32(otherGen, crc32.Checksum(payload, crcTable))
		rest = rest[k+int(n)+4:]
	}
	tests := []struct {
		name    string
		journal []byte
		full    bool // the whole state (both records) must load
	}{
		{"whole", journal, true},
		{"torn last record", journal[:len(journal)-3], false},
		{"flipped bit in the last record", append(bytes.Clone(journal[:len(journal)-1]), journal[len(journal)-1]^1), false},
		{"garbage appended", append(bytes.Clone(journal), 0xff, 0xff), true},
		{"stale generation", otherGen, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "state")
			_ = os.WriteFile(p, base, 0o600)
			_ = os.WriteFile(p+JournalSuffix, tt.journal, 0o600)
			got, err := Load(p)
			if err != nil {
				t.Fatalf("a damaged journal must not fail the load: %v", err)
			}
			if d := sameState(want, got); (d == "") != tt.full {
				t.Fatalf("whole state loaded = %v, want %v (%s)", d == "", tt.full, d)
			}
			// Whatever was lost, the next save rewrites the base and drops the
			// journal, so later appends are never hidden behind damage.
			if got.persisted != nil && !tt.full {
				t.Fatal("a damaged journal must make the next save rewrite the base")
			}
			if err := Save(p, got, now.Add(3*time.Minute), DefaultRetention); err != nil {
				t.Fatal(err)
			}
			again, err := Load(p)
			if err != nil || sameState(got, again) != "" {
				t.Fatalf("after saving the recovered state: %v %s", err, sameState(got, again))
			}
		})
	}
}

func TestStateJournalCompaction(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	path := filepath.Join(t.TempDir(), "state")
	st := NewState()
	st.Cursors["kv\x00/a"] = &tail.Cursor{Size: 1, Offset: 1}
	if err := Save(path, st, now, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	base, _ := os.ReadFile(path)
	// Each save adds 1,000 identities (56 KB): the journal takes four, the
	// fifth passes 256 KiB and rewrites the base.
	id := 0
	for round := 1; round <= 5; round++ {
		st, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		for range 1000 {
			id++
			observe(st, "id"+strconv.Itoa(id), 1, now)
		}
		if err := Save(path, st, now.Add(time.Duration(round)*time.Second), DefaultRetention); err != nil {
			t.Fatal(err)
		}
		after, _ := os.ReadFile(path)
		rewritten := !bytes.Equal(after, base)
		if rewritten != (round == 5) {
			t.Fatalf("round %d: base rewritten = %v (journal %d bytes)", round, rewritten, fileSize(t, path+JournalSuffix))
		}
	}
	st, err := Load(path)
	if err != nil || st.Dedup.Len() != 5000 || fileSize(t, path+JournalSuffix) != -1 {
		t.Fatalf("after compaction: %v, %d identities, journal %d", err, st.Dedup.Len(), fileSize(t, path+JournalSuffix))
	}

	// A day-old base is rewritten, which forgets identities past retention.
	observe(st, "late", 1, now.Add(maxBaseAge+30*time.Minute))
	if err := Save(path, st, now.Add(maxBaseAge+time.Hour), time.Hour); err != nil {
		t.Fatal(err)
	}
	if fileSize(t, path+JournalSuffix) != -1 {
		t.Fatal("a day-old base must be rewritten")
	}
	if st, _ := Load(path); st.Dedup.Len() != 1 {
		t.Fatalf("identities after the rewrite = %d, want 1", st.Dedup.Len())
	}
}

// A v3 file (before the journal) still loads, and the next save upgrades it.
func TestStateReadsV3(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	path := filepath.Join(t.TempDir(), "state")
	st := NewState()
	st.Cursors["kv\x00/a"] = &tail.Cursor{Size: 1, Offset: 1}
	st.Dirs["kv\x00/d"] = DirInfo{Agent: "kv", Root: "/", Rel: "d", ModNano: 4}
	st.FullWalk = now
	observe(st, "k", 2, now)
	if err := Save(path, st, now, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	v4, _ := os.ReadFile(path)
	v3 := append([]byte(stateMagicV3), v4[len(stateMagic)+8:]...)
	_ = os.WriteFile(path, v3, 0o600)
	got, err := Load(path)
	if err != nil || sameState(st, got) != "" || got.persisted != nil {
		t.Fatalf("v3: %v %s persisted=%v", err, sameState(st, got), got.persisted != nil)
	}
	if err := Save(path, got, now, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, []byte(stateMagic)) {
		t.Fatal("not upgraded to v4")
	}
}

func FuzzLoadState(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "seed")
	now := time.Now().Truncate(time.Second)
	st := NewState()
	st.Cursors["kv\x00/a"] = &tail.Cursor{Size: 1, Offset: 1}
	observe(st, "k", 2, now)
	if err := Save(path, st, now, DefaultRetention); err != nil {
		f.Fatal(err)
	}
	base, _ := os.ReadFile(path)
	st, _ = Load(path)
	observe(st, "k2", 2, now)
	if err := Save(path, st, now, DefaultRetention); err != nil {
		f.Fatal(err)
	}
	journal, _ := os.ReadFile(path + JournalSuffix)
	f.Add(base, journal)
	f.Add([]byte(stateMagic), []byte{})
	f.Fuzz(func(t *testing.T, base, journal []byte) {
		p := filepath.Join(t.TempDir(), "state")
		_ = os.WriteFile(p, base, 0o600)
		_ = os.WriteFile(p+JournalSuffix, journal, 0o600)
		st, _ := Load(p) // must not panic
		if st == nil {
			t.Fatal("nil state")
		}
	})
}
