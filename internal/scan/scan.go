package scan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// State is what a scan remembers between runs.
type State struct {
	// Cursors maps "agent\x00absolute path" to where the last read stopped.
	Cursors map[string]*tail.Cursor
	// Dedup remembers every usage identity counted.
	Dedup *attribution.Dedup
	// Floor is the oldest event time the de-dup memory covers: older events
	// are ignored, since a forgotten identity would count again.
	Floor time.Time
	// Dirs records every directory the last walks listed, with its
	// modification time, for quick scans; FullWalk is when the last full walk
	// (every file stat'ed) ran.
	Dirs     map[string]DirInfo
	FullWalk time.Time

	// persisted is what Load read, when Save may append to its journal.
	persisted *persisted
}

// DirInfo is a directory a walk listed: whose logs, below which root, its
// path relative to the root, and its modification time then. A directory's
// entries only change when its modification time does.
type DirInfo struct {
	Agent, Root, Rel string
	ModNano          int64
}

// NewState returns an empty state, for a full scan.
func NewState() *State {
	return &State{Cursors: map[string]*tail.Cursor{}, Dedup: attribution.NewDedup(), Dirs: map[string]DirInfo{}}
}

// Quick-scan bounds: a quick scan stats only files modified within HotWindow
// and lists only directories whose modification time changed; a full walk
// runs instead when the last one is older than FullWalkEvery.
const (
	HotWindow     = 48 * time.Hour
	FullWalkEvery = 10 * time.Minute
)

// Options tune a scan.
type Options struct {
	// Workers is the number of files parsed at once (default: CPUs).
	Workers int
	// Keep, when set, filters events before de-duplication (e.g. by time).
	Keep func(attribution.Event) bool
	// Each, when set, receives every new event in time order instead of
	// Result.Events, so that a caller that only aggregates holds no events.
	Each func(attribution.Event)
	// Quick, when the state's last full walk is recent (FullWalkEvery),
	// reads only files modified within HotWindow and new files in
	// directories that changed, instead of stat'ing every log file. An
	// append to a file idle for longer is then seen by the next full walk.
	// For the commit hook, which must stay fast on gigabytes of logs.
	Quick bool
	// WalkOrder de-duplicates file by file in walk order, while later files
	// are still being parsed, instead of sorting every event by time first.
	// Totals are the same (an identity's largest vector is counted once
	// either way); only which sighting of a streamed response carries its
	// increase can differ. For whole-history reports.
	WalkOrder bool
	// Shards and Shard split a scan into passes that bound memory: with
	// Shards > 1 only identities whose hash modulo Shards is Shard are kept
	// (events without an identity go to shard 0). Every pass reads every
	// file; together the passes count each identity exactly once.
	Shards, Shard int
	// MaxIdentities, when positive, ends a WalkOrder scan early with
	// Result.Overflow set once the de-dup memory holds more identities: the
	// caller then scans again in more shards.
	MaxIdentities int
}

// Result is what a scan found.
type Result struct {
	// Events are the new usage events, de-duplicated, sorted by time (unless
	// Options.Each consumed them). Their Key is empty: identities were
	// consumed by the de-duplication, which keeps them as hashes.
	Events []attribution.Event
	// Stats are per agent.
	Stats map[string]*tail.Stats
	// Roots lists, per agent, the log roots that exist.
	Roots map[string][]string
	// Files lists the single files the sources named (tail.Source.Files),
	// existing or not, and Missing the roots that do not exist (yet): a watch
	// of the logs must include both, since either may appear.
	Files, Missing []string
	// Problems are human-readable notes on what could not be read (bounded).
	Problems []string
	// Stale counts events older than State.Floor that were ignored.
	Stale int64
	// Incomplete is set when the context ended the scan early: files not
	// reached keep their cursors and are read by the next scan.
	Incomplete bool
	// Changed reports whether the scan changed the State (a file read, a
	// file found or gone, an identity counted): when false there is nothing
	// to save.
	Changed bool
	// Quick reports a quick scan (see Options.Quick).
	Quick bool
	// Overflow reports a scan ended by Options.MaxIdentities.
	Overflow bool

	dirsChanged bool
}

const (
	maxProblems = 20
	maxDepth    = 64
)

// Bounded scans every log from scratch in WalkOrder (a whole-history
// report) with the de-dup memory bounded by opt.MaxIdentities: when a pass
// would outgrow it, the logs are read again in four times as many passes,
// each keeping a share of the identities. reset is called before every
// attempt, so that what opt.Each adds up starts over. It returns the first
// pass's Result (stats, roots, problems: every pass reads every file) and
// the number of passes of the attempt that completed.
func Bounded(ctx context.Context, env tail.Env, sources []tail.Source, opt Options, reset func()) (Result, int) {
	opt.WalkOrder = true
	for shards := 1; ; shards *= 4 {
		reset()
		var first Result
		overflow := false
		for shard := 0; shard < shards && !overflow; shard++ {
			opt.Shards, opt.Shard = shards, shard
			r := Scan(ctx, env, sources, NewState(), opt)
			overflow = r.Overflow
			if shard == 0 {
				first = r
			}
		}
		if !overflow || opt.MaxIdentities <= 0 {
			return first, shards
		}
	}
}

type job struct {
	src   *tail.Source
	path  string
	cur   *tail.Cursor
	index int // position in walk order
}

// Scan reads the sources' logs into st and returns the new events.
func Scan(ctx context.Context, env tail.Env, sources []tail.Source, st *State, opt Options) Result {
	res := Result{Stats: map[string]*tail.Stats{}, Roots: map[string][]string{}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	inShard := func(id uint64) bool {
		return opt.Shards <= 1 || (id == 0 && opt.Shard == 0) || (id != 0 && int(id%uint64(opt.Shards)) == opt.Shard) //nolint:gosec // Shards is small and positive here
	}
	if st.Cursors == nil {
		st.Cursors = map[string]*tail.Cursor{}
	}
	if st.Dedup == nil {
		st.Dedup = attribution.NewDedup()
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = min(workers, 64)

	// Workers read files while the walk is still finding them. Each file's
	// events go to their own slice of compact records, placed by the file's
	// walk index, so that the merge below is deterministic whatever order the
	// workers finish in, and memory stays proportional to the number of model
	// calls, not log bytes.
	type done struct {
		index int
		recs  []record
	}
	type out struct {
		stats    map[string]*tail.Stats
		problems []string
		metas    metaTable
		done     []done
	}
	outs := make([]out, workers)
	ch := make(chan job, 256)
	var (
		ordered  *orderedSink
		batches  chan batch
		sinkDone = make(chan struct{})
	)
	if opt.WalkOrder {
		ordered = &orderedSink{st: st, each: opt.Each, pending: map[int]batch{}, max: opt.MaxIdentities, cancel: cancel}
		if !st.Floor.IsZero() {
			ordered.floor = st.Floor.UnixNano()
		}
		batches = make(chan batch, 64)
		go func() {
			defer close(sinkDone)
			for b := range batches {
				ordered.add(b)
			}
		}()
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := &outs[w]
			o.stats = map[string]*tail.Stats{}
			o.metas = newMetaTable(w)
			for j := range ch {
				s := o.stats[j.src.Agent]
				if s == nil {
					s = &tail.Stats{}
					o.stats[j.src.Agent] = s
				}
				var recs []record
				var b batch
				emit := func(e attribution.Event) {
					if opt.Keep != nil && !opt.Keep(e) {
						return
					}
					if ordered != nil {
						b.add(e, inShard)
						return
					}
					if r := o.metas.compact(e); inShard(r.id) {
						recs = append(recs, r)
					}
				}
				if err := tail.Read(*j.src, j.path, j.cur, emit, s); err != nil && len(o.problems) < maxProblems {
					o.problems = append(o.problems, fmt.Sprintf("%s: %v", j.src.Agent, err))
				}
				if ordered != nil {
					b.index = j.index
					batches <- b
				} else if len(recs) > 0 {
					o.done = append(o.done, done{j.index, recs})
				}
			}
		}()
	}

	files, newCursors := 0, 0
	visited := map[string]bool{}
	if st.Dirs == nil {
		st.Dirs = map[string]DirInfo{}
	}
	now := time.Now()
	quick := opt.Quick && !st.FullWalk.IsZero() && now.Sub(st.FullWalk) < FullWalkEvery && len(st.Dirs) > 0
	hotCutoff := now.Add(-HotWindow).UnixNano()
	dirsBefore := len(st.Dirs)
	res.Quick = quick
	// dispatch hands one of src's files to the workers.
	dispatch := func(src *tail.Source) func(string) {
		return func(path string) {
			key := src.Agent + "\x00" + path
			visited[key] = true
			if ctx.Err() != nil {
				return // out of time: the file keeps its cursor for next time
			}
			cur := st.Cursors[key]
			if cur == nil {
				cur = &tail.Cursor{}
				st.Cursors[key] = cur
				newCursors++
			}
			ch <- job{src: src, path: path, cur: cur, index: files}
			files++
		}
	}
	for i := range sources {
		src := &sources[i]
		res.Stats[src.Agent] = &tail.Stats{}
		seenRoot := map[string]bool{}
		for _, root := range src.Roots(env) {
			if root == "" || ctx.Err() != nil {
				continue
			}
			real, err := filepath.EvalSymlinks(root)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					res.Missing = append(res.Missing, filepath.Clean(root))
				} else {
					res.problem(fmt.Sprintf("%s: %v", src.Agent, err))
				}
				continue
			}
			if seenRoot[real] {
				continue
			}
			seenRoot[real] = true
			res.Roots[src.Agent] = append(res.Roots[src.Agent], root)
			walker := walk
			if quick {
				walker = func(root string, src *tail.Source, dirs map[string]DirInfo, fn func(string), res *Result) {
					walkQuick(root, src, dirs, st.Cursors, hotCutoff, fn, res)
				}
			}
			walker(root, src, st.Dirs, dispatch(src), &res)
		}
		if src.Files == nil {
			continue
		}
		// Single files: every scan stats them (they are few), quick or not.
		for _, path := range src.Files(env) {
			if path == "" {
				continue
			}
			path = filepath.Clean(path)
			res.Files = append(res.Files, path)
			if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && !visited[src.Agent+"\x00"+path] {
				dispatch(src)(path)
			}
		}
	}
	close(ch)
	wg.Wait()
	res.Incomplete = ctx.Err() != nil
	before := len(st.Cursors)
	if !quick && ctx.Err() == nil {
		forgetVanished(st, sources, visited)
		st.FullWalk = now
		res.Changed = true
	}
	res.Changed = res.Changed || len(st.Cursors) != before || newCursors > 0 || len(st.Dirs) != dirsBefore || res.dirsChanged
	if ordered != nil {
		close(batches)
		<-sinkDone
	}

	perJob := make([][]record, files)
	for _, o := range outs {
		for _, d := range o.done {
			perJob[d.index] = d.recs
		}
	}
	metas := make([]metaTable, workers)
	for w, o := range outs {
		for a, s := range o.stats {
			res.Stats[a].Add(*s)
			res.Changed = res.Changed || s.Read > 0
		}
		for _, p := range o.problems {
			res.problem(p)
		}
		metas[w] = o.metas
	}
	n := 0
	for _, recs := range perJob {
		n += len(recs)
	}
	// Earliest sighting first (ties in walk order), so a streamed response's
	// increases land on the lines that carried them and copies in later files
	// add nothing.
	order := make([]*record, 0, n)
	for i := range perJob {
		for k := range perJob[i] {
			order = append(order, &perJob[i][k])
		}
	}
	slices.SortStableFunc(order, func(a, b *record) int { return cmp.Compare(a.nanos, b.nanos) })
	floor := int64(0)
	if !st.Floor.IsZero() {
		floor = st.Floor.UnixNano()
	}
	var events []attribution.Event
	if ordered != nil {
		res.Events, res.Stale, res.Overflow = ordered.events, ordered.stale, ordered.overflow
		return res
	}
	for _, r := range order {
		if floor != 0 && r.nanos < floor {
			res.Stale++
			continue
		}
		d, ok := st.Dedup.ObserveID(r.id, expand(r, metas))
		if !ok {
			continue
		}
		if opt.Each != nil {
			opt.Each(d)
		} else {
			events = append(events, d)
		}
	}
	res.Events = events
	return res
}

// problem records p as one line: line breaks that a log's data brought into
// an error (a version string, a path) become spaces.
func (r *Result) problem(p string) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, oneLine.Replace(p))
	}
}

// oneLine replaces line breaks with spaces.
var oneLine = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ")

// walk calls fn for every file below root that src matches, following
// symbolic links to directories once each (so link loops terminate) and
// reporting unreadable directories as problems.
func walk(root string, src *tail.Source, dirs map[string]DirInfo, fn func(path string), res *Result) {
	walkFrom(root, root, "", src, dirs, fn, res)
}

// walkFrom walks the subtree start of root, whose path relative to root is
// rel ("" for root itself).
func walkFrom(root, start, rel string, src *tail.Source, dirs map[string]DirInfo, fn func(path string), res *Result) {
	// Directories reached through symbolic links are remembered by device
	// and inode, so that a link loop is walked once.
	visited := map[[2]uint64]bool{}
	firstVisit := func(fi os.FileInfo) bool {
		id, ok := dirID(fi)
		if !ok {
			return true
		}
		if visited[id] {
			return false
		}
		visited[id] = true
		return true
	}
	var visit func(dir, rel string, depth int)
	visit = func(dir, rel string, depth int) {
		if depth > maxDepth {
			res.problem(fmt.Sprintf("%s: %s: deeper than %d directories, not read", src.Agent, dir, maxDepth))
			return
		}
		entries, mod, err := listDir(dir)
		if err != nil {
			res.problem(fmt.Sprintf("%s: %v", src.Agent, err))
		} else {
			recordDir(dirs, src.Agent, root, rel, dir, mod, res)
		}
		for _, e := range entries {
			name := e.Name()
			path := filepath.Join(dir, name)
			r := name
			if rel != "" {
				r = rel + "/" + name
			}
			t := e.Type()
			if t&fs.ModeSymlink != 0 {
				target, err := os.Stat(path)
				if err != nil {
					continue // dangling link
				}
				t = target.Mode().Type()
				if t.IsDir() && !firstVisit(target) {
					continue // a link back into a tree already walked
				}
			}
			switch {
			case t.IsDir():
				visit(path, r, depth+1)
			case t.IsRegular() && src.Match(r):
				fn(path)
			}
		}
	}
	if fi, err := os.Stat(start); err == nil {
		firstVisit(fi)
	}
	visit(start, rel, 0)
}

// forgetVanished drops the cursors of the scanned sources' files that no
// longer exist, so the state does not grow with deleted logs. A file the walk
// did not meet but that still exists (a single file another caller named)
// keeps its cursor.
func forgetVanished(st *State, sources []tail.Source, visited map[string]bool) {
	agents := map[string]bool{}
	for _, s := range sources {
		agents[s.Agent] = true
	}
	for key := range st.Cursors {
		agent, path, _ := strings.Cut(key, "\x00")
		if agents[agent] && !visited[key] {
			// A single file named by another caller (another worktree's
			// per-repository log) stays while it exists.
			if _, err := os.Stat(path); err == nil {
				continue
			}
			delete(st.Cursors, key)
		}
	}
}

// batch is one file's records, in walk-order mode, with its own metas.
type batch struct {
	index int
	recs  []record
	metas metaTable
}

func (b *batch) add(e attribution.Event, keep func(id uint64) bool) {
	if b.metas.index == nil {
		b.metas = newMetaTable(0)
	}
	if r := b.metas.compact(e); keep(r.id) {
		b.recs = append(b.recs, r)
	}
}

// orderedSink de-duplicates batches in walk order as they arrive, holding
// back those that finished before an earlier file.
type orderedSink struct {
	st      *State
	each    func(attribution.Event)
	pending map[int]batch
	next    int
	events  []attribution.Event
	stale   int64
	floor   int64 // State.Floor in Unix nanoseconds, 0 = none
	// max and cancel end the scan when the de-dup memory outgrows max.
	max      int
	cancel   func()
	overflow bool
}

func (o *orderedSink) add(b batch) {
	if o.overflow {
		return
	}
	o.pending[b.index] = b
	for {
		if o.max > 0 && o.st.Dedup.Len() > o.max {
			o.overflow = true
			o.cancel()
			return
		}
		nb, ok := o.pending[o.next]
		if !ok {
			return
		}
		delete(o.pending, o.next)
		o.next++
		tables := []metaTable{nb.metas}
		for i := range nb.recs {
			r := &nb.recs[i]
			if o.floor != 0 && r.nanos < o.floor {
				o.stale++
				continue
			}
			d, ok := o.st.Dedup.ObserveID(r.id, expand(r, tables))
			if !ok {
				continue
			}
			if o.each != nil {
				o.each(d)
			} else {
				o.events = append(o.events, d)
			}
		}
	}
}

// listDir lists a directory and returns its modification time (Unix ns).
func listDir(dir string) ([]os.DirEntry, int64, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	entries, err := f.ReadDir(-1)
	return entries, fi.ModTime().UnixNano(), err
}

// dirRecentGrace is how recent a directory's modification time may be for
// its listing to be trusted later: on file systems with coarse timestamps a
// file created in the same tick would not change it.
const dirRecentGrace = 2 * time.Second

func recordDir(dirs map[string]DirInfo, agent, root, rel, dir string, mod int64, res *Result) {
	if time.Since(time.Unix(0, mod)) < dirRecentGrace {
		mod = 0 // list it again next time
	}
	key := agent + "\x00" + dir
	if old, ok := dirs[key]; !ok || old.ModNano != mod {
		res.dirsChanged = true
	}
	dirs[key] = DirInfo{Agent: agent, Root: root, Rel: rel, ModNano: mod}
}

// walkQuick calls fn for the files a quick scan reads below root: files
// modified since hotCutoff (by their cursors), and files new in directories
// whose modification time changed (those are listed again; new
// subdirectories, and a root not seen by the last full walk, are walked in
// full).
func walkQuick(root string, src *tail.Source, dirs map[string]DirInfo, cursors map[string]*tail.Cursor, hotCutoff int64, fn func(string), res *Result) {
	prefix := src.Agent + "\x00"
	if _, known := dirs[prefix+root]; !known {
		// The root appeared since the last full walk (a tool used for the
		// first time): nothing of it is known, so walk all of it.
		walk(root, src, dirs, fn, res)
		return
	}
	seen := map[string]bool{}
	// Decide which known files are hot before any file is handed to the
	// workers, which update cursors as they read.
	var hot []string
	for key, c := range cursors {
		if path, ok := strings.CutPrefix(key, prefix); ok && c.ModNano >= hotCutoff && strings.HasPrefix(path, root) {
			hot = append(hot, path)
		}
	}
	sort.Strings(hot)
	for key, d := range dirs {
		if d.Agent != src.Agent || d.Root != root {
			continue
		}
		dir := strings.TrimPrefix(key, prefix)
		fi, err := os.Stat(dir)
		if err != nil {
			delete(dirs, key)
			res.dirsChanged = true
			continue
		}
		if fi.ModTime().UnixNano() == d.ModNano && d.ModNano != 0 {
			continue
		}
		entries, mod, err := listDir(dir)
		if err != nil {
			res.problem(fmt.Sprintf("%s: %v", src.Agent, err))
			continue
		}
		recordDir(dirs, src.Agent, root, d.Rel, dir, mod, res)
		for _, e := range entries {
			name := e.Name()
			path := filepath.Join(dir, name)
			rel := name
			if d.Rel != "" {
				rel = d.Rel + "/" + name
			}
			t := e.Type()
			if t&fs.ModeSymlink != 0 {
				if target, err := os.Stat(path); err == nil {
					t = target.Mode().Type()
				}
			}
			switch {
			case t.IsDir():
				if _, known := dirs[prefix+path]; !known {
					walkFrom(root, path, rel, src, dirs, func(p string) {
						if !seen[p] {
							seen[p] = true
							fn(p)
						}
					}, res)
				}
			case t.IsRegular() && src.Match(rel) && cursors[prefix+path] == nil && !seen[path]:
				seen[path] = true
				fn(path)
			}
		}
	}
	for _, path := range hot {
		if !seen[path] {
			seen[path] = true
			fn(path)
		}
	}
}
