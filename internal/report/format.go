package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/internal/numfmt"
)

// unknown is how a table cell shows a figure that is not known (never 0).
const unknown = "–"

// mark is the prefix of a figure that is estimated ("~") or known to
// under-count ("≥"); estimated wins, as in the usage command.
func mark(f Figures) string {
	switch {
	case f.Estimated:
		return "~"
	case f.LowerBound:
		return "≥"
	}
	return ""
}

// tokens formats a token count with its mark.
func tokens(f Figures) string { return mark(f) + numfmt.Thousands(f.Total) }

// money formats US dollars: cents with thousands separators, or four
// decimals below one cent. The dollar sign is escaped so that GitHub never
// reads two amounts as a math formula.
func money(usd float64) string {
	if usd > 0 && usd < 0.01 {
		return fmt.Sprintf(`\$%.4f`, usd)
	}
	cents := int64(math.Round(usd * 100))
	return fmt.Sprintf(`\$%s.%02d`, numfmt.Thousands(cents/100), cents%100)
}

// cost formats the cost of f: "–" when unknown, a lower bound ("≥") when
// only some rows are priced.
func cost(f Figures) string {
	switch {
	case f.CostUSD != nil:
		return mark(f) + money(*f.CostUSD)
	case f.PricedUSD > 0:
		return "≥" + money(f.PricedUSD)
	}
	return unknown
}

// lines formats added and deleted lines as "+12 −3".
func lines(l Lines) string {
	return "+" + numfmt.Thousands(l.Added) + " −" + numfmt.Thousands(l.Deleted)
}

// perLine formats a tokens-per-line ratio with sensible precision.
func perLine(v float64) string {
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	case v >= 1e18:
		return numfmt.Thousands(math.MaxInt64)
	}
	return numfmt.Thousands(int64(math.Round(v)))
}

// percent formats a 0..1 share; values that would round to 0% or 100%
// without being so keep a decimal or stop at 99%.
func percent(v float64) string {
	p := v * 100
	switch {
	case p > 0 && p < 1:
		return fmt.Sprintf("%.1f%%", p)
	case p > 99 && p < 100:
		return "99%"
	}
	return fmt.Sprintf("%.0f%%", p)
}

// duration formats seconds as "3d 4h", "5h 12m", "12m" or "under a minute".
func duration(s int64) string {
	d := time.Duration(min(s, int64(math.MaxInt64/time.Second))) * time.Second
	days, hours, mins := int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour), int64(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	case mins > 0:
		return fmt.Sprintf("%dm", mins)
	}
	return "under a minute"
}

// plural returns "1 commit" or "3 commits".
func plural(n int64, word string) string {
	s := numfmt.Thousands(n) + " " + word
	if n != 1 {
		s += "s"
	}
	return s
}

// joinMax joins up to n items with ", " and says how many more there are.
func joinMax(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %s more", numfmt.Thousands(int64(len(items)-n)))
}
