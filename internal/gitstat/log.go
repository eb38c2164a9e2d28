// Package gitstat counts the lines each commit changed, from the git binary,
// split into code and the files a report shows apart: generated, vendored,
// lock and binary files.
//
// # Why the git binary
//
// Line counts must be the ones users see in git log --numstat, and fast on
// ranges of thousands of commits; go-git's Patch.Stats is about 25 times
// slower. Log runs one git log --numstat -z process and parses its output as
// it streams (bench/numstat.sh measures it against plain git log --numstat on
// a 10,000-commit range), then one git check-attr process for the
// .gitattributes overrides of every distinct path.
//
// # What counts
//
//   - Renames are not detected (--no-renames, whatever diff.renames says): a
//     moved file counts as its lines deleted and added. Rename detection
//     costs time on large ranges and would make the counts depend on the
//     user's configuration.
//   - Merge commits have no line counts: git log shows no diff for a merge
//     unless asked (-m, --cc), and the lines a merge brings in are already
//     counted on the merged branch's own commits. Their CommitStat has the
//     parents and Files == 0.
//   - A root commit counts its whole tree as added (--root, whatever
//     log.showRoot says). In a shallow clone the oldest commit present looks
//     like a root commit too, so its count is its tree, not its change:
//     callers check gitcli's IsShallow first.
//   - Binary files (numstat "-") count as files, in BinaryFiles, and with no
//     lines.
//   - The diff algorithm is git's configured one (diff.algorithm), as in the
//     user's own git log --numstat; textconv filters and external diff
//     drivers are not run.
//   - A submodule update counts as one line deleted and one added (git's
//     "Subproject commit" lines).
//
// # Classes
//
// Classify gives a path's class from its name (lock files, vendored
// directories, generated files; see Classify). Log refines it with the
// linguist-generated and linguist-vendored attributes that GitHub's
// linguist also reads, from one batch of git check-attr over all paths of
// the range: an attribute set (or "true") makes the path Generated or
// Vendored; an attribute unset ("-linguist-generated" or "=false") turns
// the matching name rules off, so a repository can say that its dist/ is
// source. The attributes are those of the current checkout, not of each
// commit (git check-attr --source needs git 2.40). ClassifyPaths applies the
// same decision to any list of paths (for example the files of a patch
// being tokenized).
package gitstat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/tokenyield/tokenyield/internal/gitcli"
)

// logArgs returns the git arguments for the log of revisions.
func logArgs(revisions []string) []string {
	args := []string{
		// Config that would change the output, off whatever the user set:
		// diff.relative limits paths to the current directory,
		// log.showSignature adds GPG output to the stream.
		"-c", "diff.relative=false",
		"-c", "log.showSignature=false",
		// Memory: git maps pack files in windows of up to 8 GiB in all by
		// default, and the pages it touches count as its own; bounded
		// windows keep a long history's log near 200 MB (about 8% slower).
		"-c", "core.packedGitLimit=" + PackedGitLimit,
		"-c", "core.packedGitWindowSize=" + PackedGitWindow,
		"log", "-z", "--numstat", "--no-renames", "--root",
		"--no-color", "--no-ext-diff", "--no-textconv", "--no-notes",
		"--encoding=UTF-8", "--format=" + logFormat,
		// Revisions come from event payloads: never let one be read as an
		// option (--output=...).
		"--end-of-options",
	}
	args = append(args, revisions...)
	return append(args, "--")
}

// Log returns one CommitStat per commit of the revisions in args (ranges
// such as "base..head", "^x", "a...b", or commits; none means HEAD), newest
// first as git log lists them, merges included. It runs
//
//	git log -z --numstat --no-renames --root --format=... --end-of-options <args> --
//
// in g.Dir (any directory of the repository, or a bare repository) and
// parses the output as it streams, then reads the linguist attributes of the
// changed paths with one git check-attr (see the package documentation).
// args must be revisions, not options: each is passed after
// --end-of-options, so "--all" is a bad revision, and "--" is refused.
func Log(ctx context.Context, g *gitcli.Git, args []string) ([]CommitStat, error) {
	for _, a := range args {
		switch a {
		case "":
			return nil, errors.New("gitstat: empty revision")
		case "--": // would end the revisions even after --end-of-options
			return nil, errors.New(`gitstat: "--" is not a revision`)
		}
	}
	// The top of the working tree is needed only after the log; find it
	// meanwhile.
	type topResult struct {
		dir string
		err error
	}
	topc := make(chan topResult, 1)
	go func() {
		dir, err := topDir(ctx, g)
		topc <- topResult{dir, err}
	}()

	c, err := collect(ctx, g, args)
	top := <-topc
	if err != nil {
		return nil, fmt.Errorf("gitstat: log of %s: %w", describe(args), err)
	}
	if len(c.paths) == 0 {
		return c.finish(nil), nil
	}
	if top.err != nil {
		return nil, top.err
	}
	cls, err := classes(ctx, g, top.dir, c.paths)
	if err != nil {
		return nil, err
	}
	return c.finish(cls), nil
}

// PackedGitLimit and PackedGitWindow bound the pack memory of the git
// processes that read whole histories (see logArgs); other readers of long
// histories use them too.
const (
	PackedGitLimit  = "128m"
	PackedGitWindow = "16m"
)

// parallelMin is the number of commits from which Log splits the history
// between several git processes (one per core, at most maxParallel): git's
// diffs, not the parsing, are what takes the time.
var parallelMin = 2000

const maxParallel = 4

// collect runs the log of args into a collector: one git log, or, for a
// long history on several cores, the commits listed first (git rev-list, in
// log order) and shown in contiguous parts by parallel git log --no-walk.
func collect(ctx context.Context, g *gitcli.Git, args []string) (*collector, error) {
	// GIT_FLUSH=0: git would otherwise flush its output after every commit
	// when it goes to a pipe, one write (and one read here) per commit.
	lg := g.WithEnv("GIT_FLUSH=0")
	workers := min(runtime.NumCPU(), maxParallel)
	if workers > 1 {
		revs := append(append([]string{"rev-list", "--end-of-options"}, args...), "--")
		if out, err := g.Run(ctx, revs...); err == nil {
			if shas := strings.Fields(string(out)); len(shas) >= parallelMin {
				return collectParallel(ctx, lg, shas, workers)
			}
		}
	}
	c := newCollector()
	err := lg.RunStream(ctx, func(r io.Reader) error { return parseLog(r, c) }, logArgs(args)...)
	return c, err
}

// collectParallel shows shas (in log order) in workers contiguous parts at
// once and joins the parts in order.
func collectParallel(ctx context.Context, g *gitcli.Git, shas []string, workers int) (*collector, error) {
	parts := make([]*collector, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	size := (len(shas) + workers - 1) / workers
	for i := range workers {
		lo, hi := min(i*size, len(shas)), min((i+1)*size, len(shas))
		parts[i] = newCollector()
		if lo == hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := logArgs(shas[lo:hi])
			// Exactly these commits, in this order: no walk.
			args = slices.Insert(args, slices.Index(args, "--end-of-options"), "--no-walk=unsorted")
			errs[i] = g.RunStream(ctx, func(r io.Reader) error { return parseLog(r, parts[i]) }, args...)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return joinCollectors(parts), nil
}

// joinCollectors concatenates collectors' commits and changes in order,
// interning their paths anew.
func joinCollectors(parts []*collector) *collector {
	out := newCollector()
	for _, p := range parts {
		start := 0
		p.ends = append(p.ends, len(p.changes))
		for i, cs := range p.commits {
			out.commit(cs)
			for _, fc := range p.changes[start:p.ends[i]] {
				out.file([]byte(p.paths[fc.path]), fc.binary, fc.lines)
			}
			start = p.ends[i]
		}
	}
	return out
}

// describe names the revisions of args for an error message.
func describe(args []string) string {
	if len(args) == 0 {
		return "HEAD"
	}
	return strings.Join(args, " ")
}
