package report

import (
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// Source values of Commit.Source (the same strings as ledger.FromNote and
// ledger.FromTrailers).
const (
	SourceNote     = "note"
	SourceTrailers = "trailers"
)

// Lines counts added and deleted lines, as git's --numstat does.
type Lines struct {
	Added   int64 `json:"added"`
	Deleted int64 `json:"deleted"`
}

// Changed is Added + Deleted: the "changed lines" of tokens per line.
func (l Lines) Changed() int64 { return satAdd(nonNeg(l.Added), l.Deleted) }

// Commit is one commit of the pull request as the caller found it: its usage
// (from ledger.UsageOf) and its lines (from gitstat). The zero value of every
// optional field means "known and zero" except where a field says otherwise.
type Commit struct {
	// SHA is the full commit id.
	SHA string
	// Subject is the first line of the message. It is untrusted text: Build
	// keeps it on one line and bounds its length; Markdown escapes it.
	Subject string
	// Author is the author's name (untrusted text, like Subject).
	Author string
	// Time is the committer time: when the commit was made in its current
	// form. The rework split compares it with the first review.
	Time time.Time
	// Usage is the commit's note, or the note built from its trailers.
	// It is ignored when Source is "".
	Usage attribution.Note
	// Source is SourceNote, SourceTrailers or "" when the commit has no
	// usage data.
	Source string
	// Problem says why a note or trailers of this commit were rejected
	// (ledger.CommitUsage.Problem); "" when none were.
	Problem string
	// Code counts the lines of code files; Excluded the lines of generated,
	// vendored and lock files, which are not "changed lines".
	Code, Excluded Lines
	// ExcludedBy optionally splits Excluded by kind (for example "lock",
	// "generated", "vendored": gitstat's class names). Nil is fine.
	ExcludedBy map[string]Lines
	// LinesUnknown is true when Code and Excluded are not known (for example
	// no checkout and no API figures for this commit).
	LinesUnknown bool
	// Merge marks a merge commit: git reports no lines for it by default.
	Merge bool
	// DiffTokens is the number of tokens of the commit's diff text, or -1
	// when unknown. Note that 0 means "known to be zero": set -1 when the
	// caller did not count.
	DiffTokens int64
	// AICoAuthor is true when the message has a Co-authored-by trailer of a
	// known AI agent (see AICoAuthors).
	AICoAuthor bool
	// CoAuthorAgents optionally names those agents (AICoAuthors' result).
	CoAuthorAgents []string
}

// Review is what is known of the pull request's reviews. Callers build it
// with SummarizeReviews and then set the fields that come from the pull
// request itself (Created, Merged, MergedAt, ReviewComments).
type Review struct {
	// State is the overall outcome: ReviewApproved, ReviewChangesRequested,
	// ReviewCommented, ReviewDismissed, ReviewNone (no review submitted), or
	// "" when unknown. Any casing is accepted and upper-cased by Build.
	State string
	// Approvals and ChangeRequests count the submitted reviews with those
	// states (a reviewer who approves twice counts twice).
	Approvals, ChangeRequests int
	// Rounds is the number of review rounds: distinct commits that received
	// at least one review.
	Rounds int
	// ReviewComments is the number of comments on the diff.
	ReviewComments int
	// Created is when the pull request was opened; FirstReview when its first
	// review (not by its author) was submitted; MergedAt when it was merged.
	// Nil means unknown or, for FirstReview and MergedAt, not yet.
	Created, FirstReview, MergedAt *time.Time
	// Merged is true once the pull request is merged.
	Merged bool
}

// Review states, as the REST API spells them.
const (
	ReviewApproved         = "APPROVED"
	ReviewChangesRequested = "CHANGES_REQUESTED"
	ReviewCommented        = "COMMENTED"
	ReviewDismissed        = "DISMISSED"
	ReviewPending          = "PENDING"
	// ReviewNone is the State of a pull request with no submitted review.
	ReviewNone = "NONE"
)

// HistoryPR is one recent pull request of the repository, for comparison.
type HistoryPR struct {
	// Number is the pull request number; an entry with the number of the
	// reported pull request is ignored.
	Number int
	// Tokens is its total tokens; 0 is a pull request without AI usage,
	// a negative count is unknown (the entry is ignored).
	Tokens int64
	// CostUSD is its cost, nil when unknown.
	CostUSD *float64
	// LinesChanged is its changed code lines (added + deleted); 0 or less
	// leaves its tokens per line unknown.
	LinesChanged int64
}

// Input is everything Build needs: the pull request, its commits in order
// (oldest first) and, when known, its reviews and the repository's history.
type Input struct {
	// Tool names the writer, e.g. "tokenyield/0.3.0"; it goes to the JSON.
	Tool string
	// Repo is "owner/name".
	Repo string
	// Number is the pull request number; 0 for a local report of a range.
	Number int
	// Title and URL are the pull request's; both may be empty.
	Title, URL string
	// BaseSHA and HeadSHA bound the reported range (base..head).
	BaseSHA, HeadSHA string
	// Commits are the pull request's own commits, oldest first.
	Commits []Commit
	// Review is nil when reviews are unknown (no token, local report).
	Review *Review
	// Partial lists figures known to be incomplete, one sentence each, e.g.
	// "commits: the pull request has 312 commits, the API listed 250".
	Partial []string
	// History is recent pull requests of the repository; may be empty.
	History []HistoryPR
}
