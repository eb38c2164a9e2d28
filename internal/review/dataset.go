package review

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitstat"
	"github.com/tokenyield/tokenyield/internal/ledger"
)

// DiffTokensAutoMax is the window size up to which the commands count diff
// tokens by default (CollectOptions.DiffTokensMax).
const DiffTokensAutoMax = 2000

// CollectOptions select the history Collect reads.
type CollectOptions struct {
	// Branch is the branch or revision to review ("": HEAD).
	Branch string
	// Since and Until bound the review window by the time each change
	// landed on the branch (zero: unbounded); see Collect.
	Since, Until time.Time
	// Progress, when set, is called with (0, 0) (total unknown) when the
	// history starts being read and with (n, n) when the n commits of the
	// dataset are ready: reading the history is one git process whose
	// progress cannot be observed.
	Progress func(done, total int)
	// DiffTokens also counts the o200k_base tokens of the code lines each
	// commit with usage data adds, from one more git log -p stream that
	// runs while the lines are read (it roughly doubles the CPU time);
	// off, every Commit.DiffTokens is -1 (unknown).
	DiffTokens bool
	// DiffTokensMax, when positive, turns DiffTokens off for a window of
	// more commits than this (the patch pass about doubles the time of a
	// long review); Partial says so.
	DiffTokensMax int
	// Tool names the producing tool, copied into Dataset.Tool.
	Tool string
	// FindPulls, when set, is asked once which pull requests landed the
	// window's first-parent commits that nothing in git ties to one (see
	// PullFinder); nil leaves them direct.
	FindPulls PullFinder
}

// PullFinder tells which merged pull request landed each of shas (commits
// of the reviewed branch, newest first): their numbers by SHA (a commit
// left out landed directly, as far as the finder knows) and notes for
// Dataset.Partial on what it could not tell. GitHub.PullsOf is one.
type PullFinder func(ctx context.Context, shas []string) (map[string]int, []string)

// Merge kinds of PR.Merge.
const (
	MergeCommit  = "merge"
	MergeSquash  = "squash"
	MergeRebase  = "rebase"
	MergeUnknown = "unknown"
)

// Collect groups the history of the clone in dir (g runs git there) into
// pull requests, reading every commit's lines with one gitstat.Log over the
// whole range and every note with one ledger List.
//
// # The range
//
// The branch's first-parent history, newest first, bounded by the window:
// Until picks the newest first-parent commit at or before Until as the tip,
// Since cuts the history below the newest first-parent commit before Since
// (the window is by landing time: a pull request merged inside it counts
// with all its commits, however old). The refs/pull/<N>/head refs of a
// clone that fetched them (git fetch origin '+refs/pull/*/head:refs/pull/*/head')
// are read in the same log.
//
// # Pull requests
//
// Each first-parent commit is, in this order:
//
//   - a merge commit whose subject is "Merge pull request #N …" or whose
//     second parent is refs/pull/N/head: pull request N merged with a merge
//     commit; its commits are those the merge brought in (reachable from
//     the second parent, not from the first);
//   - a commit whose subject ends in "(#N)": a squash merge, or a rebase
//     merge when several first-parent commits carry the same number;
//   - a commit with the author, author time and subject of a commit of
//     refs/pull/N/head: a rebase merge of N (GitHub's rebase merges add no
//     number);
//   - a commit FindPulls (when set) names a pull request for: GitHub's
//     answer for commits git cannot place (a rebase merge without fetched
//     head refs, an edited squash subject or merge message), a merge commit
//     taking what it brought in, one commit a squash, several a rebase;
//   - else a direct commit (a non-PR merge brings its commits along).
//
// A pull request number found several times is one pull request. For a
// squash or rebase merge whose refs/pull/N/head is known, the pull
// request's commits are its own (on the head ref) rather than those that
// landed, unless only the landed ones carry usage data (a squash message
// keeps the trailers of the squashed commits; the Action writes a rollup
// note on the squash commit). Either way every commit is counted once.
//
// Merge commits change no line and are listed only when they carry usage
// data. A rollup note on the last commit of a rebase merge whose other
// commits carry their own trailers duplicates them: such a note is left
// out (the commit's own trailers count) and the fact is listed in Partial.
//
// # Usage
//
// A commit's usage is read as `tokenyield show` reads it (ledger.UsageOf:
// its note, else its AI-Tokens trailers); a rejected note or trailer is in
// Commit.Problem and never counted.
//
// # Reverts
//
// A pull request is Reverted when a commit of the range says "This reverts
// commit <sha>" of one of its commits, is 'Revert "… (#N)"', says
// "Reverts owner/repo#N" (GitHub's revert button), or merges a
// "revert-N-…" branch.
func Collect(ctx context.Context, g *gitcli.Git, dir string, opt CollectOptions) (Dataset, error) {
	branch := opt.Branch
	if branch == "" {
		branch = "HEAD"
	}
	if strings.HasPrefix(branch, "-") {
		return Dataset{}, fmt.Errorf("review: %q is not a branch", branch)
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	d := Dataset{
		Branch: branch, Since: opt.Since, Until: opt.Until,
		Generated: time.Now().UTC().Truncate(time.Second), Tool: opt.Tool,
		PRs: []PR{}, Direct: []Commit{}, Partial: []string{},
	}
	info, err := repoFacts(ctx, g, branch)
	if err != nil {
		return d, err
	}
	if opt.Branch == "" && info.head != "" && info.head != "HEAD" {
		d.Branch = info.head // the checked-out branch, by name
	}
	d.Repo = repoName(ctx, g)
	tip, boundary, err := window(ctx, g, info.tip, opt.Since, opt.Until)
	if err != nil {
		return d, err
	}
	if tip == "" { // nothing landed before Until
		return d, nil
	}
	heads, err := pullHeads(ctx, g)
	if err != nil {
		return d, err
	}
	revs := []string{tip}
	for _, h := range heads {
		revs = append(revs, h.sha)
	}
	if boundary != "" {
		revs = append(revs, "^"+boundary)
	}
	progress(0, 0)
	// One listing of the range serves the size decision and the log.
	shas, err := gitstat.RevList(ctx, g, revs)
	if err != nil {
		return d, fmt.Errorf("review: %w", err)
	}
	withDiff := opt.DiffTokens
	if n := len(shas); withDiff && opt.DiffTokensMax > 0 && n > opt.DiffTokensMax {
		withDiff = false
		d.Partial = append(d.Partial, fmt.Sprintf("diff tokens: not counted for these %d commits (more than %d; --diff-tokens on counts them, about twice as slow)", n, opt.DiffTokensMax))
	}
	rr, err := readRange(ctx, g, dir, revs, shas, withDiff)
	if err != nil {
		return d, err
	}
	var skip map[string]bool
	if info.shallow {
		skip = grafted(info.commonDir)
		d.Partial = append(d.Partial, "shallow clone: the history before the clone's depth is missing, and its oldest commits are left out (git fetch --unshallow)")
	}

	h := newHistory(rr.stats, rr.notes, skip, opt.Since, opt.Until)
	var ask func([]string) map[string]int
	if opt.FindPulls != nil {
		ask = func(shas []string) map[string]int {
			found, notes := opt.FindPulls(ctx, shas)
			d.Partial = append(d.Partial, notes...)
			return found
		}
	}
	h.group(tip, heads, ask)
	h.build(&d)
	if rr.diffTokens != nil {
		h.setDiffTokens(&d, rr.diffTokens)
	}
	progress(len(h.used), len(h.used))
	return d, nil
}

// rangeData is what readRange reads.
type rangeData struct {
	stats      []gitstat.CommitStat
	notes      map[plumbing.Hash][]byte
	diffTokens map[string]int64 // nil unless asked
}

// readRange reads the lines of every commit of revs, listed as shas (one
// gitstat.LogCommits) and meanwhile every note (one ledger List) and, when
// diff is set, the diff tokens of the commits with data (one git log -p,
// started once the notes are known).
func readRange(ctx context.Context, g *gitcli.Git, dir string, revs, shas []string, diff bool) (rangeData, error) {
	var rd rangeData
	var notesErr error
	notesRead := make(chan struct{})
	go func() {
		defer close(notesRead)
		led, err := ledger.Open(dir)
		if err != nil {
			notesErr = err
			return
		}
		defer func() { _ = led.Close() }()
		rd.notes, notesErr = led.List()
	}()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var diffErr error
	diffDone := make(chan struct{})
	go func() {
		defer close(diffDone)
		<-notesRead
		if diff && notesErr == nil {
			rd.diffTokens, diffErr = diffTokens(ctx, g, revs, rd.notes)
		}
	}()
	stats, err := gitstat.LogCommits(ctx, g, shas)
	if err != nil {
		cancel() // no use counting on
	}
	<-diffDone
	switch {
	case err != nil:
		return rd, fmt.Errorf("review: %w", err)
	case notesErr != nil:
		return rd, fmt.Errorf("review: read the notes: %w", notesErr)
	case diffErr != nil:
		return rd, diffErr
	}
	rd.stats = stats
	return rd, nil
}

// facts are what one git rev-parse tells about the repository.
type facts struct {
	shallow   bool
	commonDir string
	tip       string
	head      string // the checked-out branch's short name; "HEAD" when detached
}

// repoFacts resolves branch to a commit and reads whether the clone is
// shallow, where its common git directory is and which branch is checked
// out, in one git rev-parse.
func repoFacts(ctx context.Context, g *gitcli.Git, branch string) (facts, error) {
	out, err := g.Run(ctx, "rev-parse", "--is-shallow-repository", "--path-format=absolute", "--git-common-dir", branch+"^{commit}", "--abbrev-ref", "HEAD")
	if err != nil {
		if _, verr := g.Run(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", branch+"^{commit}"); verr != nil && gitcli.ExitCode(verr) == 1 {
			return facts{}, fmt.Errorf("review: no commit at %q (a repository without commits yet, or a misspelt branch)", branch)
		}
		return facts{}, fmt.Errorf("review: %q is not a commit: %w", branch, err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\r\n"), "\n")
	if len(lines) != 4 {
		return facts{}, fmt.Errorf("review: git rev-parse printed %d lines, want 4", len(lines))
	}
	return facts{shallow: lines[0] == "true", commonDir: lines[1], tip: strings.TrimSpace(lines[2]), head: strings.TrimSpace(lines[3])}, nil
}

// repoName returns "owner/name" from the origin remote's URL, else the name
// of the repository's folder.
func repoName(ctx context.Context, g *gitcli.Git) string {
	if url, ok, err := g.ConfigGet(ctx, "remote.origin.url"); err == nil && ok {
		if name := ownerRepo(url); name != "" {
			return name
		}
	}
	return filepath.Base(g.Dir)
}

// ownerRepo extracts "owner/name" from a remote URL (https, ssh or scp-like
// forms), or "" for a local path or a URL without two last components.
func ownerRepo(url string) string {
	url = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(url), "/"), ".git")
	host, _, scp := strings.Cut(url, ":")
	if !strings.Contains(url, "://") && (!scp || len(host) < 2 || strings.ContainsAny(host, `/\`)) {
		return "" // a local path, not a hosted repository
	}
	url = strings.ReplaceAll(url, ":", "/")
	parts := strings.Split(url, "/")
	if len(parts) < 2 {
		return ""
	}
	owner, name := parts[len(parts)-2], parts[len(parts)-1]
	if owner == "" || name == "" || strings.Contains(owner, "@") {
		return ""
	}
	return owner + "/" + name
}

// window returns the tip (the newest first-parent commit at or before
// until) and the boundary (the newest first-parent commit before since,
// whose history is left out; "" for none).
func window(ctx context.Context, g *gitcli.Git, tip string, since, until time.Time) (string, string, error) {
	if !until.IsZero() {
		var err error
		if tip, err = firstParentBefore(ctx, g, tip, until); err != nil || tip == "" {
			return "", "", err
		}
	}
	if since.IsZero() {
		return tip, "", nil
	}
	boundary, err := firstParentBefore(ctx, g, tip, since.Add(-time.Second))
	return tip, boundary, err
}

// firstParentBefore returns the newest first-parent ancestor of rev with a
// commit time at or before t, or "".
func firstParentBefore(ctx context.Context, g *gitcli.Git, rev string, t time.Time) (string, error) {
	out, err := g.Run(ctx, "rev-list", "-1", "--first-parent", "--before=@"+strconv.FormatInt(t.Unix(), 10), rev)
	if err != nil {
		return "", fmt.Errorf("review: history before %s: %w", t.Format(time.RFC3339), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// pullHead is a fetched refs/pull/<number>/head.
type pullHead struct {
	number int
	sha    string
}

// pullHeads lists the refs/pull/<N>/head refs of the clone, by number.
func pullHeads(ctx context.Context, g *gitcli.Git) ([]pullHead, error) {
	out, err := g.Run(ctx, "for-each-ref", "--sort=refname", "--format=%(objectname) %(refname)", "refs/pull/")
	if err != nil {
		return nil, fmt.Errorf("review: list refs/pull: %w", err)
	}
	var heads []pullHead
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		sha, ref, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		rest, ok := strings.CutPrefix(ref, "refs/pull/")
		if !ok {
			continue
		}
		num, ok := strings.CutSuffix(rest, "/head")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n <= 0 {
			continue
		}
		heads = append(heads, pullHead{number: n, sha: sha})
	}
	sortHeads(heads)
	return heads, nil
}

// grafted returns the commits a shallow clone grafted (listed in
// <common dir>/shallow): git log shows them as root commits whose lines are
// their whole tree, so the review leaves them out.
func grafted(commonDir string) map[string]bool {
	raw, err := os.ReadFile(filepath.Join(commonDir, "shallow"))
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for _, l := range strings.Fields(string(raw)) {
		out[l] = true
	}
	return out
}
