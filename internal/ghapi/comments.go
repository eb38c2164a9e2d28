package ghapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"
)

// MaxCommentChars is GitHub's limit on an issue or pull request comment
// body ("Body is too long (maximum is 65536 characters)").
const MaxCommentChars = 65536

// UpsertComment makes body the one comment on issue or pull request n that
// carries marker (a hidden HTML comment such as "<!-- tokenyield:pr-report
// -->") at the start of a line, and returns its id.
//
// It lists all the comments: with none carrying the marker it creates one;
// otherwise it edits the oldest in place (skipped when the body is already
// the same) and deletes the others, which two runs that raced may have
// created. A comment deleted meanwhile by a concurrent run is not an error.
// The marker is put on the first line of body when body lacks it.
//
// A body over MaxCommentChars characters is refused with ErrBodyTooLong
// before anything is sent; a read-only token gives an error matching
// IsReadOnly. When the report was written but a duplicate could not be
// deleted, the id is returned together with the error.
func (c *Client) UpsertComment(ctx context.Context, owner, repo string, n int, marker, body string) (int64, error) {
	op := "update the report comment on " + prName(owner, repo, n)
	if strings.TrimSpace(marker) == "" {
		return 0, &opError{op: op, err: errors.New("empty marker")}
	}
	if !hasMarker(body, marker) {
		body = marker + "\n" + body
	}
	if chars := utf8.RuneCountInString(body); chars > MaxCommentChars {
		return 0, &opError{op: op, kind: ErrBodyTooLong, err: fmt.Errorf("%d characters, GitHub allows %d", chars, MaxCommentChars)}
	}
	// A second pass only when the comment to edit vanished between the
	// listing and the edit (deleted by a concurrent run).
	for pass := 0; ; pass++ {
		all, err := c.issueComments(ctx, owner, repo, n)
		if err != nil {
			return 0, err
		}
		ours := markerComments(all, marker)
		if len(ours) == 0 {
			return c.createComment(ctx, owner, repo, n, body)
		}
		keep := ours[0]
		if keep.GetBody() != body {
			err := c.call(ctx, fmt.Sprintf("edit comment %d on %s", keep.GetID(), prName(owner, repo, n)), func(ctx context.Context) (*github.Response, error) {
				_, resp, err := c.gh.Issues.EditComment(ctx, owner, repo, keep.GetID(), &github.IssueComment{Body: github.String(body)})
				return resp, err
			})
			if errors.Is(err, ErrNotFound) && pass == 0 {
				continue
			}
			if err != nil {
				return 0, err
			}
		}
		var errs []error
		for _, extra := range ours[1:] {
			err := c.call(ctx, fmt.Sprintf("delete duplicate comment %d on %s", extra.GetID(), prName(owner, repo, n)), func(ctx context.Context) (*github.Response, error) {
				return c.gh.Issues.DeleteComment(ctx, owner, repo, extra.GetID())
			})
			if err != nil && !errors.Is(err, ErrNotFound) {
				errs = append(errs, err)
			}
		}
		return keep.GetID(), errors.Join(errs...)
	}
}

func (c *Client) issueComments(ctx context.Context, owner, repo string, n int) ([]*github.IssueComment, error) {
	return collect(ctx, c, "list comments of "+prName(owner, repo, n),
		func(ctx context.Context, opt *github.ListOptions) ([]*github.IssueComment, *github.Response, error) {
			return c.gh.Issues.ListComments(ctx, owner, repo, n, &github.IssueListCommentsOptions{ListOptions: *opt})
		})
}

func (c *Client) createComment(ctx context.Context, owner, repo string, n int, body string) (int64, error) {
	var created *github.IssueComment
	err := c.call(ctx, "create the report comment on "+prName(owner, repo, n), func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		created, resp, err = c.gh.Issues.CreateComment(ctx, owner, repo, n, &github.IssueComment{Body: github.String(body)})
		return resp, err
	})
	if err != nil {
		return 0, err
	}
	return created.GetID(), nil
}

// markerComments returns the comments carrying marker, oldest first.
func markerComments(all []*github.IssueComment, marker string) []*github.IssueComment {
	var ours []*github.IssueComment
	for _, cm := range all {
		if hasMarker(cm.GetBody(), marker) {
			ours = append(ours, cm)
		}
	}
	sort.SliceStable(ours, func(i, j int) bool {
		ti, tj := ours[i].GetCreatedAt().Time, ours[j].GetCreatedAt().Time
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return ours[i].GetID() < ours[j].GetID()
	})
	return ours
}

// hasMarker reports whether marker starts a line of body. A quotation of
// the report in someone's reply ("> <!-- ... -->") does not count, so a
// human comment is never taken for the report and deleted.
func hasMarker(body, marker string) bool {
	for start := 0; start <= len(body); {
		i := strings.Index(body[start:], marker)
		if i < 0 {
			return false
		}
		i += start
		if i == 0 || body[i-1] == '\n' {
			return true
		}
		start = i + 1
	}
	return false
}
