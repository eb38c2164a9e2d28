package review

import (
	"context"

	"github.com/tokenyield/tokenyield/internal/ghapi"
)

// GitHub is the repository on GitHub whose history is reviewed: where the
// review learns what git cannot tell (which pull request landed a commit,
// and how its review went), with answers kept in the cache. The command
// line and the Action both use it.
type GitHub struct {
	// Client talks to the API; nil uses only what the cache holds.
	Client *ghapi.Client
	// Owner and Repo name the repository.
	Owner, Repo string
	// CachePath is the review cache (CachePath of the clone); "" caches
	// nothing.
	CachePath string
	// CommitLookups bounds the commits asked about per run (PullsOf); 0
	// means DefaultCommitLookups, a negative number none.
	CommitLookups int
}

// PullsOf is a PullFinder: see PullsOfCommits. progress, when not nil, is
// called as the commits are dealt with. A cancelled context is one more
// note.
func (gh *GitHub) PullsOf(ctx context.Context, shas []string, progress func(done, total int)) (map[string]int, []string) {
	limit := gh.CommitLookups
	if limit == 0 {
		limit = DefaultCommitLookups
	}
	found, notes, err := PullsOfCommits(ctx, gh.Client, gh.CachePath, gh.Owner, gh.Repo, shas, limit, progress)
	if err != nil {
		notes = append(notes, "pull requests of commits: not all asked ("+err.Error()+")")
	}
	return found, notes
}

// AddOutcomes fetches (or reads from the cache) the review outcome of each
// of the dataset's pull requests and attaches them (ApplyPulls). It returns
// the warnings of Pulls; a failure that left outcomes unknown is also noted
// in the dataset's Partial list.
func (gh *GitHub) AddOutcomes(ctx context.Context, d *Dataset, progress func(done, total int)) []string {
	if len(d.PRs) == 0 {
		return nil
	}
	numbers := make([]int, 0, len(d.PRs))
	for _, pr := range d.PRs {
		numbers = append(numbers, pr.Number)
	}
	pulls, warnings, err := Pulls(ctx, gh.Client, gh.CachePath, gh.Owner, gh.Repo, numbers, progress)
	if err != nil {
		warnings = append(warnings, outcomeWarning("%v", err))
		d.Partial = append(d.Partial, "review outcomes: could not all be fetched ("+err.Error()+")")
	}
	ApplyPulls(d, pulls)
	return warnings
}
