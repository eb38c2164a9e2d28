package report

import "time"

// Schema and Version identify the JSON encoding of a Report. Version grows
// only when a field is removed or changes meaning; new fields may appear
// within a version.
const (
	Schema  = "tokenyield/pr-report"
	Version = 1
)

// Report is the pull request report: the figures Build derives from an
// Input, ready for Markdown, JSON and Gates. Its JSON form is documented in
// the package doc. Text fields hold the caller's text cleaned to one line and
// bounded in length, not escaped: Markdown escapes, JSON consumers must too.
type Report struct {
	Schema  string `json:"schema"`
	Version int    `json:"version"`
	Tool    string `json:"tool,omitempty"`
	Repo    string `json:"repo"`
	Number  int    `json:"number"`
	Title   string `json:"title"`
	URL     string `json:"url,omitempty"`
	BaseSHA string `json:"base_sha"`
	HeadSHA string `json:"head_sha"`

	Totals   Totals      `json:"totals"`
	Coverage Coverage    `json:"coverage"`
	Commits  []CommitRow `json:"commits"`
	Agents   []AgentRow  `json:"agents"`
	// Review is nil when reviews are unknown.
	Review *ReviewReport `json:"review"`
	// Rework is nil when there is no first review (or reviews are unknown).
	Rework *Rework `json:"rework"`
	// History is nil when no history was given.
	History *Comparison `json:"history"`
	// Partial lists figures known to be incomplete.
	Partial []string `json:"partial"`
	// Problems lists the commits whose notes or trailers were rejected.
	Problems []Problem `json:"problems"`
	// Breaches is empty unless the caller stores Gates.Check's result here,
	// which makes Markdown show them under the headline.
	Breaches []Breach `json:"breaches"`
}

// Figures are token counts and cost summed over note rows.
type Figures struct {
	Input      int64 `json:"input"`
	Output     int64 `json:"output"`
	CacheRead  int64 `json:"cache_read"`
	CacheWrite int64 `json:"cache_write"`
	// Reasoning is the part of Output spent on reasoning.
	Reasoning int64 `json:"reasoning"`
	// Total is Input + Output + CacheRead + CacheWrite.
	Total    int64 `json:"total"`
	Requests int64 `json:"requests"`
	// CostUSD is nil when any row's price is unknown; the sum of no rows is 0.
	CostUSD *float64 `json:"cost_usd"`
	// PricedUSD is the cost of the priced rows: a lower bound of the cost
	// when CostUSD is nil.
	PricedUSD float64 `json:"priced_usd"`
	// UnpricedTokens are the tokens of rows without a price.
	UnpricedTokens int64 `json:"unpriced_tokens"`
	// Estimated: some figures are estimated. LowerBound: some are known to
	// under-count.
	Estimated  bool `json:"estimated"`
	LowerBound bool `json:"lower_bound"`
}

// Totals are the pull request's figures.
type Totals struct {
	Figures
	// Lines is nil when the lines of every commit are unknown.
	Lines *LineTotals `json:"lines"`
	// TokensPerLine is Total / (code lines added + deleted); nil when no
	// code line changed or some commit's lines are unknown.
	TokensPerLine *float64 `json:"tokens_per_line"`
	// DiffTokens sums the commits' diff tokens; nil when all are unknown.
	DiffTokens *int64 `json:"diff_tokens"`
	// DiffTokensUnknown counts the commits whose diff tokens are unknown.
	DiffTokensUnknown int `json:"diff_tokens_unknown_commits"`
}

// LineTotals sums the lines of the commits whose lines are known.
type LineTotals struct {
	// Added and Deleted count code lines.
	Added   int64 `json:"added"`
	Deleted int64 `json:"deleted"`
	// Excluded counts generated, vendored and lock files' lines.
	Excluded Lines `json:"excluded"`
	// ExcludedBy splits Excluded by kind when the caller did.
	ExcludedBy map[string]Lines `json:"excluded_by,omitempty"`
	// UnknownCommits counts the commits whose lines are unknown: the figures
	// above are then lower bounds.
	UnknownCommits int `json:"unknown_commits"`
}

// Changed is Added + Deleted.
func (l LineTotals) Changed() int64 { return satAdd(nonNeg(l.Added), l.Deleted) }

// Coverage says how many commits carry usage data.
type Coverage struct {
	Commits      int `json:"commits"`
	WithData     int `json:"with_data"`
	FromNotes    int `json:"from_notes"`
	FromTrailers int `json:"from_trailers"`
	// Ratio is WithData / Commits, nil when there are no commits.
	Ratio *float64 `json:"ratio"`
	// AICoAuthorWithoutData counts commits with an AI co-author trailer and
	// no usage data: AI work the figures miss.
	AICoAuthorWithoutData int `json:"ai_coauthor_without_data"`
	// Rejected counts commits whose note or trailers were rejected.
	Rejected int `json:"rejected"`
}

// CommitRow is one commit in the report.
type CommitRow struct {
	SHA     string     `json:"sha"`
	Subject string     `json:"subject"`
	Author  string     `json:"author"`
	Time    *time.Time `json:"time"`
	Source  string     `json:"source"`
	Problem string     `json:"problem,omitempty"`
	// Agents and Models are the distinct names in the commit's usage, the
	// largest first.
	Agents []string `json:"agents"`
	Models []string `json:"models"`
	// Usage is nil when the commit has no usage data.
	Usage *Figures `json:"usage"`
	// Lines and Excluded are nil when unknown.
	Lines    *Lines `json:"lines"`
	Excluded *Lines `json:"excluded"`
	Merge    bool   `json:"merge"`
	// DiffTokens is nil when unknown.
	DiffTokens       *int64   `json:"diff_tokens"`
	AfterFirstReview bool     `json:"after_first_review"`
	AICoAuthor       bool     `json:"ai_coauthor"`
	CoAuthorAgents   []string `json:"coauthor_agents,omitempty"`
}

// AgentRow is the usage of one (agent, model) over the pull request.
type AgentRow struct {
	Agent string `json:"agent"`
	Model string `json:"model"`
	// Commits counts the commits it appears in; Sessions its distinct
	// sessions (trailers carry none).
	Commits  int `json:"commits"`
	Sessions int `json:"sessions"`
	Figures
}

// ReviewReport is the review outcome.
type ReviewReport struct {
	// State is upper-case (see Review.State); "" when unknown.
	State          string     `json:"state"`
	Approvals      int        `json:"approvals"`
	ChangeRequests int        `json:"change_requests"`
	Rounds         int        `json:"rounds"`
	ReviewComments int        `json:"review_comments"`
	CreatedAt      *time.Time `json:"created_at"`
	FirstReviewAt  *time.Time `json:"first_review_at"`
	Merged         bool       `json:"merged"`
	MergedAt       *time.Time `json:"merged_at"`
	// TimeToFirstReview and TimeToMerge are in seconds from CreatedAt; nil
	// when either end is unknown.
	TimeToFirstReview *int64 `json:"time_to_first_review_s"`
	TimeToMerge       *int64 `json:"time_to_merge_s"`
}

// Rework splits the usage at the first review: commits made after it are
// taken to answer the review.
type Rework struct {
	FirstReviewAt time.Time  `json:"first_review_at"`
	Before        ReworkPart `json:"before"`
	After         ReworkPart `json:"after"`
	// AfterShare is After's share of the tokens, nil when there are none.
	AfterShare *float64 `json:"after_share"`
}

// ReworkPart is the usage of the commits on one side of the first review.
type ReworkPart struct {
	Commits int `json:"commits"`
	Figures
}

// Comparison sets this pull request against the repository's recent ones.
type Comparison struct {
	// PRs is the number of recent pull requests compared with.
	PRs           int  `json:"prs"`
	Tokens        Rank `json:"tokens"`
	CostUSD       Rank `json:"cost_usd"`
	TokensPerLine Rank `json:"tokens_per_line"`
}

// Rank places one figure of this pull request among the recent ones.
type Rank struct {
	// This is this pull request's figure, nil when unknown.
	This *float64 `json:"this"`
	// Median is the recent pull requests' median, nil when none is known.
	Median *float64 `json:"median"`
	// Position is 1 for the highest figure; 0 when This is unknown. Of is
	// the number of known figures ranked, this one included.
	Position int `json:"rank"`
	Of       int `json:"of"`
}

// Problem is a commit whose usage data was rejected.
type Problem struct {
	SHA     string `json:"sha"`
	Problem string `json:"problem"`
}
