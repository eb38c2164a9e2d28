package action

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// PullRequest is what the report needs from a pull_request or
// pull_request_review event.
type PullRequest struct {
	Owner, Repo string
	Number      int
	Title, URL  string
	// BaseSHA and HeadSHA delimit the PR's own commits (base..head); never
	// GITHUB_SHA, which on pull_request is a test merge commit.
	BaseSHA, HeadSHA string
	BaseRef          string
	// Fork is set for a PR from another repository: its token is read-only.
	Fork    bool
	Created time.Time
	Merged  bool
}

// Push is what the rollup needs from a push event.
type Push struct {
	Owner, Repo   string
	Ref           string
	Before, After string
	DefaultBranch string
	Deleted       bool
	Commits       []string
}

// errNoPR marks an event that carries no pull request.
var errNoPR = errors.New("the event has no pull request")

// ParsePullRequest reads a pull_request, pull_request_target or
// pull_request_review event payload.
func ParsePullRequest(eventName string, payload []byte) (*PullRequest, error) {
	ev, err := github.ParseWebHook(eventName, payload)
	if err != nil {
		return nil, fmt.Errorf("%s event: %w", eventName, err)
	}
	var pr *github.PullRequest
	var repo *github.Repository
	switch e := ev.(type) {
	case *github.PullRequestEvent:
		pr, repo = e.GetPullRequest(), e.GetRepo()
	case *github.PullRequestReviewEvent:
		pr, repo = e.GetPullRequest(), e.GetRepo()
	default:
		return nil, fmt.Errorf("%s: %w", eventName, errNoPR)
	}
	if pr == nil || pr.GetNumber() == 0 || pr.GetBase().GetSHA() == "" || pr.GetHead().GetSHA() == "" {
		return nil, fmt.Errorf("%s event: %w (or no base/head)", eventName, errNoPR)
	}
	owner, name := repo.GetOwner().GetLogin(), repo.GetName()
	if owner == "" || name == "" {
		owner, name, _ = strings.Cut(pr.GetBase().GetRepo().GetFullName(), "/")
	}
	head, base := pr.GetHead().GetRepo(), pr.GetBase().GetRepo()
	fork := head.GetFork() || (head.GetFullName() != "" && !strings.EqualFold(head.GetFullName(), base.GetFullName()))
	return &PullRequest{
		Owner: owner, Repo: name, Number: pr.GetNumber(),
		Title: pr.GetTitle(), URL: pr.GetHTMLURL(),
		BaseSHA: pr.GetBase().GetSHA(), HeadSHA: pr.GetHead().GetSHA(), BaseRef: pr.GetBase().GetRef(),
		Fork: fork, Created: pr.GetCreatedAt().Time, Merged: pr.GetMerged(),
	}, nil
}

// ParsePush reads a push event payload.
func ParsePush(payload []byte) (*Push, error) {
	ev, err := github.ParseWebHook("push", payload)
	if err != nil {
		return nil, fmt.Errorf("push event: %w", err)
	}
	e, ok := ev.(*github.PushEvent)
	if !ok {
		return nil, errors.New("push event: unexpected payload")
	}
	p := &Push{
		Owner: e.GetRepo().GetOwner().GetLogin(), Repo: e.GetRepo().GetName(),
		Ref: e.GetRef(), Before: e.GetBefore(), After: e.GetAfter(),
		DefaultBranch: e.GetRepo().GetDefaultBranch(), Deleted: e.GetDeleted(),
	}
	if p.Owner == "" {
		p.Owner = e.GetRepo().GetOwner().GetName()
	}
	for _, c := range e.Commits {
		if id := c.GetID(); id != "" {
			p.Commits = append(p.Commits, id)
		}
	}
	return p, nil
}

// OnDefaultBranch reports whether the push updated the default branch.
func (p *Push) OnDefaultBranch() bool {
	return p.DefaultBranch != "" && p.Ref == "refs/heads/"+p.DefaultBranch && !p.Deleted
}
