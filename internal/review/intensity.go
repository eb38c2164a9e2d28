package review

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tokenyield/tokenyield/internal/numfmt"
)

// sample is one PR of the intensity analysis.
type sample struct {
	tpl      float64 // tokens per changed code line
	outcome  *Outcome
	approved bool
	changes  bool
}

// intensity relates the PRs' tokens per changed line to their review
// outcomes: PRs with tokens > 0, changed code lines > 0 and a known outcome
// are the sample (N). With N >= MinQuartileN they are split by tokens per
// line into four quartiles (as equal as possible, in order) whose approval
// rate (final state APPROVED) and change-request rate (any change request)
// are compared; with N >= MinSpearmanN, Spearman's rank correlation of
// tokens per line with the number of change requests (or with the review
// rounds when no PR or every PR had change requests in equal number) is
// given with its p-value. Below those sizes no claim is made.
func intensity(prs []PR, rows []PRRow) Intensity {
	var s []sample
	for i := range prs {
		f := rows[i].Figures
		o := prs[i].Review
		if o == nil || f.CommitsWithData == 0 || f.Tokens <= 0 || f.TokensPerLine == nil {
			continue
		}
		s = append(s, sample{
			tpl: *f.TokensPerLine, outcome: o,
			approved: o.State == StateApproved,
			changes:  o.ChangeRequests > 0 || o.State == StateChangesRequested,
		})
	}
	in := Intensity{N: len(s), Quartiles: []Quartile{}}
	if in.N < MinQuartileN {
		in.Statement = fmt.Sprintf("Not enough data (N=%d): comparing token intensity with review outcomes needs at least %d pull requests with AI usage, changed code lines and a known review outcome; no claim is made.", in.N, MinQuartileN)
		if in.N == 0 && !anyOutcome(prs) {
			in.Statement = "Not enough data (N=0): no review outcome is known (they come from the GitHub API); no claim is made."
		}
		return in
	}
	slices.SortStableFunc(s, func(a, b sample) int {
		switch {
		case a.tpl < b.tpl:
			return -1
		case a.tpl > b.tpl:
			return 1
		}
		return 0
	})
	labels := [4]string{"Q1 (fewest tokens/line)", "Q2", "Q3", "Q4 (most tokens/line)"}
	for q := range 4 {
		part := s[q*in.N/4 : (q+1)*in.N/4]
		qt := Quartile{Label: labels[q], PRs: len(part), MinTPL: part[0].tpl, MaxTPL: part[len(part)-1].tpl}
		var approved, changes int
		for _, p := range part {
			if p.approved {
				approved++
			}
			if p.changes {
				changes++
			}
		}
		qt.ApprovalRate = ptr(float64(approved) / float64(len(part)))
		qt.ChangeRequestRate = ptr(float64(changes) / float64(len(part)))
		in.Quartiles = append(in.Quartiles, qt)
	}
	if in.N >= MinSpearmanN {
		xs := make([]float64, in.N)
		crs := make([]float64, in.N)
		rounds := make([]float64, in.N)
		for i, p := range s {
			xs[i] = p.tpl
			crs[i] = float64(p.outcome.ChangeRequests)
			rounds[i] = float64(p.outcome.Rounds)
		}
		if r, ok := spearman(xs, crs); ok {
			in.Spearman, in.SpearmanOf = ptr(r), "change requests"
		} else if r, ok := spearman(xs, rounds); ok {
			in.Spearman, in.SpearmanOf = ptr(r), "review rounds"
		}
		if in.Spearman != nil {
			in.SpearmanP = ptr(spearmanP(*in.Spearman, in.N))
		}
	}
	in.Statement = statement(in)
	return in
}

// anyOutcome reports whether any PR has a known review outcome.
func anyOutcome(prs []PR) bool {
	for i := range prs {
		if prs[i].Review != nil {
			return true
		}
	}
	return false
}

// statement puts the intensity analysis in plain words, with its sample
// sizes.
func statement(in Intensity) string {
	lo, hi := in.Quartiles[0], in.Quartiles[3]
	var b strings.Builder
	fmt.Fprintf(&b, "Over %d pull requests with AI usage, changed code lines and a known review outcome: ", in.N)
	fmt.Fprintf(&b, "in the quarter with the most tokens per changed line (%d PRs, %s–%s tokens/line) changes were requested on %s and %s were approved, ",
		hi.PRs, tpl(hi.MinTPL), tpl(hi.MaxTPL), pct(*hi.ChangeRequestRate), pct(*hi.ApprovalRate))
	fmt.Fprintf(&b, "against %s and %s in the quarter with the fewest (%d PRs, %s–%s tokens/line). ",
		pct(*lo.ChangeRequestRate), pct(*lo.ApprovalRate), lo.PRs, tpl(lo.MinTPL), tpl(lo.MaxTPL))
	switch {
	case in.N < MinSpearmanN:
		fmt.Fprintf(&b, "Too few pull requests for a rank correlation (N=%d, at least %d needed). ", in.N, MinSpearmanN)
	case in.Spearman == nil:
		b.WriteString("No rank correlation: change requests and review rounds do not vary across these pull requests. ")
	default:
		r, p := *in.Spearman, *in.SpearmanP
		fmt.Fprintf(&b, "Spearman's rank correlation between tokens per line and %s is %s (%s; N=%d, p=%s", in.SpearmanOf, signed(r), strength(r), in.N, pvalue(p))
		if p >= 0.05 {
			b.WriteString(", which chance alone could well produce). ")
		} else {
			b.WriteString("). ")
		}
	}
	b.WriteString("A correlation, not a cause.")
	return b.String()
}

// strength names the size of a correlation.
func strength(r float64) string {
	a := math.Abs(r)
	dir := "positive"
	if r < 0 {
		dir = "negative"
	}
	switch {
	case a < 0.1:
		return "no meaningful relationship"
	case a < 0.3:
		return "weak, " + dir
	case a < 0.5:
		return "moderate, " + dir
	}
	return "strong, " + dir
}

// pct formats a share as a whole percentage.
func pct(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) }

// tpl formats tokens per line: one decimal under 10, else whole and
// grouped.
func tpl(f float64) string {
	if f < 10 {
		return fmt.Sprintf("%.1f", f)
	}
	return numfmt.Thousands(int64(math.Round(f)))
}

// signed formats a correlation with two decimals and its sign.
func signed(r float64) string { return fmt.Sprintf("%+.2f", r) }

// pvalue formats a p-value.
func pvalue(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return fmt.Sprintf("%.3f", p)
}
