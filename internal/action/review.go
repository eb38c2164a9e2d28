package action

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/report"
	"github.com/tokenyield/tokenyield/internal/review"
)

// reviewWindow is how far back review mode looks.
const reviewWindow = 180 * 24 * time.Hour

// runReview is review mode (schedule, workflow_dispatch): the
// engineering-metrics review of the checkout's history over the last 180
// days, with review outcomes from the API (cached under the git directory,
// which a workflow can keep with actions/cache). The Markdown goes to the
// job summary; review.md, review.html, review.json and the CSV files go to
// a directory named by the review-dir output, for upload-artifact.
func runReview(ctx context.Context, a *githubactions.Action, ghctx *githubactions.GitHubContext, in Inputs, opt Options) error {
	g, err := trusted(ghctx.Workspace)
	if err != nil {
		return err
	}
	if shallow, _ := g.IsShallow(ctx); shallow {
		a.Warningf("tokenyield: the checkout is shallow: the review sees only part of the history (use actions/checkout with fetch-depth: 0)")
	}
	_, _ = g.Run(ctx, "fetch", "--no-tags", "--quiet", "origin", "+"+in.NotesRef+":"+in.NotesRef)
	opts := review.CollectOptions{Since: time.Now().Add(-reviewWindow), DiffTokens: true, DiffTokensMax: review.DiffTokensAutoMax, Tool: opt.Tool}
	owner, repo := ghctx.Repo()
	var gh *review.GitHub
	if in.Token != "" && owner != "" {
		clientOpts := append([]ghapi.Option{ghapi.WithWarnings(func(m string) { a.Warningf("tokenyield: %s", m) })}, opt.ClientOptions...)
		client, err := ghapi.New(ghctx.APIURL, in.Token, clientOpts...)
		if err != nil {
			return err
		}
		cache, err := review.CachePath(ctx, g)
		if err != nil {
			return err
		}
		gh = &review.GitHub{Client: client, Owner: owner, Repo: repo, CachePath: cache}
		opts.FindPulls = func(ctx context.Context, shas []string) (map[string]int, []string) {
			return gh.PullsOf(ctx, shas, nil)
		}
	}
	d, err := review.Collect(ctx, g, ghctx.Workspace, opts)
	if err != nil {
		return err
	}
	if gh != nil {
		for _, w := range gh.AddOutcomes(ctx, &d, nil) {
			a.Warningf("tokenyield: %s", w)
		}
	}
	m := review.Compute(d)
	var md bytes.Buffer
	if err := review.WriteMarkdown(&md, d, m); err != nil {
		return err
	}
	a.AddStepSummary(cutSummary(md.String(), summaryLimit))
	dir := filepath.Join(runnerTemp(ghctx), "tokenyield-review")
	if _, err := review.WriteFiles(dir, d, m, review.Formats...); err != nil {
		return err
	}
	a.SetOutput("review-dir", dir)
	return nil
}

// cutSummary returns the review's Markdown within limit bytes: whole, or cut
// at a line end (no table row or character split) with a note.
func cutSummary(md string, limit int) string {
	if len(md) <= limit {
		return md
	}
	const note = "\n\n… cut at the job summary's size limit: review.md has everything.\n"
	md = report.CutUTF8(md, limit-len(note))
	return md[:strings.LastIndexByte(md, '\n')+1] + note
}
