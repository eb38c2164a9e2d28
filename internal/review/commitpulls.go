package review

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/internal/ghapi"
)

// Which pull request landed a commit, when git cannot tell: a rebase merge
// writes new commits with no "(#N)" in their subjects, a squash merge's
// subject may have been edited, a merge commit's message rewritten; without
// the refs/pull/*/head refs fetched such commits look like direct pushes.
// GitHub knows: GET /repos/{owner}/{repo}/commits/{sha}/pulls lists "the
// merged pull request that introduced the commit to the repository".
//
// One request per commit is dear on a long history, so
//
//   - only the first-parent commits nothing else ties to a pull request are
//     asked about, newest first, at most a bound per run (the rest stay
//     direct, and the review says so, until a later run asks);
//   - every answer is kept in the review cache (table commit_pulls): a
//     commit of the branch does not change its pull request, so a second
//     run asks nothing again;
//   - an answer GitHub cannot give (422: the commit is not on GitHub, not
//     pushed yet) is not kept: the next run asks again;
//   - the asking stops once a quarter of the hourly quota is left, as for
//     the review outcomes (quotaKeptShare).

// DefaultCommitLookups is how many commits a run asks GitHub about at most
// (one request each) unless told otherwise.
const DefaultCommitLookups = 500

// PullsOfCommits returns, for each commit of shas whose merged pull request
// of owner/repo GitHub names, that pull request's number. shas are asked
// newest first (give them so): answers in the cache at cachePath first,
// then at most maxAsk requests through c (0 or less: none, and a note
// says so; c nil: the cache only, silently). A commit missing from the map landed directly, as far as is known.
//
// Whatever left commits unanswered comes back as notes for the review's
// Partial list; progress, when not nil, is called with the commits dealt
// with and their total. The error is the context's, when ctx ends.
func PullsOfCommits(ctx context.Context, c *ghapi.Client, cachePath, owner, repo string, shas []string, maxAsk int, progress func(done, total int)) (map[string]int, []string, error) {
	cache, cached, warnings := openRepoCache(ctx, c, cachePath, owner, repo, (*outcomeCache).loadCommitPulls)
	defer cache.Close()
	if progress == nil {
		progress = func(int, int) {}
	}

	out := map[string]int{}
	var todo []string
	for _, sha := range shas {
		n, ok := cached[strings.ToLower(sha)]
		switch {
		case ok && n > 0:
			out[sha] = n
		case ok: // known to be direct
		default:
			todo = append(todo, sha)
		}
	}
	done, total := len(shas)-len(todo), len(shas)
	progress(done, total)
	notAsked, off := 0, false
	switch {
	case c == nil:
		todo = nil // no token: what the cache knows is all there is
	case maxAsk <= 0:
		notAsked, off, todo = len(todo), true, nil
	case len(todo) > maxAsk:
		notAsked = len(todo) - maxAsk
		todo = todo[:maxAsk]
	}

	var unknown, failed int
	var stopErr error
	consecutive := 0
	for k, sha := range todo {
		if err := ctx.Err(); err != nil {
			return out, warnings, err
		}
		if err := quotaStop(c); err != nil {
			stopErr = err
			notAsked += len(todo) - k
			break
		}
		n, err := pullOfCommit(ctx, c, owner, repo, sha)
		switch {
		case err == nil:
			consecutive = 0
			if n > 0 {
				out[sha] = n
			}
			if cache != nil {
				if err := cache.putCommitPull(ctx, sha, n); err != nil {
					warnings = append(warnings, outcomeWarning("cannot write the cache %s (%v); this run continues without it", cache.path, err))
					cache.Close()
					cache = nil
				}
			}
		case ctx.Err() != nil:
			return out, warnings, ctx.Err()
		case errors.Is(err, ghapi.ErrUnprocessable):
			consecutive = 0
			unknown++
		case errors.Is(err, ghapi.ErrServer) && consecutive+1 < maxConsecutiveFailures:
			consecutive++
			failed++
		default:
			stopErr = err
			notAsked += len(todo) - k
		}
		if stopErr != nil {
			break
		}
		done++
		progress(done, total)
	}
	progress(total, total)

	if unknown > 0 {
		warnings = append(warnings, fmt.Sprintf("pull requests of commits: GitHub does not know %d commit(s) of the branch (not pushed?): counted as direct", unknown))
	}
	if failed > 0 {
		warnings = append(warnings, fmt.Sprintf("pull requests of commits: GitHub failed on %d commit(s) (server errors): counted as direct", failed))
	}
	switch {
	case stopErr != nil:
		warnings = append(warnings, outcomeWarning("stopped asking GitHub which pull requests landed commits after %v; %d commit(s) counted as direct for now; a later run resumes", stopErr, notAsked))
	case off && notAsked > 0:
		warnings = append(warnings, fmt.Sprintf("pull requests of commits: GitHub was not asked about %d commit(s) git cannot place (lookups off): counted as direct", notAsked))
	case notAsked > 0:
		warnings = append(warnings, fmt.Sprintf("pull requests of commits: %d older commit(s) not yet asked about (GitHub is asked about %d per run, newest first; answers are cached): counted as direct for now", notAsked, maxAsk))
	}
	return out, warnings, nil
}

// pullOfCommit asks GitHub for the merged pull request that landed sha:
// among the pull requests it lists into this repository, the merged one
// merged as sha, else the earliest merged; 0 for none (an open pull request
// containing the commit did not land it, nor did one into another
// repository of the fork network).
func pullOfCommit(ctx context.Context, c *ghapi.Client, owner, repo, sha string) (int, error) {
	prs, err := c.PullRequestsWithCommit(ctx, owner, repo, sha)
	if err != nil {
		return 0, err
	}
	best, bestAt := 0, time.Time{}
	for _, pr := range prs {
		at := pr.GetMergedAt().Time
		if at.IsZero() || pr.GetNumber() <= 0 {
			continue
		}
		if base := pr.GetBase().GetRepo().GetFullName(); base != "" && !strings.EqualFold(base, owner+"/"+repo) {
			continue
		}
		if strings.EqualFold(pr.GetMergeCommitSHA(), sha) {
			return pr.GetNumber(), nil
		}
		if best == 0 || at.Before(bestAt) {
			best, bestAt = pr.GetNumber(), at
		}
	}
	return best, nil
}
