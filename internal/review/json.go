package review

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"
)

// JSON schema identity of WriteJSON's document.
const (
	JSONSchema  = "tokenyield/review"
	JSONVersion = 1
)

// WriteJSON writes the review as one JSON document (indented, ending in a
// newline). Unknown figures are null, never 0; ratios and costs are rounded
// to 6 decimals; times are RFC 3339 UTC.
//
//	{
//	  "schema": "tokenyield/review", "version": 1,
//	  "repo": string, "branch": string,
//	  "since": time | null, "until": time | null, "generated": time, "tool": string,
//	  "partial": [string],                 // figures known to be incomplete
//	  "totals": Figures,                   // PRs and direct commits together
//	  "direct": Figures,                   // commits outside any pull request
//	  "prs": [PR],                         // newest merge first
//	  "direct_commits": [Commit],          // newest first
//	  "authors" | "agents" | "models" | "weeks": [{"key": string, ...Figures}],
//	  "intensity": {
//	    "n": int,                          // PRs with tokens, lines and a known outcome
//	    "quartiles": [{"label", "prs", "min_tokens_per_line", "max_tokens_per_line",
//	                   "approval_rate", "change_request_rate"}],  // [] when n < 8
//	    "spearman": number | null,         // null when n < 10
//	    "spearman_of": "change requests" | "review rounds" | "",
//	    "spearman_p": number | null,
//	    "statement": string
//	  }
//	}
//
// Usage fields (in Figures and PR):
//
//	"commits", "commits_with_data": int, "coverage": share | null,
//	"tokens", "input", "output", "cache_read", "cache_write", "reasoning": int | null (null: commits, none with data),
//	"cost_usd": number | null (null: unknown), "cost_known_usd": number (the priced part),
//	"cost_unknown_commits": int, "lines_added", "lines_deleted", "lines_excluded": int,
//	"tokens_per_line", "diff_tokens_per_output_token": number | null
//
// Figures adds "prs", "outcomes_known", "merge_rate", "change_request_rate",
// "median_rounds", "median_hours_to_merge", "reverted" (a count),
// "rework_tokens" (null when "rework_prs" is 0), "rework_prs",
// "median_tokens_per_pr", "median_cost_per_pr".
//
// PR adds "number", "title", "author", "merge" (merge|squash|rebase|unknown),
// "merge_sha", "merged_at", "state" (null: unknown), "reverted" (bool),
// "rework_tokens", "review" ({"state", "approvals", "change_requests",
// "rounds", "review_comments", "created_at", "first_review_at", "merged_at",
// "merged", "hours_to_merge"} or null) and "commit_list": [Commit].
//
// Commit is {"sha", "subject", "author", "time", "source" (note|trailers|""),
// "tokens" (null: no data), "output", "cost_usd", "lines_added",
// "lines_deleted", "lines_excluded", "diff_tokens" (null: unknown), "problem"}.
func WriteJSON(w io.Writer, d Dataset, m Metrics) error {
	doc := reviewJSON{
		Schema: JSONSchema, Version: JSONVersion,
		Repo: d.Repo, Branch: d.Branch, Since: timePtr(d.Since), Until: timePtr(d.Until),
		Generated: d.Generated.UTC(), Tool: d.Tool, Partial: nonNil(d.Partial),
		Totals: figuresOut(m.Totals), Direct: figuresOut(m.Direct),
		PRs:           make([]prJSON, 0, len(d.PRs)),
		DirectCommits: commitsOut(d.Direct),
		Authors:       groupsOut(m.Authors), Agents: groupsOut(m.Agents),
		Models: groupsOut(m.Models), Weeks: groupsOut(m.Weeks),
		Intensity: intensityOut(m.Intensity),
	}
	for i := range d.PRs {
		var row PRRow
		if i < len(m.PRs) {
			row = m.PRs[i]
		}
		doc.PRs = append(doc.PRs, prOut(&d.PRs[i], row))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("review: write JSON: %w", err)
	}
	return nil
}

type reviewJSON struct {
	Schema        string        `json:"schema"`
	Version       int           `json:"version"`
	Repo          string        `json:"repo"`
	Branch        string        `json:"branch"`
	Since         *time.Time    `json:"since"`
	Until         *time.Time    `json:"until"`
	Generated     time.Time     `json:"generated"`
	Tool          string        `json:"tool"`
	Partial       []string      `json:"partial"`
	Totals        figuresJSON   `json:"totals"`
	Direct        figuresJSON   `json:"direct"`
	PRs           []prJSON      `json:"prs"`
	DirectCommits []commitJSON  `json:"direct_commits"`
	Authors       []groupJSON   `json:"authors"`
	Agents        []groupJSON   `json:"agents"`
	Models        []groupJSON   `json:"models"`
	Weeks         []groupJSON   `json:"weeks"`
	Intensity     intensityJSON `json:"intensity"`
}

// usageJSON are the fields Figures and PR rows share.
type usageJSON struct {
	Commits                  int      `json:"commits"`
	CommitsWithData          int      `json:"commits_with_data"`
	Coverage                 *float64 `json:"coverage"`
	Tokens                   *int64   `json:"tokens"`
	Input                    *int64   `json:"input"`
	Output                   *int64   `json:"output"`
	CacheRead                *int64   `json:"cache_read"`
	CacheWrite               *int64   `json:"cache_write"`
	Reasoning                *int64   `json:"reasoning"`
	CostUSD                  *float64 `json:"cost_usd"`
	CostKnownUSD             float64  `json:"cost_known_usd"`
	CostUnknownCommits       int      `json:"cost_unknown_commits"`
	LinesAdded               int64    `json:"lines_added"`
	LinesDeleted             int64    `json:"lines_deleted"`
	LinesExcluded            int64    `json:"lines_excluded"`
	TokensPerLine            *float64 `json:"tokens_per_line"`
	DiffTokensPerOutputToken *float64 `json:"diff_tokens_per_output_token"`
}

type figuresJSON struct {
	PRs int `json:"prs"`
	usageJSON
	OutcomesKnown      int      `json:"outcomes_known"`
	MergeRate          *float64 `json:"merge_rate"`
	ChangeRequestRate  *float64 `json:"change_request_rate"`
	MedianRounds       *float64 `json:"median_rounds"`
	MedianHoursToMerge *float64 `json:"median_hours_to_merge"`
	Reverted           int      `json:"reverted"`
	ReworkTokens       *int64   `json:"rework_tokens"`
	ReworkPRs          int      `json:"rework_prs"`
	MedianTokensPerPR  *float64 `json:"median_tokens_per_pr"`
	MedianCostPerPR    *float64 `json:"median_cost_per_pr"`
}

type groupJSON struct {
	Key string `json:"key"`
	figuresJSON
}

type prJSON struct {
	Number   int       `json:"number"`
	Title    string    `json:"title"`
	Author   string    `json:"author"`
	Merge    string    `json:"merge"`
	MergeSHA string    `json:"merge_sha"`
	MergedAt time.Time `json:"merged_at"`
	State    *string   `json:"state"`
	Reverted bool      `json:"reverted"`
	usageJSON
	ReworkTokens *int64       `json:"rework_tokens"`
	Review       *outcomeJSON `json:"review"`
	Commits      []commitJSON `json:"commit_list"`
}

type outcomeJSON struct {
	State          string     `json:"state"`
	Approvals      int        `json:"approvals"`
	ChangeRequests int        `json:"change_requests"`
	Rounds         int        `json:"rounds"`
	ReviewComments int        `json:"review_comments"`
	CreatedAt      *time.Time `json:"created_at"`
	FirstReviewAt  *time.Time `json:"first_review_at"`
	MergedAt       *time.Time `json:"merged_at"`
	Merged         bool       `json:"merged"`
	HoursToMerge   *float64   `json:"hours_to_merge"`
}

type commitJSON struct {
	SHA           string    `json:"sha"`
	Subject       string    `json:"subject"`
	Author        string    `json:"author"`
	Time          time.Time `json:"time"`
	Source        string    `json:"source"`
	Tokens        *int64    `json:"tokens"`
	Output        *int64    `json:"output"`
	CostUSD       *float64  `json:"cost_usd"`
	LinesAdded    int64     `json:"lines_added"`
	LinesDeleted  int64     `json:"lines_deleted"`
	LinesExcluded int64     `json:"lines_excluded"`
	DiffTokens    *int64    `json:"diff_tokens"`
	Problem       string    `json:"problem,omitempty"`
}

type quartileJSON struct {
	Label             string   `json:"label"`
	PRs               int      `json:"prs"`
	MinTokensPerLine  float64  `json:"min_tokens_per_line"`
	MaxTokensPerLine  float64  `json:"max_tokens_per_line"`
	ApprovalRate      *float64 `json:"approval_rate"`
	ChangeRequestRate *float64 `json:"change_request_rate"`
}

type intensityJSON struct {
	N          int            `json:"n"`
	Quartiles  []quartileJSON `json:"quartiles"`
	Spearman   *float64       `json:"spearman"`
	SpearmanOf string         `json:"spearman_of"`
	SpearmanP  *float64       `json:"spearman_p"`
	Statement  string         `json:"statement"`
}

// r6 rounds to 6 decimals (nil stays nil).
func r6(f *float64) *float64 {
	if f == nil {
		return nil
	}
	v := math.Round(*f*1e6) / 1e6
	return &v
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// known returns &v when the figure is known (ok), else nil.
func known(ok bool, v int64) *int64 {
	if !ok {
		return nil
	}
	return &v
}

// usageOut converts the usage fields; tokens are unknown (null) for a set
// with commits but none with data.
func usageOut(f Figures) usageJSON {
	data := f.CommitsWithData > 0 || f.Commits == 0
	return usageJSON{
		Commits: f.Commits, CommitsWithData: f.CommitsWithData, Coverage: r6(f.Coverage),
		Tokens: known(data, f.Tokens), Input: known(data, f.Input),
		Output: known(data, f.Output), CacheRead: known(data, f.CacheRead),
		CacheWrite: known(data, f.CacheWrite), Reasoning: known(data, f.Reasoning),
		CostUSD: r6(f.CostUSD), CostKnownUSD: *r6(&f.CostKnownUSD), CostUnknownCommits: f.CostUnknownCommits,
		LinesAdded: f.LinesAdded, LinesDeleted: f.LinesDeleted, LinesExcluded: f.LinesExcluded,
		TokensPerLine: r6(f.TokensPerLine), DiffTokensPerOutputToken: r6(f.DiffTokensPerOutputToken),
	}
}

func figuresOut(f Figures) figuresJSON {
	return figuresJSON{
		PRs: f.PRs, usageJSON: usageOut(f),
		OutcomesKnown: f.OutcomesKnown, MergeRate: r6(f.MergeRate), ChangeRequestRate: r6(f.ChangeRequestRate),
		MedianRounds: r6(f.MedianRounds), MedianHoursToMerge: r6(f.MedianHoursToMerge),
		Reverted: f.Reverted, ReworkTokens: known(f.ReworkPRs > 0, f.ReworkTokens), ReworkPRs: f.ReworkPRs,
		MedianTokensPerPR: r6(f.MedianTokensPerPR), MedianCostPerPR: r6(f.MedianCostPerPR),
	}
}

func groupsOut(gs []Group) []groupJSON {
	out := make([]groupJSON, 0, len(gs))
	for _, g := range gs {
		out = append(out, groupJSON{Key: g.Key, figuresJSON: figuresOut(g.Figures)})
	}
	return out
}

func prOut(pr *PR, row PRRow) prJSON {
	out := prJSON{
		Number: pr.Number, Title: pr.Title, Author: pr.Author, Merge: pr.Merge,
		MergeSHA: pr.MergeSHA, MergedAt: pr.MergedAt.UTC(), Reverted: pr.Reverted,
		usageJSON:    usageOut(row.Figures),
		ReworkTokens: known(row.Figures.ReworkPRs > 0, row.Figures.ReworkTokens),
		Commits:      commitsOut(pr.Commits),
	}
	if o := pr.Review; o != nil {
		state := o.State
		out.State = &state
		out.Review = &outcomeJSON{
			State: o.State, Approvals: o.Approvals, ChangeRequests: o.ChangeRequests,
			Rounds: o.Rounds, ReviewComments: o.ReviewComments,
			CreatedAt: utc(o.Created), FirstReviewAt: utc(o.FirstReview), MergedAt: utc(o.MergedAt),
			Merged: o.Merged || o.MergedAt != nil, HoursToMerge: r6(hoursToMerge(pr)),
		}
	}
	return out
}

// hoursToMerge is the time from the PR's creation to its merge, nil when
// unknown.
func hoursToMerge(pr *PR) *float64 {
	o := pr.Review
	if o == nil || o.Created == nil {
		return nil
	}
	merged := pr.MergedAt
	if o.MergedAt != nil {
		merged = *o.MergedAt
	}
	if merged.IsZero() || merged.Before(*o.Created) {
		return nil
	}
	return ptr(merged.Sub(*o.Created).Hours())
}

func utc(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func commitsOut(cs []Commit) []commitJSON {
	out := make([]commitJSON, 0, len(cs))
	for i := range cs {
		c := &cs[i]
		p := commitPart(c, nil)
		j := commitJSON{
			SHA: c.SHA, Subject: c.Subject, Author: c.Author, Time: c.Time.UTC(), Source: c.Source,
			LinesAdded: c.Code.Added, LinesDeleted: c.Code.Deleted,
			LinesExcluded: c.Excluded.Added + c.Excluded.Deleted, Problem: c.Problem,
		}
		if p.data {
			j.Tokens, j.Output = ptr(p.tokens), ptr(p.u.Output)
			if p.costOK {
				j.CostUSD = ptr(roundMicro(p.cost))
			}
		}
		if c.DiffTokens >= 0 {
			j.DiffTokens = ptr(c.DiffTokens)
		}
		out = append(out, j)
	}
	return out
}

func intensityOut(in Intensity) intensityJSON {
	out := intensityJSON{
		N: in.N, Quartiles: make([]quartileJSON, 0, len(in.Quartiles)),
		Spearman: r6(in.Spearman), SpearmanOf: in.SpearmanOf, SpearmanP: r6(in.SpearmanP), Statement: in.Statement,
	}
	for _, q := range in.Quartiles {
		out.Quartiles = append(out.Quartiles, quartileJSON{
			Label: q.Label, PRs: q.PRs,
			MinTokensPerLine: *r6(&q.MinTPL), MaxTokensPerLine: *r6(&q.MaxTPL),
			ApprovalRate: r6(q.ApprovalRate), ChangeRequestRate: r6(q.ChangeRequestRate),
		})
	}
	return out
}
