package action

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/ledger"
	"github.com/tokenyield/tokenyield/internal/report"
	"github.com/tokenyield/tokenyield/internal/review"
)

// APICommits reads the pull request's commits without a clone: the list
// (GitHub lists at most 250), their messages (for trailers), and their notes
// through the Git Data API. Lines per commit are not known this way; partial
// says what is missing, including the pull request's own line totals.
func APICommits(ctx context.Context, c *ghapi.Client, pr *PullRequest, full *github.PullRequest, notesRef string) (commits []report.Commit, partial []string, err error) {
	list, complete, err := c.PRCommits(ctx, pr.Owner, pr.Repo, pr.Number)
	if err != nil {
		return nil, nil, fmt.Errorf("the pull request's commits: %w", err)
	}
	if !complete {
		partial = append(partial, fmt.Sprintf("commits: the pull request has %d commits and GitHub lists at most 250; a full clone (fetch-depth: 0) reports them all", full.GetCommits()))
	}
	shas := make([]string, 0, len(list))
	for _, rc := range list {
		shas = append(shas, rc.GetSHA())
	}
	res, err := c.ReadNotes(ctx, pr.Owner, pr.Repo, notesRef, shas)
	if err != nil {
		return nil, nil, fmt.Errorf("notes: %w", err)
	}
	for _, rc := range list {
		msg := rc.GetCommit().GetMessage()
		blob, has := res.Notes[rc.GetSHA()]
		cu := ledger.UsageOfBlob(blob, has, msg)
		if why, skipped := res.Skipped[rc.GetSHA()]; skipped {
			cu.Problem = strings.TrimPrefix(cu.Problem+"; note ignored: "+why, "; ")
		}
		subject, _, _ := strings.Cut(msg, "\n")
		agents := report.AICoAuthors(msg)
		commits = append(commits, report.Commit{
			SHA: rc.GetSHA(), Subject: subject, Author: rc.GetCommit().GetAuthor().GetName(),
			Time:  rc.GetCommit().GetCommitter().GetDate().Time,
			Usage: cu.Note, Source: cu.Source, Problem: cu.Problem,
			LinesUnknown: true, Merge: len(rc.Parents) > 1, DiffTokens: -1,
			AICoAuthor: len(agents) > 0, CoAuthorAgents: agents,
		})
	}
	partial = append(partial, fmt.Sprintf("lines: per-commit lines need a full clone (actions/checkout with fetch-depth: 0); GitHub's totals for the pull request are +%d/−%d over all files", full.GetAdditions(), full.GetDeletions()))
	return commits, partial, nil
}

// Reviews reads the pull request's review outcome from the API
// (review.PullOutcome: the review comments come from full's count).
func Reviews(ctx context.Context, c *ghapi.Client, pr *PullRequest, full *github.PullRequest) (*report.Review, error) {
	rv, err := review.PullOutcome(ctx, c, pr.Owner, pr.Repo, pr.Number, full)
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	return &rv, nil
}
