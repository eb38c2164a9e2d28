package ledger

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

	"github.com/tokenyield/tokenyield/attribution"
)

// NotesRef is the ref whose commits hold the tokenyield notes.
const NotesRef = "refs/notes/tokenyield"

// Commit messages of the notes commits Ledger writes.
const (
	msgAdded   = "Notes added by tokenyield\n"
	msgRemoved = "Notes removed by tokenyield\n"
	msgMerged  = "Notes merged by tokenyield\n"
)

// casAttempts bounds how often an update is rebuilt when the ref moved
// between reading it and swapping it.
const casAttempts = 8

// lockTimeout bounds the wait for the ref lock held by another writer (a
// writer holds it for a few milliseconds).
var lockTimeout = 5 * time.Second

// ErrLocked reports a notes ref lock that stayed taken for lockTimeout.
var ErrLocked = errors.New("notes ref is locked")

// Ledger reads and writes the notes of one repository. Its methods are safe
// for concurrent use; writers in other Ledgers, processes and worktrees are
// coordinated through the ref lock and compare-and-swap.
type Ledger struct {
	mu sync.Mutex
	st *filesystem.Storage
	fs billy.Filesystem
	// commonDir is the git directory shared by all worktrees (for messages).
	commonDir string
	// now returns commit times; tests replace it.
	now func() time.Time
	// deadline, when set, ends waits for a lock earlier than lockTimeout.
	deadline time.Time
}

// SetDeadline makes writes give up waiting for the notes ref lock at t (a
// hook's time budget), instead of after the default 5 seconds.
func (l *Ledger) SetDeadline(t time.Time) { l.deadline = t }

// Open opens the repository containing dir (dir may be a subdirectory, a
// linked worktree, or a bare repository's directory). Notes and objects are read from and
// written to the common git directory shared by all worktrees. Close the
// Ledger when done.
//
// It finds the git directory itself rather than through go-git's top-level
// package, which would link (and initialise, on every hook run) the
// transports and signing code this package never uses.
func Open(dir string) (*Ledger, error) {
	gitDir, err := findGitDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open git repository at %s: %w", dir, err)
	}
	fs := osfs.New(gitDir)
	common := commonDir(gitDir)
	if common != gitDir {
		if _, err := os.Stat(common); err != nil {
			return nil, fmt.Errorf("open git repository at %s: common git directory: %w", dir, err)
		}
		fs = dotgit.NewRepositoryFilesystem(fs, osfs.New(common))
	}
	st := filesystem.NewStorageWithOptions(fs, cache.NewObjectLRUDefault(), filesystem.Options{KeepDescriptors: true})
	return &Ledger{st: st, fs: fs, commonDir: common, now: time.Now}, nil
}

// ErrNotRepository is returned by Open for a directory in no repository.
var ErrNotRepository = errors.New("not a git repository")

// findGitDir returns the git directory of the repository containing dir:
// the first ".git" directory, or ".git" file ("gitdir: PATH", as in linked
// worktrees and submodules), found walking up from dir; or dir itself when it
// is a git directory (a bare repository).
func findGitDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; {
		dot := filepath.Join(d, ".git")
		fi, err := os.Stat(dot)
		switch {
		case err == nil && fi.IsDir():
			return dot, nil
		case err == nil:
			return readGitFile(dot)
		case !errors.Is(err, os.ErrNotExist):
			return "", err
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if isGitDir(abs) {
		return abs, nil
	}
	return "", ErrNotRepository
}

// readGitFile resolves a ".git" file's "gitdir: PATH" line.
func readGitFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	target, ok := strings.CutPrefix(strings.TrimSpace(line), "gitdir:")
	target = strings.TrimSpace(target)
	if !ok || target == "" {
		return "", fmt.Errorf("%s: not a gitdir file", path)
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(path), target)
	}
	return filepath.Clean(target), nil
}

// isGitDir reports whether dir looks like a git directory: a HEAD file and
// an objects directory (or, for a linked worktree's, a commondir file).
func isGitDir(dir string) bool {
	if fi, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil || fi.IsDir() {
		return false
	}
	if fi, err := os.Stat(filepath.Join(dir, "objects")); err == nil && fi.IsDir() {
		return true
	}
	_, err := os.Stat(filepath.Join(dir, "commondir"))
	return err == nil
}

// Head returns the commit HEAD points to and its message; ok is false when
// HEAD has no commit yet (or is not a commit).
func (l *Ledger) Head() (hash plumbing.Hash, message string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ref, err := storer.ResolveReference(l.st, plumbing.HEAD)
	if err != nil {
		return plumbing.ZeroHash, "", false
	}
	c, err := object.GetCommit(l.st, ref.Hash())
	if err != nil {
		return plumbing.ZeroHash, "", false
	}
	return c.Hash, c.Message, true
}

// commonDir resolves a git directory's "commondir" file, as git does for
// linked worktrees.
func commonDir(gitDir string) string {
	b, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	p := strings.TrimSpace(string(b))
	if p == "" {
		return gitDir
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(gitDir, p)
	}
	return filepath.Clean(p)
}

// Close releases the file descriptors the Ledger keeps open.
func (l *Ledger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.st.Close()
}

// Tip returns the notes commit NotesRef points to, and false when the ref
// does not exist.
func (l *Ledger) Tip() (plumbing.Hash, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refHash(NotesRef)
}

func (l *Ledger) refHash(name plumbing.ReferenceName) (plumbing.Hash, bool, error) {
	ref, err := l.st.Reference(name)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("read %s: %w", name, err)
	}
	if ref.Type() != plumbing.HashReference {
		return plumbing.ZeroHash, false, fmt.Errorf("read %s: symbolic ref to %s", name, ref.Target())
	}
	return ref.Hash(), true, nil
}

// treeOf returns the tree of a notes commit.
func (l *Ledger) treeOf(commit plumbing.Hash) (plumbing.Hash, error) {
	c, err := object.GetCommit(l.st, commit)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read notes commit %s: %w", commit, err)
	}
	return c.TreeHash, nil
}

// notesTree returns the tree NotesRef points to, or zero when there is none.
func (l *Ledger) notesTree() (plumbing.Hash, error) {
	tip, ok, err := l.refHash(NotesRef)
	if err != nil || !ok {
		return plumbing.ZeroHash, err
	}
	return l.treeOf(tip)
}

// ReadRaw returns the stored bytes of commit's note and whether it has one.
// A note blob larger than attribution.MaxNoteBytes is refused, from its size
// alone, with an error wrapping attribution.ErrBadNote.
func (l *Ledger) ReadRaw(commit plumbing.Hash) ([]byte, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	tree, err := l.notesTree()
	if err != nil || tree.IsZero() {
		return nil, false, err
	}
	e, ok, err := l.lookup(tree, commit)
	if err != nil || !ok {
		return nil, false, err
	}
	data, err := l.readNoteBlob(e)
	return data, true, err
}

// Read returns commit's note, strictly decoded with DecodeStored, and whether
// it has one. A note that is not a valid tokenyield note returns an error
// wrapping attribution.ErrBadNote (and true).
func (l *Ledger) Read(commit plumbing.Hash) (attribution.Note, bool, error) {
	data, ok, err := l.ReadRaw(commit)
	if err != nil || !ok {
		return attribution.Note{}, ok, err
	}
	n, err := DecodeStored(data)
	if err != nil {
		return attribution.Note{}, true, fmt.Errorf("note for %s: %w", commit, err)
	}
	return n, true, nil
}

// readNoteBlob reads a note blob after checking its size from the object
// header.
func (l *Ledger) readNoteBlob(e object.TreeEntry) ([]byte, error) {
	if !e.Mode.IsFile() {
		return nil, fmt.Errorf("%w: tree entry %s is not a blob (mode %s)", attribution.ErrBadNote, e.Name, e.Mode)
	}
	size, err := l.st.EncodedObjectSize(e.Hash)
	if err != nil {
		return nil, fmt.Errorf("read note blob %s: %w", e.Hash, err)
	}
	if size > attribution.MaxNoteBytes {
		return nil, fmt.Errorf("%w: note blob %s is %d bytes, over the %d byte limit", attribution.ErrBadNote, e.Hash, size, attribution.MaxNoteBytes)
	}
	obj, err := l.st.EncodedObject(plumbing.AnyObject, e.Hash)
	if err != nil {
		return nil, fmt.Errorf("read note blob %s: %w", e.Hash, err)
	}
	if obj.Type() != plumbing.BlobObject {
		return nil, fmt.Errorf("%w: note object %s is a %s, not a blob", attribution.ErrBadNote, e.Hash, obj.Type())
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, fmt.Errorf("read note blob %s: %w", e.Hash, err)
	}
	defer func() { _ = r.Close() }()
	data, err := io.ReadAll(io.LimitReader(r, attribution.MaxNoteBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read note blob %s: %w", e.Hash, err)
	}
	if len(data) > attribution.MaxNoteBytes {
		return nil, fmt.Errorf("%w: note blob %s is over the %d byte limit", attribution.ErrBadNote, e.Hash, attribution.MaxNoteBytes)
	}
	return data, nil
}

// List returns the stored bytes of every note, by annotated commit. A note
// blob over attribution.MaxNoteBytes (or not a blob) is listed with nil
// bytes, which DecodeStored rejects, so one hostile note does not hide the
// others.
func (l *Ledger) List() (map[plumbing.Hash][]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[plumbing.Hash][]byte{}
	tree, err := l.notesTree()
	if err != nil || tree.IsZero() {
		return out, err
	}
	entries, err := l.entries(tree)
	if err != nil {
		return nil, err
	}
	for commit, e := range entries {
		data, err := l.readNoteBlob(e)
		if errors.Is(err, attribution.ErrBadNote) {
			out[commit] = nil
			continue
		}
		if err != nil {
			return nil, err
		}
		out[commit] = data
	}
	return out, nil
}

// Write stores n as commit's note, replacing any note it had.
func (l *Ledger) Write(commit plumbing.Hash, n attribution.Note) error {
	return l.WriteMany(map[plumbing.Hash]attribution.Note{commit: n})
}

// WriteMany stores several notes in one notes commit (after a rebase, say).
// Every note is validated first: when one is invalid nothing is written.
func (l *Ledger) WriteMany(notes map[plumbing.Hash]attribution.Note) error {
	if len(notes) == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	changes := make(map[plumbing.Hash]plumbing.Hash, len(notes))
	for commit, n := range notes {
		if commit.IsZero() {
			return errors.New("write note: zero commit id")
		}
		data, err := n.Encode()
		if err != nil {
			return fmt.Errorf("note for %s: %w", commit, err)
		}
		blob, err := l.writeBlob(append(data, '\n'))
		if err != nil {
			return err
		}
		changes[commit] = blob
	}
	return l.update(msgAdded, func(tree plumbing.Hash) (plumbing.Hash, error) {
		return l.applyChanges(tree, changes)
	})
}

// Remove deletes commit's note; removing a note that does not exist is not
// an error.
func (l *Ledger) Remove(commit plumbing.Hash) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	changes := map[plumbing.Hash]plumbing.Hash{commit: plumbing.ZeroHash}
	return l.update(msgRemoved, func(tree plumbing.Hash) (plumbing.Hash, error) {
		return l.applyChanges(tree, changes)
	})
}

func (l *Ledger) writeBlob(data []byte) (plumbing.Hash, error) {
	obj := l.st.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := l.st.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write note blob: %w", err)
	}
	return h, nil
}

// update moves NotesRef to a new notes commit whose tree is build(old tree)
// and whose parent is the old tip. It holds git's lock on the ref while it
// reads, builds and swaps, and rebuilds when the ref moved anyway.
func (l *Ledger) update(message string, build func(tree plumbing.Hash) (plumbing.Hash, error)) error {
	return l.updateRef(func(tip plumbing.Hash, exists bool) (plumbing.Hash, error) {
		var old plumbing.Hash
		if exists {
			var err error
			if old, err = l.treeOf(tip); err != nil {
				return plumbing.ZeroHash, err
			}
		}
		tree, err := build(old)
		if err != nil || tree == old {
			return plumbing.ZeroHash, err
		}
		if !exists && tree == emptyTreeHash {
			return plumbing.ZeroHash, nil // removing from no notes
		}
		var parents []plumbing.Hash
		if exists {
			parents = []plumbing.Hash{tip}
		}
		return l.writeCommit(tree, parents, message)
	})
}

// updateRef runs next under the ref lock with the current tip and moves the
// ref to the commit it returns (nothing when it returns zero). next may run
// several times.
func (l *Ledger) updateRef(next func(tip plumbing.Hash, exists bool) (plumbing.Hash, error)) error {
	name := plumbing.ReferenceName(NotesRef)
	var lastErr error
	for attempt := 0; attempt < casAttempts; attempt++ {
		if attempt > 0 {
			// Another writer moved the ref (or repacked): look again.
			l.st.Reindex()
			time.Sleep(time.Duration(rand.N(5*attempt)+1) * time.Millisecond)
		}
		unlock, err := l.lockRef(NotesRef)
		if err != nil {
			return err
		}
		tip, exists, err := l.refHash(name)
		if err != nil {
			unlock()
			return err
		}
		commit, err := next(tip, exists)
		if err != nil || commit.IsZero() {
			unlock()
			return err
		}
		var old *plumbing.Reference
		if exists {
			old = plumbing.NewHashReference(name, tip)
		}
		err = l.st.CheckAndSetReference(plumbing.NewHashReference(name, commit), old)
		unlock()
		if err == nil {
			return nil
		}
		if !errors.Is(err, storage.ErrReferenceHasChanged) {
			return fmt.Errorf("update %s: %w", NotesRef, err)
		}
		lastErr = err
	}
	return fmt.Errorf("update %s: gave up after %d attempts: %w", NotesRef, casAttempts, lastErr)
}

// lockRef takes git's lock on ref (the file "<ref>.lock" in the common git
// directory, created exclusively), so that git itself and other tokenyield
// processes do not update the ref meanwhile. It waits up to lockTimeout.
func (l *Ledger) lockRef(ref string) (unlock func(), err error) {
	name := ref + ".lock"
	deadline := time.Now().Add(lockTimeout)
	if !l.deadline.IsZero() && l.deadline.Before(deadline) {
		deadline = l.deadline
	}
	delay := 500 * time.Microsecond
	for {
		f, err := l.fs.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o666)
		if err == nil {
			if err := f.Close(); err != nil {
				_ = l.fs.Remove(name)
				return nil, fmt.Errorf("lock %s: %w", ref, err)
			}
			return func() { _ = l.fs.Remove(name) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", ref, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: %s exists; if no git or tokenyield process is running, remove it", ErrLocked, filepath.Join(l.commonDir, filepath.FromSlash(name)))
		}
		time.Sleep(delay + time.Duration(rand.N(int64(delay))))
		delay = min(delay*2, 20*time.Millisecond)
	}
}

func (l *Ledger) writeCommit(tree plumbing.Hash, parents []plumbing.Hash, message string) (plumbing.Hash, error) {
	sig := object.Signature{Name: "tokenyield", Email: "tokenyield@localhost", When: l.now().Truncate(time.Second)}
	c := &object.Commit{
		Author:       sig,
		Committer:    sig,
		Message:      message,
		TreeHash:     tree,
		ParentHashes: parents,
	}
	obj := l.st.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode notes commit: %w", err)
	}
	h, err := l.st.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write notes commit: %w", err)
	}
	return h, nil
}
