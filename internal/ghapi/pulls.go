package ghapi

import (
	"context"

	"github.com/google/go-github/v60/github"
)

// GitHub's caps on a pull request's lists.
const (
	// MaxPRCommits is the most commits GET /pulls/{n}/commits lists.
	MaxPRCommits = 250
	// MaxPRFiles is the most files GET /pulls/{n}/files lists.
	MaxPRFiles = 3000
)

// maxKeptPRs bounds the pull requests a Client remembers.
const maxKeptPRs = 16

// PullRequest fetches pull request n of owner/repo. The answer is kept for
// PRCommits and PRFiles, which need its commit and file counts.
func (c *Client) PullRequest(ctx context.Context, owner, repo string, n int) (*github.PullRequest, error) {
	var pr *github.PullRequest
	err := c.call(ctx, "get pull request "+prName(owner, repo, n), func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		pr, resp, err = c.gh.PullRequests.Get(ctx, owner, repo, n)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	// A few recent answers are enough (PRCommits and PRFiles follow their
	// PullRequest); a review of thousands of pull requests must not keep
	// them all (tens of KB each).
	if len(c.prs) >= maxKeptPRs {
		clear(c.prs)
	}
	c.prs[prKey{owner, repo, n}] = pr
	c.mu.Unlock()
	return pr, nil
}

// pullRequest returns the pull request fetched earlier by PullRequest, or
// fetches it.
func (c *Client) pullRequest(ctx context.Context, owner, repo string, n int) (*github.PullRequest, error) {
	c.mu.Lock()
	pr := c.prs[prKey{owner, repo, n}]
	c.mu.Unlock()
	if pr != nil {
		return pr, nil
	}
	return c.PullRequest(ctx, owner, repo, n)
}

// PRCommits lists the commits of pull request n, oldest first. complete is
// false when GitHub's cap (MaxPRCommits) cut the list short of the pull
// request's commit count; the whole range must then come from git.
func (c *Client) PRCommits(ctx context.Context, owner, repo string, n int) (commits []*github.RepositoryCommit, complete bool, err error) {
	pr, err := c.pullRequest(ctx, owner, repo, n)
	if err != nil {
		return nil, false, err
	}
	commits, err = collect(ctx, c, "list commits of "+prName(owner, repo, n),
		func(ctx context.Context, opt *github.ListOptions) ([]*github.RepositoryCommit, *github.Response, error) {
			return c.gh.PullRequests.ListCommits(ctx, owner, repo, n, opt)
		})
	if err != nil {
		return nil, false, err
	}
	return commits, len(commits) >= pr.GetCommits(), nil
}

// PRFiles lists the files pull request n changes. complete is false when
// GitHub's cap (MaxPRFiles) cut the list short of the pull request's
// changed_files.
func (c *Client) PRFiles(ctx context.Context, owner, repo string, n int) (files []*github.CommitFile, complete bool, err error) {
	pr, err := c.pullRequest(ctx, owner, repo, n)
	if err != nil {
		return nil, false, err
	}
	files, err = collect(ctx, c, "list files of "+prName(owner, repo, n),
		func(ctx context.Context, opt *github.ListOptions) ([]*github.CommitFile, *github.Response, error) {
			return c.gh.PullRequests.ListFiles(ctx, owner, repo, n, opt)
		})
	if err != nil {
		return nil, false, err
	}
	return files, len(files) >= pr.GetChangedFiles(), nil
}

// Reviews lists the reviews of pull request n in submission order. Their
// State is upper case here (APPROVED, CHANGES_REQUESTED, COMMENTED,
// DISMISSED, PENDING), unlike webhook payloads.
func (c *Client) Reviews(ctx context.Context, owner, repo string, n int) ([]*github.PullRequestReview, error) {
	return collect(ctx, c, "list reviews of "+prName(owner, repo, n),
		func(ctx context.Context, opt *github.ListOptions) ([]*github.PullRequestReview, *github.Response, error) {
			return c.gh.PullRequests.ListReviews(ctx, owner, repo, n, opt)
		})
}

// ReviewComments lists the review comments (comments on the diff) of pull
// request n.
func (c *Client) ReviewComments(ctx context.Context, owner, repo string, n int) ([]*github.PullRequestComment, error) {
	return collect(ctx, c, "list review comments of "+prName(owner, repo, n),
		func(ctx context.Context, opt *github.ListOptions) ([]*github.PullRequestComment, *github.Response, error) {
			return c.gh.PullRequests.ListComments(ctx, owner, repo, n, &github.PullRequestListCommentsOptions{ListOptions: *opt})
		})
}

// PullRequestsWithCommit lists the pull requests that contain commit sha,
// or that were merged as sha (a squash or rebase merge's new commit on the
// base branch maps back to its pull request this way).
func (c *Client) PullRequestsWithCommit(ctx context.Context, owner, repo, sha string) ([]*github.PullRequest, error) {
	return collect(ctx, c, "list pull requests of commit "+sha+" in "+repoName(owner, repo),
		func(ctx context.Context, opt *github.ListOptions) ([]*github.PullRequest, *github.Response, error) {
			return c.gh.PullRequests.ListPullRequestsWithCommit(ctx, owner, repo, sha, opt)
		})
}

// CommitMessage returns the full message of commit sha (GET
// /git/commits/{sha}), to read trailers without a checkout.
func (c *Client) CommitMessage(ctx context.Context, owner, repo, sha string) (string, error) {
	var commit *github.Commit
	err := c.call(ctx, "get commit "+sha+" in "+repoName(owner, repo), func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		commit, resp, err = c.gh.Git.GetCommit(ctx, owner, repo, sha)
		return resp, err
	})
	if err != nil {
		return "", err
	}
	return commit.GetMessage(), nil
}
