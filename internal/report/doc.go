// Package report builds tokenyield's pull request report: the figures of a
// pull request's commits (tokens, cost, lines, coverage), its review outcome,
// the rework after the first review and a comparison with the repository's
// recent pull requests. It is pure: the caller reads git, notes and the
// GitHub API, fills an [Input], and gets a [Report] from [Build], which
// renders as the sticky comment's Markdown ([Report.Markdown]), as versioned
// JSON ([Report.JSON]) and as the Action's outputs ([Report.Outputs]), and is
// checked against budget [Gates].
//
// # Definitions
//
//   - Tokens are the sum of the commits' usage (notes, else AI-Tokens
//     trailers): input + output + cache read + cache write; reasoning is part
//     of output. A commit without data adds nothing and lowers the coverage.
//   - Cost is unknown when any model has no price; the priced part is then
//     shown as a lower bound ("≥").
//   - Changed lines are code lines added + deleted, summed per commit as
//     git log --numstat reports them (a line changed in two commits counts
//     twice; merge commits count none). Generated, vendored and lock files are
//     shown apart and are not changed lines.
//   - Tokens per changed line is tokens / changed lines over the whole pull
//     request, unknown when no code line changed or some commit's lines are
//     unknown.
//   - Coverage is the share of commits with usage data.
//   - Rework: commits whose committer time is after the first review (not by
//     the author) are taken to answer the review; a commit without a time
//     counts as before it.
//   - Marks: "~" estimated, "≥" a lower bound, "–" unknown (never 0).
//
// # Markdown safety
//
// Every text that does not come from tokenyield (commit subjects, authors,
// agent and model names, partial notes, problems) is cleaned to one line,
// bounded and escaped: no HTML, no Markdown link, image, code or emphasis, no
// @-mention, issue reference or autolink, no table cell split. The body
// starts with [Marker] and stays within the byte limit given to Markdown,
// truncating the commit table with a visible note.
//
// # JSON schema (version 1)
//
// [Report.JSON] writes one object. Fields are never removed within a
// version; new ones may be added. Counts are integers, money is US dollars
// (a number), times are RFC 3339 UTC, null means unknown. Text fields hold
// the untrusted text cleaned to one line and bounded, but not escaped.
//
//	{
//	  "schema": "tokenyield/pr-report",   // always this string
//	  "version": 1,
//	  "tool": "tokenyield/0.3.0",         // writer (omitted when unknown)
//	  "repo": "owner/name", "number": 12, "title": "…", "url": "…" (omitted when empty),
//	  "base_sha": "…", "head_sha": "…",
//	  "totals": {
//	    "input", "output", "cache_read", "cache_write", "reasoning", "total", "requests": integers,
//	    "cost_usd": number | null,        // null: some model has no price
//	    "priced_usd": number,             // cost of the priced usage (a lower bound when cost_usd is null)
//	    "unpriced_tokens": integer,
//	    "estimated": bool, "lower_bound": bool,
//	    "lines": {                        // null: every commit's lines unknown
//	      "added", "deleted": integers,   // code lines
//	      "excluded": {"added", "deleted"},               // generated, vendored, lock files
//	      "excluded_by": {"lock": {"added", "deleted"}, …}, // optional split by kind
//	      "unknown_commits": integer      // commits whose lines are unknown (figures are then lower bounds)
//	    },
//	    "tokens_per_line": number | null,
//	    "diff_tokens": integer | null,    // tokens of the commits' diff text
//	    "diff_tokens_unknown_commits": integer
//	  },
//	  "coverage": {"commits", "with_data", "from_notes", "from_trailers": integers,
//	               "ratio": number | null, "ai_coauthor_without_data": integer, "rejected": integer},
//	  "commits": [{                       // oldest first
//	    "sha", "subject", "author": strings, "time": time | null,
//	    "source": "note" | "trailers" | "", "problem": string (omitted when none),
//	    "agents": [string], "models": [string],          // most tokens first
//	    "usage": Figures | null,          // null: no usage data
//	    "lines": {"added", "deleted"} | null, "excluded": {"added", "deleted"} | null,
//	    "merge": bool, "diff_tokens": integer | null,
//	    "after_first_review": bool, "ai_coauthor": bool, "coauthor_agents": [string] (omitted when none)
//	  }],
//	  "agents": [{"agent", "model": strings, "commits", "sessions": integers, …Figures}], // most tokens first
//	  "review": {                         // null: reviews unknown
//	    "state": "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "NONE" | "",
//	    "approvals", "change_requests", "rounds", "review_comments": integers,
//	    "created_at", "first_review_at", "merged_at": time | null, "merged": bool,
//	    "time_to_first_review_s", "time_to_merge_s": integer | null
//	  },
//	  "rework": {                         // null: no review yet (or unknown)
//	    "first_review_at": time,
//	    "before", "after": {"commits": integer, …Figures},
//	    "after_share": number | null      // share of the tokens after the first review
//	  },
//	  "history": {                        // null: no recent pull requests given
//	    "prs": integer,
//	    "tokens", "cost_usd", "tokens_per_line": {"this": number | null, "median": number | null,
//	                                             "rank": integer (1 = highest, 0 = unknown), "of": integer}
//	  },
//	  "partial": [string],                // figures known to be incomplete
//	  "problems": [{"sha", "problem"}],   // rejected notes or trailers
//	  "breaches": [{"name", "figure": number | null, "limit": number, "unknown": bool, "message"}]
//	}
//
// Figures is the object {"input", "output", "cache_read", "cache_write",
// "reasoning", "total", "requests", "cost_usd", "priced_usd",
// "unpriced_tokens", "estimated", "lower_bound"} described under totals.
//
// # Gates
//
// [Gates.Check] compares the report with limits (max-tokens, max-cost,
// max-tokens-per-line, min-coverage, parsed by [ParseGates]); a figure that
// is unknown gives a breach marked Unknown, which callers report as a
// warning. See [Gates.Check] for each case.
package report
