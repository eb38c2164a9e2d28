package tagger

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/internal/hook"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// The watch (watch.sh) lets the commit-msg script skip starting tokenyield when nothing
// can have changed since the last hook run (the common case between two
// commits): it is the list of every log directory and every log file active
// within scan.HotWindow, a stamp file dated just before that run's scan, and
// a "due" file dated when the next full walk is due. The script (see
// internal/hook) runs tokenyield unless none of the listed paths is newer
// than the stamp, the commit message file is older than the due date, no
// proposal is left over and the message carries no AI-Tokens lines. Any run
// that leaves usage pending removes the stamp, so the next commit looks.
//
// Only the main worktree has a watch: its git directory is where the script
// finds it (.git/tokenyield).

// The stamp is dated watchSlack before the scan started, so that a file
// changed while the scan ran is seen as changed even though the kernel dates
// writes with a clock that lags by up to a tick; on a file system with
// whole-second times coarseWatchSlack is used.
const (
	watchSlack       = 20 * time.Millisecond
	coarseWatchSlack = 2 * time.Second
)

func (t *Tagger) watchPath(name string) string { return filepath.Join(t.Repo.stateDir(), name) }

// watchList lists the directories and hot files of a scan state, and the
// single files the sources named (singles; they may not exist yet: a file
// created later is newer than the stamp). A database's write-ahead log
// (<name>.db-wal) is listed with it: writes land there, not in the database
// file, until a checkpoint.
func watchList(st *scan.State, singles []string, now time.Time) []string {
	hot := now.Add(-scan.HotWindow).UnixNano()
	var files, dirs []string
	add := func(path string) {
		files = append(files, path)
		if strings.HasSuffix(path, ".db") {
			files = append(files, path+"-wal")
		}
	}
	for key, c := range st.Cursors {
		if _, path, ok := strings.Cut(key, "\x00"); ok && c.ModNano >= hot {
			add(path)
		}
	}
	for _, p := range singles {
		add(p)
	}
	for key := range st.Dirs {
		if _, dir, ok := strings.Cut(key, "\x00"); ok {
			dirs = append(dirs, dir)
		}
	}
	// Active files first: they are what usually changed, and the check
	// stops at the first change.
	sort.Strings(files)
	files = slices.Compact(files)
	sort.Strings(dirs)
	return append(files, dirs...)
}

// writeWatch records the watch of c (main worktree, nothing pending).
func (t *Tagger) writeWatch(c Collected) error {
	if t.skipMarker() == "" || c.watch == nil || len(c.Pending.Events) > 0 {
		t.removeWatch()
		return nil
	}
	// A sh fragment, sourced by the script (a read loop in dash costs a
	// system call per byte): it fails as soon as one path is newer.
	script := hook.WatchScript(c.watch)
	if old, err := os.ReadFile(t.watchPath("watch.sh")); err != nil || string(old) != script {
		if err := writeFileAtomic(t.watchPath("watch.sh"), []byte(script)); err != nil {
			return err
		}
	}
	due := c.fullWalk.Add(scan.FullWalkEvery)
	if fi, err := os.Stat(t.watchPath("watch.due")); err != nil || !fi.ModTime().Equal(due) {
		if err := touch(t.watchPath("watch.due"), due); err != nil {
			return err
		}
	}
	stamp := t.watchPath("watch.stamp")
	at := c.scanStart.Add(-watchSlack)
	if err := touch(stamp, at); err != nil {
		return err
	}
	if fi, err := os.Stat(stamp); err != nil || fi.ModTime().Nanosecond() == 0 && at.Nanosecond() != 0 {
		// Whole-second times here: be generous.
		return touch(stamp, c.scanStart.Add(-coarseWatchSlack))
	}
	return nil
}

// removeWatch makes the next commit-msg start tokenyield.
func (t *Tagger) removeWatch() { _ = os.Remove(t.watchPath("watch.stamp")) }

func touch(path string, at time.Time) error {
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		return err
	}
	return os.Chtimes(path, at, at)
}
