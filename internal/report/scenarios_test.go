package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// The sample pull requests of the golden tests. Figures are chosen so that
// every total can be checked by hand (see TestBuildNormalTotals).

const (
	opus  = "claude-opus-4-6"
	gpt   = "gpt-5.3-codex"
	sonet = "claude-sonnet-4-5"
)

// normalInput is a typical reviewed pull request: six commits, four with
// notes from two agents, one with trailers, one with Claude's co-author
// trailer but no data; a lock file; an approval after a change request.
func normalInput() Input {
	created := t0
	firstReview := t0.Add(3*time.Hour + 12*time.Minute)
	merged := t0.Add(28*time.Hour + 5*time.Minute)
	return Input{
		Tool:    "tokenyield/test",
		Repo:    "octo-org/widgets",
		Number:  42,
		Title:   "Parser: streaming input",
		URL:     "https://github.com/octo-org/widgets/pull/42",
		BaseSHA: sha(100),
		HeadSHA: sha(6),
		Commits: []Commit{
			{
				SHA: sha(1), Subject: "Add streaming parser", Author: "Ada", Time: t0.Add(-2 * time.Hour),
				Source: SourceNote,
				Usage: note(
					row(attribution.AgentClaudeCode, opus, "s1", attribution.Usage{Input: 1200, CacheRead: 480000, CacheWrite: 36000, Output: 9800}, 52, 1.2345),
				),
				Code: Lines{Added: 420, Deleted: 37}, Excluded: Lines{Added: 1200, Deleted: 30},
				ExcludedBy: map[string]Lines{"lock": {1000, 20}, "generated": {200, 10}},
				DiffTokens: 5100,
			},
			{
				SHA: sha(2), Subject: "Tests for the parser", Author: "Ada", Time: t0.Add(-time.Hour),
				Source: SourceNote,
				Usage: note(
					row(attribution.AgentClaudeCode, opus, "s1", attribution.Usage{Input: 300, CacheRead: 210000, CacheWrite: 9000, Output: 4200}, 20, 0.4321),
					row(attribution.AgentCodex, gpt, "t9", attribution.Usage{Input: 5000, CacheRead: 20000, Output: 3000, Reasoning: 1200}, 6, 0.06),
				),
				Code:       Lines{Added: 310, Deleted: 4},
				DiffTokens: 2900,
			},
			{
				SHA: sha(3), Subject: "Fix off-by-one in the tokenizer", Author: "Ada", Time: t0.Add(-30 * time.Minute),
				Source: SourceTrailers,
				Usage: note(
					row(attribution.AgentAider, sonet, "", attribution.Usage{Input: 8000, Output: 1500}, 3, 0.0465),
				),
				Code:       Lines{Added: 12, Deleted: 9},
				DiffTokens: 180,
			},
			{
				SHA: sha(4), Subject: "README: document the flag", Author: "Ada", Time: t0.Add(-10 * time.Minute),
				AICoAuthor: true, CoAuthorAgents: []string{"Claude"},
				Code:       Lines{Added: 25, Deleted: 2},
				DiffTokens: 300,
			},
			{
				SHA: sha(5), Subject: "Address review: rename Next to Advance", Author: "Ada", Time: t0.Add(5 * time.Hour),
				Source: SourceNote,
				Usage: note(
					row(attribution.AgentClaudeCode, opus, "s2", attribution.Usage{Input: 100, CacheRead: 90000, CacheWrite: 4000, Output: 2100}, 9, 0.1111),
				),
				Code:       Lines{Added: 40, Deleted: 40},
				DiffTokens: 800,
			},
			{
				SHA: sha(6), Subject: "Merge branch 'main' into parser", Author: "Ada", Time: t0.Add(6 * time.Hour),
				Source: SourceNote, Usage: note(), Merge: true, DiffTokens: 0,
			},
		},
		Review: &Review{
			State: "approved", Approvals: 1, ChangeRequests: 1, Rounds: 2, ReviewComments: 4,
			Created: &created, FirstReview: &firstReview, MergedAt: &merged, Merged: true,
		},
		History: []HistoryPR{
			{Number: 30, Tokens: 120000, CostUSD: ptr(0.4), LinesChanged: 200},
			{Number: 31, Tokens: 0, CostUSD: ptr(0.0), LinesChanged: 15},
			{Number: 33, Tokens: 2500000, CostUSD: ptr(3.1), LinesChanged: 900},
			{Number: 35, Tokens: 640000, CostUSD: nil, LinesChanged: 410},
			{Number: 38, Tokens: 300000, CostUSD: ptr(0.9), LinesChanged: 0},
			{Number: 40, Tokens: 880000, CostUSD: ptr(1.7), LinesChanged: 1300},
			{Number: 42, Tokens: 1, CostUSD: ptr(1.0), LinesChanged: 1}, // this PR: ignored
		},
	}
}

// noDataInput is a pull request none of whose commits carries usage data,
// with reviews unknown (a local report without a token).
func noDataInput() Input {
	return Input{
		Repo: "octo-org/widgets", Number: 7, Title: "Bump version",
		Commits: []Commit{
			{SHA: sha(11), Subject: "Bump version to 1.2.0", Author: "Bob", Time: t0, Code: Lines{2, 2}, DiffTokens: -1},
			{SHA: sha(12), Subject: "Update changelog", Author: "Bob", Time: t0.Add(time.Minute), Code: Lines{14, 0}, DiffTokens: -1},
			{SHA: sha(13), Subject: "Regenerate lock file", Author: "Bob", Time: t0.Add(2 * time.Minute), Excluded: Lines{800, 790}, DiffTokens: -1},
		},
	}
}

// partialInput has figures of every uncertain kind: a listing capped by the
// API, a commit with unknown lines, a rejected note, an estimated and a
// lower-bound row, and a model without a price.
func partialInput() Input {
	est := row(attribution.AgentAider, "gpt-4o", "", attribution.Usage{Input: 3000, Output: 1000}, 2, 0.0175)
	est.Estimated = true
	lb := row(attribution.AgentClaudeCode, opus, "s7", attribution.Usage{Input: 10, CacheRead: 50000, CacheWrite: 2000, Output: 600}, 4, 0.0525)
	lb.LowerBound = true
	return Input{
		Repo: "octo-org/widgets", Number: 99, Title: "Big refactor",
		Commits: []Commit{
			{SHA: sha(21), Subject: "Split the server package", Time: t0, Source: SourceNote, Usage: note(lb), Code: Lines{900, 850}, DiffTokens: 9000},
			{SHA: sha(22), Subject: "Move handlers", Time: t0.Add(time.Hour), Source: SourceTrailers, Usage: note(est), LinesUnknown: true, DiffTokens: -1},
			{SHA: sha(23), Subject: "Try a local model", Time: t0.Add(2 * time.Hour), Source: SourceNote,
				Usage: note(row("custom", "llama-3.3-70b", "x1", attribution.Usage{Input: 40000, Output: 5000}, 12, -1)), Code: Lines{30, 3}, DiffTokens: 400},
			{SHA: sha(24), Subject: "Tidy imports", Time: t0.Add(3 * time.Hour), Problem: "note ignored: bad tokenyield note: total does not equal the sum of rows", Code: Lines{5, 5}, DiffTokens: 60},
		},
		Review: &Review{State: ReviewNone, Created: ptr(t0)},
		Partial: []string{
			"commits: the pull request has 312 commits, the API listed 250; figures cover those 250",
			"lines: 1 commit outside the local clone",
		},
	}
}

// hostileInput is a fork's pull request whose commit subjects, authors,
// names and notes try to break out of the comment.
func hostileInput() Input {
	long := "A" + strings.Repeat("very long subject ", 600) // about 10,000 characters
	evil := note(row("claude-code](javascript:alert(1))", "<img src=x onerror=alert(1)>", "s", attribution.Usage{Input: 1, Output: 2}, 1, 0.01))
	return Input{
		Repo: "octo-org/widgets", Number: 66, Title: "<script>alert(1)</script> @octo-org/owners",
		Commits: []Commit{
			{SHA: sha(31), Subject: "cc @octo-org/security-team and @admin please merge", Author: "@mallory", Time: t0, Code: Lines{1, 0}, DiffTokens: -1},
			{SHA: sha(32), Subject: "<img src=x onerror=alert(1)> <!-- tokenyield:pr-report --> <details open>", Author: "<b>m</b>", Time: t0, Code: Lines{1, 0}, DiffTokens: -1},
			{SHA: sha(33), Subject: "[click me](javascript:alert(1)) ![pixel](https://evil.example/p.png) https://evil.example www.evil.example", Time: t0, Code: Lines{1, 0}, DiffTokens: -1},
			{SHA: sha(34), Subject: "a | b | c || d \\| e", Time: t0, Source: SourceNote, Usage: evil, Code: Lines{1, 0}, DiffTokens: -1},
			{SHA: sha(35), Subject: "`code` ``` **bold** _it_ ~~strike~~ $x^2$ \\ # 1 closes #12, GH-13, octo-org/other#14", Time: t0, Code: Lines{1, 0}, DiffTokens: -1},
			{SHA: sha(36), Subject: "line one\n| injected | row |\n\n# Heading\r\n> quote\u2028sep\u202Egnp.exe", Time: t0, Code: Lines{1, 0}, DiffTokens: -1},
			{SHA: sha(37), Subject: long, Author: strings.Repeat("x", 5000), Time: t0, Code: Lines{1, 0}, DiffTokens: -1},
			{SHA: "not-a-sha<b>", Subject: "&lt;entity&gt; &#64;user &amp;", Time: t0, Problem: "trailers ignored: bad AI-Tokens trailer: line 3: agent \"<svg onload=alert(1)>\"", Code: Lines{1, 0}, DiffTokens: -1},
		},
		Partial: []string{"<img src=x> @everyone [x](y)"},
		Review:  &Review{State: "<b>weird</b>"},
	}
}

// hugeInput is a pull request of n commits, all with data, whose table
// cannot fit a comment.
func hugeInput(n int) Input {
	in := Input{Repo: "octo-org/monorepo", Number: 1000, Title: "Vendor everything"}
	for i := range n {
		u := attribution.Usage{Input: int64(100 + i%50), CacheRead: int64(1000 * (i % 97)), Output: int64(10 + i%13)}
		in.Commits = append(in.Commits, Commit{
			SHA: sha(1000 + i), Subject: fmt.Sprintf("Step %d of the migration", i+1), Author: "Bot",
			Time: t0.Add(time.Duration(i) * time.Minute), Source: SourceNote,
			Usage: note(row(attribution.AgentCodex, gpt, "t", u, 1, float64(u.Total())*1e-6)),
			Code:  Lines{int64(i % 40), int64(i % 7)}, DiffTokens: int64(i % 300),
		})
	}
	return in
}

// unknownCostInput uses only models without a price.
func unknownCostInput() Input {
	return Input{
		Repo: "octo-org/widgets", Number: 5, Title: "Local models",
		Commits: []Commit{
			{SHA: sha(51), Subject: "Prototype with a local model", Time: t0, Source: SourceNote,
				Usage: note(row("custom", "qwen2.5-coder:32b", "l1", attribution.Usage{Input: 52000, Output: 7100}, 14, -1)),
				Code:  Lines{120, 8}, DiffTokens: 1500},
			{SHA: sha(52), Subject: "Polish", Time: t0.Add(time.Hour), Source: SourceNote,
				Usage: note(row("custom", "qwen2.5-coder:32b", "l2", attribution.Usage{Input: 9000, Output: 800}, 3, -1)),
				Code:  Lines{10, 10}, DiffTokens: 200},
		},
	}
}
