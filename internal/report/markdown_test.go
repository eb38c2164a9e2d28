package report

import (
	"strings"
	"testing"
)

// TestMarkdownGolden renders the sample pull requests and compares them
// with testdata/*.md (go test -update rewrites them). Every body also passes
// checkBody's safety properties.
func TestMarkdownGolden(t *testing.T) {
	unknownCost := Build(unknownCostInput())
	unknownCost.Breaches = Gates{MaxCost: ptr(5.0), MaxTokens: ptr(int64(50000))}.Check(unknownCost)
	tests := []struct {
		name  string
		rep   Report
		limit int
	}{
		{"normal", Build(normalInput()), 0},
		{"no-data", Build(noDataInput()), 0},
		{"partial", Build(partialInput()), 0},
		{"hostile", Build(hostileInput()), 0},
		{"huge", Build(hugeInput(3000)), 0},
		{"unknown-cost", unknownCost, 0},
		{"no-commits", Build(Input{Repo: "octo-org/widgets", Number: 3}), 0},
		{"small-limit", Build(normalInput()), MinLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.rep.Markdown(tt.limit)
			limit := tt.limit
			if limit == 0 {
				limit = CommentLimit
			}
			checkBody(t, body, limit)
			golden(t, tt.name+".md", []byte(body))
		})
	}
}

// TestMarkdownTruncation checks the huge pull request's table: it is cut,
// says how many commits it left out, keeps those with the most tokens, and
// fills the space it has.
func TestMarkdownTruncation(t *testing.T) {
	rep := Build(hugeInput(3000))
	for _, limit := range []int{MinLimit, 10000, CommentLimit, SummaryLimit} {
		body := rep.Markdown(limit)
		checkBody(t, body, limit)
		shown := strings.Count(body, "| Step ")
		if limit == SummaryLimit {
			if shown != 3000 || strings.Contains(body, "not shown") {
				t.Errorf("limit %d: %d commits shown, want all 3000", limit, shown)
			}
			continue
		}
		if shown == 0 && limit > MinLimit || shown == 3000 {
			t.Errorf("limit %d: %d commits shown", limit, shown)
		}
		note := plural(int64(3000-shown), "more commit") + " not shown"
		if !strings.Contains(body, note) {
			t.Errorf("limit %d: no %q note", limit, note)
		}
		if limit == CommentLimit && len(body) < limit-400 {
			t.Errorf("limit %d: body is only %d bytes", limit, len(body))
		}
		// The kept commits are the ones with the most tokens.
		var minShown, maxHidden int64 = 1 << 62, -1
		for _, c := range rep.Commits {
			if strings.Contains(body, "| Step "+strings.TrimPrefix(c.Subject, "Step ")+" |") {
				minShown = min(minShown, c.Usage.Total)
			} else {
				maxHidden = max(maxHidden, c.Usage.Total)
			}
		}
		if shown > 0 && maxHidden > minShown {
			t.Errorf("limit %d: a hidden commit has %d tokens, more than a shown one (%d)", limit, maxHidden, minShown)
		}
	}
}

// TestMarkdownLimitDefault: a limit of 0 means CommentLimit, tiny limits
// are raised to MinLimit.
func TestMarkdownLimitDefault(t *testing.T) {
	rep := Build(hugeInput(3000))
	if a, b := rep.Markdown(0), rep.Markdown(CommentLimit); a != b {
		t.Error("Markdown(0) differs from Markdown(CommentLimit)")
	}
	if a, b := rep.Markdown(10), rep.Markdown(MinLimit); a != b {
		t.Error("Markdown(10) differs from Markdown(MinLimit)")
	}
}

// TestMarkdownUnknownNeverZero: figures that are not known show as "–" or
// "unknown", never as 0.
func TestMarkdownUnknownNeverZero(t *testing.T) {
	body := Build(noDataInput()).Markdown(0)
	for _, want := range []string{"no usage data", "data for 0 of 3 commits", "Review outcome unknown"} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in:\n%s", want, body)
		}
	}
	for _, bad := range []string{" 0 tokens", `\$0.00`} {
		if strings.Contains(body, bad) {
			t.Errorf("%q in a report without data:\n%s", bad, body)
		}
	}
	if !strings.Contains(body, "| – | – | – |") {
		t.Errorf("commits without data should show – for agent, tokens and cost:\n%s", body)
	}
	partial := Build(partialInput()).Markdown(0)
	for _, want := range []string{"≥", "~", "(some models unpriced)", "Partial: commits", "lines unknown", "⚠️ data ignored"} {
		if want == "lines unknown" {
			want = "≥ +935 −858 lines"
		}
		if !strings.Contains(partial, want) {
			t.Errorf("no %q in:\n%s", want, partial)
		}
	}
}
