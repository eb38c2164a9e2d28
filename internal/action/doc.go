// Package action is the GitHub Action (`tokenyield action`, run by
// action.yml): on pull_request and pull_request_review events it reports the
// AI usage of the pull request's own commits (base..head, never GITHUB_SHA)
// next to their lines and the review outcome, as one sticky comment, the job
// summary, outputs and a JSON file, and applies the budget gates; on a push
// to the default branch it writes rollup notes after squash and rebase
// merges; in tag mode it attaches an agent run's usage (a session log) to the
// commits the job created.
//
// The commits come from the checkout when it holds the whole range (the
// notes ref is fetched here: actions/checkout fetches no notes), else from
// the API (at most 250 commits, notes through the Git Data API, no lines per
// commit), and the report says which figures are partial. Problems with
// GitHub (a read-only token on a fork's pull request, rate limits, a missing
// notes ref) are warnings with a safe result, never a failed step; only a
// breached limit (unless warn-only) or a configuration mistake fails it.
package action
