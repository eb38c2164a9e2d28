package action

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/sethvargo/go-githubactions"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/ledger"
	"github.com/tokenyield/tokenyield/internal/numfmt"
	"github.com/tokenyield/tokenyield/internal/pricing"
	"github.com/tokenyield/tokenyield/internal/sessionlog"
)

// runTag attaches the usage of the agent run in the input session-log to the
// last commit the job created (GITHUB_SHA..HEAD in the workspace) and pushes
// the notes. The whole run's usage goes on that one commit: the log cannot
// say which part produced which commit.
func runTag(ctx context.Context, a *githubactions.Action, ghctx *githubactions.GitHubContext, in Inputs, opt Options) error {
	if in.NotesRef != ledger.NotesRef {
		return fmt.Errorf("input notes-ref: tag mode writes %s only", ledger.NotesRef)
	}
	events, format, err := sessionlog.Read(in.SessionLog, time.Now())
	if err != nil {
		return err
	}
	g, err := trusted(ghctx.Workspace)
	if err != nil {
		return err
	}
	out, err := g.Run(ctx, "rev-list", ghctx.SHA+"..HEAD")
	if err != nil {
		return fmt.Errorf("the commits this job created (%s..HEAD): %w", ghctx.SHA, err)
	}
	commits := strings.Fields(string(out))
	if len(commits) == 0 {
		a.Noticef("tokenyield: the job created no commit after %s: the %s usage is not attached anywhere", shortSHA(ghctx.SHA), format)
		return nil
	}
	if len(events) == 0 {
		a.Noticef("tokenyield: %s has no usage", in.SessionLog)
		return nil
	}
	prices, perr := pricing.LoadDefault(nil, "")
	if perr != nil {
		a.Warningf("tokenyield: prices: %v", perr)
	}
	var pricer attribution.Pricer
	if prices != nil {
		pricer = prices.Memo()
	}
	note := attribution.Sum(events, pricer)
	note.Tool = opt.Tool
	_, _ = g.Run(ctx, "fetch", "--no-tags", "--quiet", "origin", "+"+ledger.NotesRef+":"+ledger.NotesRef)
	led, err := ledger.Open(ghctx.Workspace)
	if err != nil {
		return err
	}
	defer func() { _ = led.Close() }()
	head := plumbing.NewHash(commits[0]) // rev-list lists newest first
	if old, ok, err := led.Read(head); err == nil && ok {
		note = attribution.Merge(old, note)
		note.Tool = opt.Tool
	}
	if err := led.Write(head, note); err != nil {
		return fmt.Errorf("writing the note: %w", err)
	}
	if _, err := ledger.Push(ctx, g, "origin"); err != nil {
		a.Warningf("tokenyield: the note is on %s but could not be pushed: %v", shortSHA(head.String()), err)
		return nil
	}
	note.Canonicalize()
	a.Noticef("tokenyield: %s tokens of the %s attached to %s", numfmt.Thousands(note.Total.Total), format, shortSHA(head.String()))
	return nil
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
