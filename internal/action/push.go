package action

import (
	"context"
	"fmt"
	"os"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/sethvargo/go-githubactions"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/ledger"
	"github.com/tokenyield/tokenyield/internal/numfmt"
)

// runPush writes rollup notes after a squash or rebase merge: GitHub makes
// new commits on the default branch and the PR's notes stay on the PR's own
// commits. For each pushed commit without a note that is the merge commit
// of a merged pull request (found with the API), the note becomes the sum of
// the notes of the PR's commits; the notes are then pushed. A merge commit
// of a true merge keeps no rollup: its PR's commits, with their notes, are
// in the branch's history; nor does a commit whose message carries AI-Tokens
// trailers (a squash message that kept them, or a rebased copy).
func runPush(ctx context.Context, a *githubactions.Action, ghctx *githubactions.GitHubContext, in Inputs, opt Options) error {
	payload, err := os.ReadFile(ghctx.EventPath)
	if err != nil {
		return fmt.Errorf("the event payload: %w", err)
	}
	p, err := ParsePush(payload)
	if err != nil {
		return err
	}
	if !p.OnDefaultBranch() {
		a.Noticef("tokenyield: a push to %s, not the default branch: no rollup", p.Ref)
		return nil
	}
	if in.Token == "" {
		a.Warningf("tokenyield: no github-token: pull requests cannot be looked up, no rollup")
		return nil
	}
	opts := append([]ghapi.Option{ghapi.WithWarnings(func(m string) { a.Warningf("tokenyield: %s", m) })}, opt.ClientOptions...)
	client, err := ghapi.New(ghctx.APIURL, in.Token, opts...)
	if err != nil {
		return err
	}
	g, err := trusted(ghctx.Workspace)
	if err != nil {
		return err
	}
	_, _ = g.Run(ctx, "fetch", "--no-tags", "--quiet", "origin", "+"+ledger.NotesRef+":"+ledger.NotesRef)
	led, err := ledger.Open(ghctx.Workspace)
	if err != nil {
		return err
	}
	defer func() { _ = led.Close() }()
	commits := p.Commits
	if len(commits) == 0 && p.After != "" {
		commits = []string{p.After}
	}
	written := 0
	for _, sha := range commits {
		if _, has, err := led.Read(plumbing.NewHash(sha)); err == nil && has {
			continue
		}
		// A commit that carries AI-Tokens trailers already says its usage:
		// GitHub's squash message keeps every commit's trailers, and a
		// rebased copy keeps its own (a rollup would count the others twice).
		if msg, err := g.Run(ctx, "log", "-1", "--format=%B", sha, "--"); err == nil {
			if _, n, _ := ledger.ParseTrailers(string(msg)); n > 0 {
				continue
			}
		}
		note, number, err := rollup(ctx, client, p, sha, in.NotesRef)
		if err != nil {
			a.Warningf("tokenyield: %s: %v", shortSHA(sha), err)
			continue
		}
		if number == 0 || len(note.Rows) == 0 {
			continue
		}
		note.Tool = opt.Tool
		if err := led.Write(plumbing.NewHash(sha), note); err != nil {
			return fmt.Errorf("rollup note on %s: %w", shortSHA(sha), err)
		}
		note.Canonicalize()
		a.Noticef("tokenyield: rollup of #%d (%s tokens) written on %s", number, numfmt.Thousands(note.Total.Total), shortSHA(sha))
		written++
	}
	if written > 0 {
		if _, err := ledger.Push(ctx, g, "origin"); err != nil {
			a.Warningf("tokenyield: the rollup notes could not be pushed: %v", err)
		}
	}
	return nil
}

// rollup returns the sum of the notes of the merged pull request whose
// merge commit is sha, and its number (0 when sha is no such commit).
func rollup(ctx context.Context, c *ghapi.Client, p *Push, sha, notesRef string) (attribution.Note, int, error) {
	prs, err := c.PullRequestsWithCommit(ctx, p.Owner, p.Repo, sha)
	if err != nil {
		return attribution.Note{}, 0, err
	}
	for _, pr := range prs {
		if !pr.GetMerged() && pr.MergedAt == nil || pr.GetMergeCommitSHA() != sha {
			continue
		}
		list, _, err := c.PRCommits(ctx, p.Owner, p.Repo, pr.GetNumber())
		if err != nil {
			return attribution.Note{}, 0, err
		}
		shas := make([]string, 0, len(list))
		for _, rc := range list {
			shas = append(shas, rc.GetSHA())
		}
		res, err := c.ReadNotes(ctx, p.Owner, p.Repo, notesRef, shas)
		if err != nil {
			return attribution.Note{}, 0, err
		}
		var sum attribution.Note
		for _, rc := range list {
			blob, has := res.Notes[rc.GetSHA()]
			cu := ledger.UsageOfBlob(blob, has, rc.GetCommit().GetMessage())
			if cu.Source != "" {
				sum = attribution.Merge(sum, cu.Note)
			}
		}
		return sum, pr.GetNumber(), nil
	}
	return attribution.Note{}, 0, nil
}
