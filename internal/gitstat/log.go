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
	"strings"
	"sync"

	"github.com/tokenyield/tokenyield/internal/gitcli"
)

// logArgs returns the git arguments of the numstat log: the revisions
// come on standard input (revInput), one per line, so that no list of
// commits meets a command line's size limit (32 KB on Windows).
func logArgs(extra ...string) []string {
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
	}
	args = append(args, extra...)
	return append(args, "--stdin", "--end-of-options", "--")
}

// revInput is revisions as git's --stdin reads them.
func revInput(revisions []string) []byte {
	if len(revisions) == 0 {
		return []byte("HEAD\n")
	}
	return []byte(strings.Join(revisions, "\n") + "\n")
}

// CheckRevisions refuses what is not a revision, for the commands that
// pass revisions on git's standard input: git reads options there too
// ("--all", "--not"), and "" or "--" would end the list.
func CheckRevisions(revisions []string) error {
	for _, a := range revisions {
		switch {
		case a == "":
			return errors.New("gitstat: empty revision")
		case strings.HasPrefix(a, "-"):
			return fmt.Errorf("gitstat: %q is not a revision", a)
		case strings.ContainsAny(a, "\n\r\x00"):
			return fmt.Errorf("gitstat: %q is not a revision", a)
		}
	}
	return nil
}

// Log returns one CommitStat per commit of the revisions in args (ranges
// such as "base..head", "^x", "a...b", or commits; none means HEAD), newest
// first as git log lists them, merges included. It runs
//
//	git log -z --numstat --no-renames --root --format=... --stdin
//
// in g.Dir (any directory of the repository, or a bare repository), with
// the revisions on standard input, and parses the output as it streams, then
// reads the linguist attributes of the changed paths with one git check-attr
// (see the package documentation). args must be revisions, not options:
// "--all" is refused, as are "" and "--".
func Log(ctx context.Context, g *gitcli.Git, args []string) ([]CommitStat, error) {
	if err := CheckRevisions(args); err != nil {
		return nil, err
	}
	return logWith(ctx, g, describe(args), func(lg *gitcli.Git) (*collector, error) { return collect(ctx, lg, args) })
}

// LogCommits is Log of exactly the commits shas (full hashes, in the order
// given, normally git log's as RevList returns it), without walking to
// their parents: a caller that listed the range already saves Log's own
// listing.
func LogCommits(ctx context.Context, g *gitcli.Git, shas []string) ([]CommitStat, error) {
	if err := CheckRevisions(shas); err != nil {
		return nil, err
	}
	workers := 1
	if len(shas) >= parallelMin {
		workers = min(runtime.NumCPU(), maxParallel)
	}
	desc := fmt.Sprintf("%d commits", len(shas))
	return logWith(ctx, g, desc, func(lg *gitcli.Git) (*collector, error) {
		if len(shas) == 0 {
			return newCollector(), nil
		}
		return collectParallel(ctx, lg, shas, workers)
	})
}

// RevList returns the commits of the revisions in args (as Log takes them),
// in git log's order, from one git rev-list --stdin.
func RevList(ctx context.Context, g *gitcli.Git, args []string) ([]string, error) {
	if err := CheckRevisions(args); err != nil {
		return nil, err
	}
	var shas []string
	err := g.RunStreamInput(ctx, revInput(args), func(r io.Reader) error {
		out, err := io.ReadAll(r)
		shas = strings.Fields(string(out))
		return err
	}, "rev-list", "--stdin", "--end-of-options", "--")
	if err != nil {
		return nil, fmt.Errorf("gitstat: list %s: %w", describe(args), err)
	}
	return shas, nil
}

// logWith runs collect (with git's per-commit flushing off) and classifies
// the paths it found; desc names the commits in errors.
func logWith(ctx context.Context, g *gitcli.Git, desc string, collect func(*gitcli.Git) (*collector, error)) ([]CommitStat, error) {
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

	// GIT_FLUSH=0: git would otherwise flush its output after every commit
	// when it goes to a pipe, one write (and one read here) per commit.
	c, err := collect(g.WithEnv("GIT_FLUSH=0"))
	top := <-topc
	if err != nil {
		return nil, fmt.Errorf("gitstat: log of %s: %w", desc, err)
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
func collect(ctx context.Context, lg *gitcli.Git, args []string) (*collector, error) {
	if workers := min(runtime.NumCPU(), maxParallel); workers > 1 {
		if shas, err := RevList(ctx, lg, args); err == nil && len(shas) >= parallelMin {
			return collectParallel(ctx, lg, shas, workers)
		}
	}
	c := newCollector()
	err := lg.RunStreamInput(ctx, revInput(args), func(r io.Reader) error { return parseLog(r, c) }, logArgs()...)
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
		wg.Go(func() {
			// Exactly these commits, in this order: no walk.
			errs[i] = g.RunStreamInput(ctx, revInput(shas[lo:hi]), func(r io.Reader) error { return parseLog(r, parts[i]) }, logArgs("--no-walk=unsorted")...)
		})
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
