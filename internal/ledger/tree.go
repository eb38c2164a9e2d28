package ledger

import (
	"fmt"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// maxFlatNotes is the number of notes a tree holds without fan-out. Beyond
// it a flat tree is rewritten with one level of 2-hex-digit directories, as
// git does for large notes trees.
const maxFlatNotes = 256

// emptyTreeHash is git's empty tree, the tree of a notes commit without notes.
var emptyTreeHash = plumbing.NewHash("4b825dc642cb6eb9a060e54bf8d69288fbee4904")

// hexLen is the length of a commit id in hex (SHA-1).
const hexLen = 2 * len(plumbing.Hash{})

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}

// isFanoutDir reports whether e is a fan-out directory at a level whose
// entries complete a commit id of prefixLen hex digits.
func isFanoutDir(e object.TreeEntry, prefixLen int) bool {
	return e.Mode == filemode.Dir && len(e.Name) == 2 && prefixLen+2 < hexLen && isLowerHex(e.Name)
}

// isNoteName reports whether e's name completes a commit id after prefixLen
// hex digits (git reads a note from any entry so named; a non-blob entry is
// a bad note).
func isNoteName(e object.TreeEntry, prefixLen int) bool {
	return len(e.Name) == hexLen-prefixLen && isLowerHex(e.Name) && e.Mode != filemode.Dir
}

func (l *Ledger) tree(h plumbing.Hash) ([]object.TreeEntry, error) {
	if h.IsZero() {
		return nil, nil
	}
	t, err := object.GetTree(l.st, h)
	if err != nil {
		return nil, fmt.Errorf("read notes tree %s: %w", h, err)
	}
	return t.Entries, nil
}

// lookup finds commit's note in a notes tree of any fan-out layout, as git
// does: at each level an entry named by the rest of the id, or a 2-digit
// directory to descend into.
func (l *Ledger) lookup(root, commit plumbing.Hash) (object.TreeEntry, bool, error) {
	rest := commit.String()
	h := root
	for prefixLen := 0; ; prefixLen += 2 {
		entries, err := l.tree(h)
		if err != nil {
			return object.TreeEntry{}, false, err
		}
		var next plumbing.Hash
		for _, e := range entries {
			if e.Name == rest && e.Mode != filemode.Dir {
				return e, true, nil
			}
			if e.Name == rest[:2] && isFanoutDir(e, prefixLen) {
				next = e.Hash
			}
		}
		if next.IsZero() {
			return object.TreeEntry{}, false, nil
		}
		h, rest = next, rest[2:]
	}
}

// entries returns every note entry of a notes tree by annotated commit. When
// a commit has entries at several depths the shallowest wins.
func (l *Ledger) entries(root plumbing.Hash) (map[plumbing.Hash]object.TreeEntry, error) {
	out := map[plumbing.Hash]object.TreeEntry{}
	var walk func(h plumbing.Hash, prefix string) error
	walk = func(h plumbing.Hash, prefix string) error {
		entries, err := l.tree(h)
		if err != nil {
			return err
		}
		var dirs []object.TreeEntry
		for _, e := range entries {
			switch {
			case isNoteName(e, len(prefix)):
				c := plumbing.NewHash(prefix + e.Name)
				if _, dup := out[c]; !dup {
					out[c] = e
				}
			case isFanoutDir(e, len(prefix)):
				dirs = append(dirs, e)
			}
		}
		for _, d := range dirs {
			if err := walk(d.Hash, prefix+d.Name); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(root, "")
}

// fanoutDepth returns the number of fan-out levels of an existing notes tree,
// following its first directory at each level.
func (l *Ledger) fanoutDepth(entries []object.TreeEntry) (int, error) {
	depth := 0
	for {
		var next plumbing.Hash
		for _, e := range entries {
			if isFanoutDir(e, 2*depth) {
				next = e.Hash
				break
			}
		}
		if next.IsZero() {
			return depth, nil
		}
		depth++
		var err error
		if entries, err = l.tree(next); err != nil {
			return 0, err
		}
	}
}

// applyChanges returns the notes tree root with changes applied: each
// commit's note set to the blob, or removed when the blob is zero. Existing
// notes stay where they are; new notes go to the tree's fan-out depth. A
// flat tree that would exceed maxFlatNotes is rewritten with one fan-out
// level. An empty result is the empty tree.
func (l *Ledger) applyChanges(root plumbing.Hash, changes map[plumbing.Hash]plumbing.Hash) (plumbing.Hash, error) {
	entries, err := l.tree(root)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	depth, err := l.fanoutDepth(entries)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	byName := make(map[string]plumbing.Hash, len(changes))
	for c, b := range changes {
		byName[c.String()] = b
	}
	convert := false
	if depth == 0 {
		count := 0
		flat := map[string]bool{}
		for _, e := range entries {
			if isNoteName(e, 0) {
				count++
				flat[e.Name] = true
			}
		}
		for name, b := range byName {
			switch {
			case b.IsZero() && flat[name]:
				count--
			case !b.IsZero() && !flat[name]:
				count++
			}
		}
		if count > maxFlatNotes {
			depth, convert = 1, true
		}
	}
	h, err := l.updateLevel(root, entries, "", byName, depth, convert)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if h.IsZero() {
		return l.storeTree(nil, plumbing.ZeroHash)
	}
	return h, nil
}

// updateLevel applies changes, keyed by the rest of the commit id after
// prefix, to the tree h (entries), and returns the new tree's hash, or zero
// when it ends up empty.
func (l *Ledger) updateLevel(h plumbing.Hash, entries []object.TreeEntry, prefix string, changes map[string]plumbing.Hash, depth int, convert bool) (plumbing.Hash, error) {
	level := len(prefix) / 2
	out := make(map[string]object.TreeEntry, len(entries)+len(changes))
	for _, e := range entries {
		out[e.Name] = e
	}
	if convert {
		// Move every flat note down one level, unless it is being changed.
		moved := make(map[string]plumbing.Hash, len(changes)+len(entries))
		for name, e := range out {
			if isNoteName(e, len(prefix)) {
				moved[name] = e.Hash
				delete(out, name)
			}
		}
		for name, b := range changes {
			moved[name] = b
		}
		changes = moved
	}
	sub := map[string]map[string]plumbing.Hash{}
	toSub := func(dir, rest string, blob plumbing.Hash) {
		if sub[dir] == nil {
			sub[dir] = map[string]plumbing.Hash{}
		}
		sub[dir][rest] = blob
	}
	for rest, blob := range changes {
		dir := rest[:2]
		d, ok := out[dir]
		hasDir := ok && isFanoutDir(d, len(prefix))
		if e, ok := out[rest]; ok && e.Mode != filemode.Dir {
			if blob.IsZero() {
				delete(out, rest)
			} else {
				out[rest] = object.TreeEntry{Name: rest, Mode: filemode.Regular, Hash: blob}
			}
			if hasDir {
				toSub(dir, rest[2:], plumbing.ZeroHash) // drop a duplicate deeper
			}
			continue
		}
		switch {
		case hasDir:
			toSub(dir, rest[2:], blob)
		case blob.IsZero():
		case level < depth && len(prefix)+2 < hexLen:
			toSub(dir, rest[2:], blob)
		default:
			out[rest] = object.TreeEntry{Name: rest, Mode: filemode.Regular, Hash: blob}
		}
	}
	dirs := make([]string, 0, len(sub))
	for dir := range sub {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		var old plumbing.Hash
		if d, ok := out[dir]; ok && isFanoutDir(d, len(prefix)) {
			old = d.Hash
		}
		subEntries, err := l.tree(old)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		nh, err := l.updateLevel(old, subEntries, prefix+dir, sub[dir], depth, false)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if nh.IsZero() {
			delete(out, dir)
		} else {
			out[dir] = object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: nh}
		}
	}
	if len(out) == 0 {
		return plumbing.ZeroHash, nil
	}
	list := make([]object.TreeEntry, 0, len(out))
	for _, e := range out {
		list = append(list, e)
	}
	return l.storeTree(list, h)
}

// storeTree writes a tree of entries (in any order) unless its hash is old.
func (l *Ledger) storeTree(entries []object.TreeEntry, old plumbing.Hash) (plumbing.Hash, error) {
	sort.Sort(object.TreeEntrySorter(entries))
	obj := l.st.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode notes tree: %w", err)
	}
	if obj.Hash() == old {
		return old, nil
	}
	h, err := l.st.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write notes tree: %w", err)
	}
	return h, nil
}
