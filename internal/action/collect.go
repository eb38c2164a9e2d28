package action

import (
	"context"
	"fmt"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitstat"
	"github.com/tokenyield/tokenyield/internal/ledger"
	"github.com/tokenyield/tokenyield/internal/report"
	"github.com/tokenyield/tokenyield/internal/review"
)

// LocalCommits reads the commits of base..head from the clone in dir,
// oldest first: their usage (note, else trailers), their lines (code and
// excluded files apart, with the git binary) and the tokens of the lines
// each adds to code files (review.DiffTokens).
func LocalCommits(ctx context.Context, g *gitcli.Git, dir, base, head string) ([]report.Commit, error) {
	rng := base + ".." + head
	// The patches (diff tokens) are read while the line counts are.
	type diffResult struct {
		tokens map[string]int64
		err    error
	}
	diffc := make(chan diffResult, 1)
	go func() {
		t, err := review.DiffTokens(ctx, g, []string{rng}, nil)
		diffc <- diffResult{t, err}
	}()
	stats, err := gitstat.Log(ctx, g, []string{rng})
	diff := <-diffc
	if err != nil {
		return nil, fmt.Errorf("lines of %s: %w", rng, err)
	}
	if diff.err != nil {
		return nil, diff.err
	}
	tokens := diff.tokens
	led, err := ledger.Open(dir)
	if err != nil {
		return nil, err
	}
	defer func() { _ = led.Close() }()
	commits := make([]report.Commit, 0, len(stats))
	for _, s := range stats {
		cu := led.Usage(plumbing.NewHash(s.SHA), s.Message)
		c := report.Commit{
			SHA: s.SHA, Subject: s.Subject(), Author: s.AuthorName, Time: s.CommitTime,
			Usage: cu.Note, Source: cu.Source, Problem: cu.Problem,
			Code:       report.Lines{Added: s.Code.Added, Deleted: s.Code.Deleted},
			Merge:      s.IsMerge(),
			DiffTokens: -1,
		}
		if n, ok := tokens[s.SHA]; ok {
			c.DiffTokens = n
		} else if !s.IsMerge() {
			c.DiffTokens = 0
		}
		for class, l := range s.Excluded {
			c.Excluded = report.Lines{Added: c.Excluded.Added + l.Added, Deleted: c.Excluded.Deleted + l.Deleted}
			if c.ExcludedBy == nil {
				c.ExcludedBy = map[string]report.Lines{}
			}
			c.ExcludedBy[class.String()] = report.Lines{Added: l.Added, Deleted: l.Deleted}
		}
		c.CoAuthorAgents = report.AICoAuthors(s.Message)
		c.AICoAuthor = len(c.CoAuthorAgents) > 0
		commits = append(commits, c)
	}
	// git log lists newest first; the report wants the order they were made.
	slices.Reverse(commits)
	return commits, nil
}
