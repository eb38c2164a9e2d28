// Package review builds the engineering metrics review: it groups a
// branch's history into pull requests (Collect), computes the figures every
// output shows (Compute) and renders them as JSON, CSV, Markdown and HTML.
//
// The flow is Collect -> (optional review outcomes from the API) -> Compute
// -> Write*. Every writer is pure: a Dataset and its Metrics in, bytes out.
package review

import (
	"github.com/tokenyield/tokenyield/internal/report"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/gitstat"
)

// Dataset is the review's input: the history grouped into pull requests.
type Dataset struct {
	// Repo names the repository ("owner/name" when known, else the folder name).
	Repo string
	// Branch is the reviewed branch (or revision).
	Branch string
	// Since and Until bound the review window (zero: unbounded).
	Since, Until time.Time
	// Generated is when the dataset was collected.
	Generated time.Time
	// Tool names the producing tool and version, e.g. "tokenyield 1.2.3".
	Tool string
	// PRs are the merged pull requests, newest merge first.
	PRs []PR
	// Direct are the commits on the branch outside any pull request (their
	// own bucket), newest first.
	Direct []Commit
	// Partial lists figures known to be incomplete.
	Partial []string
}

// PR is one merged pull request and its commits.
type PR struct {
	// Number is the pull request number.
	Number int
	// Title is the PR title (API) or the merge/squash commit subject.
	Title string
	// Author is the PR author login if known (API), else the commit author name.
	Author string
	// Merge is how the PR was merged: "merge" | "squash" | "rebase" | "unknown".
	Merge string
	// MergeSHA is the merge commit, the squash commit or the last rebased commit.
	MergeSHA string
	// MergedAt is when the PR landed on the branch.
	MergedAt time.Time
	// Commits are the PR's own commits, oldest first (squash: the squash
	// commit itself unless the PR's commits are known).
	Commits []Commit
	// Review is the review outcome; nil when unknown (no API / not cached).
	Review *Outcome
	// Reverted is true when a later commit on the branch reverts it
	// ("Revert "..." (#N)" / "This reverts commit <sha>").
	Reverted bool
}

// Commit is one commit with its AI usage and line counts.
type Commit struct {
	// SHA is the full commit hash.
	SHA string
	// Subject is the first line of the commit message.
	Subject string
	// Author is the commit author name.
	Author string
	// Time is the commit (committer) time.
	Time time.Time
	// Usage is the AI usage recorded for the commit (note or trailers).
	Usage attribution.Note
	// Source is where Usage came from: "note" | "trailers" | "" (no data).
	// Each commit is counted once.
	Source string
	// Code are the code lines; Excluded the generated/vendored/lock lines, apart.
	Code, Excluded gitstat.Lines
	// DiffTokens are the tokens of the added code lines, -1 when unknown.
	DiffTokens int64
	// Problem describes a note or trailers that were rejected (never counted).
	Problem string
}

// Outcome is a pull request's review outcome: report.Review, the type the
// pull request report uses (State APPROVED | CHANGES_REQUESTED | COMMENTED
// | NONE | "" unknown; counts of approvals, change requests, rounds and
// review comments; milestones, nil when unknown).
type Outcome = report.Review

// Metrics are the figures every output shows (computed by Compute).
type Metrics struct {
	// Totals are the figures over all PRs and direct commits.
	Totals Figures
	// PRs are the per-PR rows, in Dataset order.
	PRs []PRRow
	// Authors, Agents, Models and Weeks group the figures; Weeks are keyed
	// "2026-W47" (ISO week of the merge) and sorted.
	Authors, Agents, Models, Weeks []Group
	// Direct are the figures of the direct-commits bucket.
	Direct Figures
	// Intensity relates token intensity to review outcomes.
	Intensity Intensity
}

// Figures are the counts, sums, rates and medians of a set of PRs/commits.
type Figures struct {
	// PRs, Commits and CommitsWithData count pull requests, commits and
	// commits with usage data.
	PRs, Commits, CommitsWithData int
	// Input, Output, CacheRead, CacheWrite, Reasoning and Tokens sum the AI
	// usage by kind (Output includes Reasoning; Tokens is the total).
	Input, Output, CacheRead, CacheWrite, Reasoning, Tokens int64
	// CostUSD is the summed cost, nil when unknown: no commit with data, or
	// a commit whose cost is unknown (a model without a price).
	CostUSD *float64
	// CostKnownUSD sums the known costs; with CostUnknownCommits > 0 it is a
	// lower bound of the cost.
	CostKnownUSD float64
	// CostUnknownCommits counts the commits with data whose cost is unknown.
	CostUnknownCommits int
	// LinesAdded and LinesDeleted count code lines; LinesExcluded the
	// generated/vendored/lock lines changed.
	LinesAdded, LinesDeleted, LinesExcluded int64
	// TokensPerLine is Tokens / changed code lines, nil when no changed line.
	TokensPerLine *float64
	// DiffTokensPerOutputToken is diff tokens / AI output tokens, nil unknown.
	DiffTokensPerOutputToken *float64
	// Coverage is CommitsWithData/Commits, nil when 0 commits.
	Coverage *float64
	// OutcomesKnown counts the PRs with a known review outcome.
	OutcomesKnown int
	// MergeRate and ChangeRequestRate are over PRs with a known outcome, nil when none.
	MergeRate, ChangeRequestRate *float64
	// MedianRounds and MedianHoursToMerge are medians over PRs where known.
	MedianRounds, MedianHoursToMerge *float64
	// Reverted counts reverted PRs.
	Reverted int
	// ReworkTokens are the tokens of commits after the first review, over
	// the ReworkPRs pull requests where that can be told (a known first
	// review and the PR's own commits, not a squash commit).
	ReworkTokens int64
	// ReworkPRs counts the PRs whose rework could be measured.
	ReworkPRs int
	// MedianTokensPerPR and MedianCostPerPR are medians over PRs.
	MedianTokensPerPR, MedianCostPerPR *float64
}

// PRRow is one pull request's row in the metrics.
type PRRow struct {
	// Number, Title, Author and Merge copy the PR's fields.
	Number               int
	Title, Author, Merge string
	// MergedAt is when the PR landed.
	MergedAt time.Time
	// Figures are the PR's own figures.
	Figures Figures
	// State is the review state ("" unknown).
	State string
	// Reverted is true when a later commit reverts the PR.
	Reverted bool
}

// Group is the figures of one author, agent, model or week.
type Group struct {
	// Key names the group.
	Key string
	// Figures are the group's figures.
	Figures Figures
}

// Intensity relates token intensity (tokens per changed line) to review outcomes.
type Intensity struct {
	// N counts PRs with tokens>0, lines>0 and a known outcome.
	N int
	// Quartiles are 4 when N >= 8, else empty (no claim).
	Quartiles []Quartile
	// Spearman is the rank correlation of tokens/line vs change requests
	// (or rounds); nil when N < 10.
	Spearman *float64
	// SpearmanOf names what Spearman correlates tokens per line with:
	// "change requests", or "review rounds" when change requests do not vary.
	SpearmanOf string
	// SpearmanP is the two-sided p-value of Spearman (t approximation), nil with it.
	SpearmanP *float64
	// Statement is a plain-language sentence with sample sizes, or
	// "not enough data (N=…)".
	Statement string
}

// Quartile is one intensity quartile and its review outcomes.
type Quartile struct {
	// Label names the quartile ("Q1 (lowest)" …).
	Label string
	// PRs counts the PRs in the quartile.
	PRs int
	// MinTPL and MaxTPL bound the quartile's tokens per line.
	MinTPL, MaxTPL float64
	// ApprovalRate and ChangeRequestRate are over the quartile's PRs, nil when none.
	ApprovalRate, ChangeRequestRate *float64
}
