package action

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/google/go-github/v60/github"
	"github.com/sethvargo/go-githubactions"

	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/report"
)

// Limits of what the action writes.
const (
	// commentLimit keeps the sticky comment under GitHub's 65,536
	// characters (bytes are never fewer than characters).
	commentLimit = report.CommentLimit
	// summaryLimit keeps the job summary under its 1 MiB per step.
	summaryLimit = report.SummaryLimit
)

// Options are what Run takes besides the action's environment; tests set
// them to avoid waiting and to name the tool.
type Options struct {
	// Tool names the writer in reports, e.g. "tokenyield/0.3.0".
	Tool string
	// Client options for the GitHub API (tests: no sleeping).
	ClientOptions []ghapi.Option
}

// ErrGate is returned when a budget gate fails the step.
var ErrGate = errors.New("a budget limit was exceeded")

// Run is `tokenyield action`: it reads the inputs and the event through a,
// does the work of the mode and the event, and sets the outputs. Problems
// with GitHub (a read-only token, rate limits, a missing notes ref) become
// warnings with a safe result; an error is returned for a breached limit
// (ErrGate, unless warn-only) and for a configuration mistake.
func Run(ctx context.Context, a *githubactions.Action, opt Options) error {
	in, err := ReadInputs(a)
	if err != nil {
		return err
	}
	ghctx, err := a.Context()
	if err != nil {
		return fmt.Errorf("the runner's environment: %w", err)
	}
	if in.Token != "" {
		a.AddMask(in.Token)
	}
	switch in.Mode {
	case ModeTag:
		return runTag(ctx, a, ghctx, in, opt)
	case ModeReview:
		return runReview(ctx, a, ghctx, in, opt)
	}
	switch ghctx.EventName {
	case "pull_request", "pull_request_target", "pull_request_review":
		return runPR(ctx, a, ghctx, in, opt)
	case "push":
		return runPush(ctx, a, ghctx, in, opt)
	default:
		a.Noticef("tokenyield: nothing to report for a %s event (pull_request, pull_request_review and push are)", ghctx.EventName)
		return nil
	}
}

func runPR(ctx context.Context, a *githubactions.Action, ghctx *githubactions.GitHubContext, in Inputs, opt Options) error {
	payload, err := os.ReadFile(ghctx.EventPath)
	if err != nil {
		return fmt.Errorf("the event payload: %w", err)
	}
	pr, err := ParsePullRequest(ghctx.EventName, payload)
	if err != nil {
		return err
	}
	var client *ghapi.Client
	if in.Token != "" {
		opts := append([]ghapi.Option{ghapi.WithWarnings(func(m string) { a.Warningf("tokenyield: %s", m) })}, opt.ClientOptions...)
		if client, err = ghapi.New(ghctx.APIURL, in.Token, opts...); err != nil {
			return err
		}
	}
	rin := report.Input{Tool: opt.Tool, Repo: pr.Owner + "/" + pr.Repo, Number: pr.Number, Title: pr.Title, URL: pr.URL,
		BaseSHA: pr.BaseSHA, HeadSHA: pr.HeadSHA}

	// The commits: from the checkout when it holds the whole range, else
	// from the API.
	g, gerr := trusted(ghctx.Workspace)
	local := false
	if gerr == nil {
		var problems []string
		local, problems = localClone(ctx, g, pr.BaseSHA, pr.HeadSHA, in.NotesRef)
		for _, p := range problems {
			a.Warningf("tokenyield: %s", p)
		}
	}
	fullPR, prErr := fetchPR(ctx, client, pr)
	if prErr != nil {
		a.Warningf("tokenyield: %v", prErr)
	}
	switch {
	case local:
		if rin.Commits, err = LocalCommits(ctx, g, ghctx.Workspace, pr.BaseSHA, pr.HeadSHA); err != nil {
			return err
		}
		if rin.History, err = LocalHistory(ctx, g, ghctx.Workspace, pr.BaseSHA, in.History, pr.Number); err != nil {
			a.Warningf("tokenyield: no comparison with earlier pull requests: %v", err)
		}
	case client != nil && fullPR != nil:
		commits, partial, err := APICommits(ctx, client, pr, fullPR, in.NotesRef)
		if err != nil {
			a.Warningf("tokenyield: %v", err)
			rin.Partial = append(rin.Partial, "commits: could not be read ("+err.Error()+")")
		}
		rin.Commits, rin.Partial = commits, append(rin.Partial, partial...)
	default:
		rin.Partial = append(rin.Partial, "commits: no full checkout and no API access: nothing could be read")
	}
	if client != nil && fullPR != nil {
		if rv, err := Reviews(ctx, client, pr, fullPR); err != nil {
			a.Warningf("tokenyield: %v", err)
		} else {
			rin.Review = rv
		}
	}
	rep := report.Build(rin)
	rep.Breaches = in.Gates.Check(rep) // shown in the comment too

	// Where the report goes: the sticky comment, the job summary, a JSON
	// file, the outputs.
	if in.Comment && client != nil {
		_, err := client.UpsertComment(ctx, pr.Owner, pr.Repo, pr.Number, report.Marker, rep.Markdown(commentLimit))
		switch {
		case err == nil:
		case ghapi.IsReadOnly(err):
			a.Warningf("tokenyield: the token cannot write comments here (a pull request from a fork, or permissions without pull-requests: write): the report is in the job summary; to comment on fork pull requests, use the workflow_run pattern in the README")
		default:
			a.Warningf("tokenyield: the comment could not be written: %v (the report is in the job summary)", err)
		}
	}
	a.AddStepSummary(rep.Markdown(summaryLimit))
	path, err := writeReportJSON(ghctx, rep)
	if err != nil {
		a.Warningf("tokenyield: %v", err)
	}
	setOutputs(a, rep, path)
	return checkGates(a, in, rep)
}

// fetchPR reads the pull request from the API (nil, nil without a client).
func fetchPR(ctx context.Context, c *ghapi.Client, pr *PullRequest) (*github.PullRequest, error) {
	if c == nil {
		return nil, nil // no client: nothing to read, not an error
	}
	full, err := c.PullRequest(ctx, pr.Owner, pr.Repo, pr.Number)
	if err != nil {
		return nil, fmt.Errorf("the pull request: %w", err)
	}
	return full, nil
}

// writeReportJSON writes the report (schema tokenyield/pr-report) with its
// Markdown to $RUNNER_TEMP/tokenyield-report.json (or the workspace) and
// returns the path.
func writeReportJSON(ghctx *githubactions.GitHubContext, rep report.Report) (string, error) {
	b, err := rep.JSON()
	if err != nil {
		return "", err
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return "", err
	}
	doc["markdown"] = rep.Markdown(commentLimit)
	b, err = json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(runnerTemp(ghctx), "tokenyield-report.json")
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil { //nolint:gosec // a report meant to be read by later steps
		return "", fmt.Errorf("report JSON: %w", err)
	}
	return path, nil
}

// runnerTemp is where the action writes files for later steps: the
// runner's temporary directory, else the workspace, else the system's.
func runnerTemp(ghctx *githubactions.GitHubContext) string {
	return cmp.Or(os.Getenv("RUNNER_TEMP"), ghctx.Workspace, os.TempDir())
}

// setOutputs sets the action's outputs; coverage is a percentage, like the
// min-coverage input.
func setOutputs(a *githubactions.Action, rep report.Report, jsonPath string) {
	for name, v := range rep.Outputs() {
		if name == report.OutputCoverage && v != "" {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				v = strconv.FormatFloat(f*100, 'f', 1, 64)
			}
		}
		a.SetOutput(name, v)
	}
	a.SetOutput("report-json", jsonPath)
}

// checkGates turns breached limits into error annotations (warnings with
// warn-only, or when a figure is unknown) and returns ErrGate when the step
// must fail.
func checkGates(a *githubactions.Action, in Inputs, rep report.Report) error {
	failed := 0
	for _, b := range rep.Breaches {
		switch {
		case b.Unknown:
			a.Warningf("tokenyield: %s", b.Message)
		case in.WarnOnly:
			a.Warningf("tokenyield: %s (warn-only)", b.Message)
		default:
			a.Errorf("tokenyield: %s", b.Message)
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%w (%d)", ErrGate, failed)
	}
	return nil
}
