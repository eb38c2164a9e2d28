package review

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tokenyield/tokenyield/internal/numfmt"
)

// Formatting for the HTML report. Every figure becomes an htmlValue: the
// text people read, the raw value tables sort by ("" when unknown, so that
// unknown rows sort last), and whether the figure is unknown.

// htmlUnknownText is how the report writes a figure it does not know.
const htmlUnknownText = "unknown"

// htmlValue is one formatted figure.
type htmlValue struct {
	// Text is what the reader sees.
	Text string
	// Sort is the raw number tables sort by, "" when unknown.
	Sort string
	// Unknown marks a figure that is not known (Text is "unknown").
	Unknown bool
	// Title explains the figure on hover (why it is unknown, the exact value).
	Title string
}

// htmlUnknown is an unknown figure with the reason shown on hover.
func htmlUnknown(reason string) htmlValue {
	return htmlValue{Text: htmlUnknownText, Unknown: true, Title: reason}
}

// htmlText makes user-controlled text (titles, names, subjects) safe to show
// before html/template escapes it: invalid UTF-8 is replaced, control
// characters become spaces, invisible bidirectional controls (which can make
// text display differently from what it is) are dropped, runs of spaces
// collapse, and the text is cut to limit runes with an ellipsis.
func htmlText(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		switch {
		case htmlBidiControl(r):
			continue
		case unicode.IsControl(r) || unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if n >= limit {
			b.WriteRune('\u2026')
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// htmlBidiControl reports the invisible characters that reorder text
// ("Trojan Source") or mark its direction.
func htmlBidiControl(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}

// htmlShorten cuts s to limit runes with an ellipsis (s is already clean).
func htmlShorten(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit-1]) + "\u2026"
}

// htmlInt formats a count with thousands separators.
func htmlInt(n int64) string { return numfmt.Thousands(n) }

// htmlIntValue is a known count.
func htmlIntValue(n int64) htmlValue {
	return htmlValue{Text: htmlInt(n), Sort: strconv.FormatInt(n, 10)}
}

// htmlShort formats a number compactly for chart labels: 950, 1.2k, 3.4M, 2B.
func htmlShort(v float64) string {
	abs := math.Abs(v)
	for _, u := range []struct {
		div    float64
		suffix string
	}{{1e9, "B"}, {1e6, "M"}, {1e3, "k"}} {
		if abs >= u.div {
			return htmlTrimFloat(v/u.div, 1) + u.suffix
		}
	}
	if abs > 0 && abs < 1 {
		return htmlTrimFloat(v, 2)
	}
	return htmlTrimFloat(v, 1)
}

// htmlTrimFloat formats v with at most prec decimals, dropping trailing zeros.
func htmlTrimFloat(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// htmlUSD formats a cost in US dollars: $1,234.57, $0.42, <$0.01.
func htmlUSD(v float64) string {
	switch {
	case v == 0:
		return "$0.00"
	case v > 0 && v < 0.005:
		return "<$0.01"
	}
	cents := int64(math.Round(v * 100))
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return sign + "$" + numfmt.Thousands(cents/100) + "." + strconv.FormatInt(100+cents%100, 10)[1:]
}

// htmlUSDShort formats a cost compactly for chart axes: $0.5, $12, $1.2k.
func htmlUSDShort(v float64) string {
	if v == 0 {
		return "$0"
	}
	return "$" + htmlShort(v)
}

// htmlPct formats a 0..1 rate as a percentage.
func htmlPct(v float64) string {
	p := v * 100
	if p > 0 && p < 10 && p != math.Trunc(p) {
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', 0, 64) + "%"
}

// htmlPctValue is a rate, unknown (with reason) when nil.
func htmlPctValue(p *float64, reason string) htmlValue {
	if p == nil || math.IsNaN(*p) {
		return htmlUnknown(reason)
	}
	return htmlValue{Text: htmlPct(*p), Sort: htmlSortFloat(*p)}
}

// htmlNumValue is a plain number such as a median count of rounds.
func htmlNumValue(p *float64, reason string) htmlValue {
	if p == nil || math.IsNaN(*p) {
		return htmlUnknown(reason)
	}
	return htmlValue{Text: htmlTrimFloat(*p, 1), Sort: htmlSortFloat(*p)}
}

// htmlHoursValue is a duration in hours ("30.5 h"), shown in days from two
// days on ("3.2 d").
func htmlHoursValue(h *float64) htmlValue {
	if h == nil || math.IsNaN(*h) {
		return htmlUnknown("no known opening and merge times")
	}
	text := htmlTrimFloat(*h, 1) + " h"
	if *h >= 48 {
		text = htmlTrimFloat(*h/24, 1) + " d"
	}
	return htmlValue{Text: text, Sort: htmlSortFloat(*h)}
}

// htmlSortFloat is the sort key of a float.
func htmlSortFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// htmlHasData reports whether any of the figures' commits carries usage data:
// without it, token figures are unknown rather than zero.
func htmlHasData(f Figures) bool { return f.CommitsWithData > 0 }

// htmlEmpty reports figures of nothing at all (no pull request, no commit),
// such as a week without activity: their token total and cost are a true
// zero rather than unknown.
func htmlEmpty(f Figures) bool { return f.PRs == 0 && f.Commits == 0 }

// htmlTokensValue is a token total, unknown when no commit has data.
func htmlTokensValue(f Figures) htmlValue {
	if htmlEmpty(f) {
		return htmlIntValue(0)
	}
	if !htmlHasData(f) {
		return htmlUnknown("no commit carries usage data")
	}
	v := htmlIntValue(f.Tokens)
	if f.CommitsWithData < f.Commits {
		v.Title = "covers " + htmlInt(int64(f.CommitsWithData)) + " of " + htmlInt(int64(f.Commits)) + " commits"
	}
	return v
}

// htmlCostValue is a cost total: unknown without data; when some commits
// used a model without a known price, the priced part as a lower bound
// ("≥ $1.23") if there is one, else unknown.
func htmlCostValue(f Figures) htmlValue {
	switch {
	case htmlEmpty(f):
		return htmlValue{Text: htmlUSD(0), Sort: "0"}
	case !htmlHasData(f):
		return htmlUnknown("no commit carries usage data")
	case f.CostUSD != nil:
		return htmlCostPtrValue(f.CostUSD, true)
	case f.CostKnownUSD > 0:
		return htmlValue{
			Text: "\u2265 " + htmlUSD(f.CostKnownUSD), Sort: htmlSortFloat(f.CostKnownUSD), Unknown: true,
			Title: "lower bound: " + htmlInt(int64(f.CostUnknownCommits)) + " commits used a model without a known price",
		}
	}
	return htmlUnknown("a model's price is unknown")
}

// htmlCostPtrValue is a cost, unknown when nil (a model without a price) or
// when there is no data at all.
func htmlCostPtrValue(c *float64, data bool) htmlValue {
	switch {
	case !data:
		return htmlUnknown("no commit carries usage data")
	case c == nil || math.IsNaN(*c):
		return htmlUnknown("a model's price is unknown")
	}
	return htmlValue{Text: htmlUSD(*c), Sort: htmlSortFloat(*c)}
}

// htmlTokensPtrValue is a token figure such as a median, unknown when nil.
func htmlTokensPtrValue(v *float64, data bool) htmlValue {
	if !data || v == nil || math.IsNaN(*v) {
		return htmlUnknown("no usage data")
	}
	return htmlValue{Text: htmlInt(int64(math.Round(*v))), Sort: htmlSortFloat(*v)}
}

// htmlTPLValue is tokens per changed code line.
func htmlTPLValue(f Figures) htmlValue {
	switch {
	case !htmlHasData(f):
		return htmlUnknown("no commit carries usage data")
	case f.TokensPerLine == nil || math.IsNaN(*f.TokensPerLine):
		return htmlUnknown("no changed code line")
	}
	return htmlValue{Text: htmlTPL(*f.TokensPerLine), Sort: htmlSortFloat(*f.TokensPerLine)}
}

// htmlTPL formats tokens per line as the other outputs do: one decimal
// below 10, else whole with thousands separators.
func htmlTPL(v float64) string {
	if math.Abs(v) < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return htmlInt(int64(math.Round(v)))
}

// htmlRatioValue is a ratio such as diff tokens per output token.
func htmlRatioValue(v *float64, data bool) htmlValue {
	if !data || v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return htmlUnknown("no output tokens or no diff tokens known")
	}
	return htmlValue{Text: htmlRatio(*v), Sort: htmlSortFloat(*v)}
}

// htmlRatio formats a ratio: two decimals below 10, one below 100, then whole.
func htmlRatio(v float64) string {
	switch abs := math.Abs(v); {
	case abs >= 100:
		return htmlInt(int64(math.Round(v)))
	case abs >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// htmlCoverageValue is the share of commits with data, "3/4 (75%)".
func htmlCoverageValue(f Figures) htmlValue {
	if f.Commits == 0 {
		return htmlUnknown("no commit")
	}
	c := float64(f.CommitsWithData) / float64(f.Commits)
	if f.Coverage != nil {
		c = *f.Coverage
	}
	return htmlValue{
		Text: htmlPct(c) + " (" + htmlInt(int64(f.CommitsWithData)) + "/" + htmlInt(int64(f.Commits)) + ")",
		Sort: htmlSortFloat(c),
	}
}

// htmlLinesValue is "+added / −deleted", sorted by the lines changed.
func htmlLinesValue(added, deleted int64) htmlValue {
	return htmlValue{
		Text: "+" + htmlInt(added) + " / \u2212" + htmlInt(deleted),
		Sort: strconv.FormatInt(added+deleted, 10),
	}
}

// htmlStateClass maps a review state to its colour class.
func htmlStateClass(state string) string {
	switch state {
	case "APPROVED":
		return "approved"
	case "CHANGES_REQUESTED":
		return "changes"
	case "":
		return "unknown"
	default:
		return "other"
	}
}

// htmlStateText names a review state for people.
func htmlStateText(state string) string {
	switch state {
	case "APPROVED":
		return "approved"
	case "CHANGES_REQUESTED":
		return "changes requested"
	case "COMMENTED":
		return "commented"
	case "NONE":
		return "no review"
	case "":
		return htmlUnknownText
	default:
		return strings.ToLower(strings.ReplaceAll(htmlText(state, 40), "_", " "))
	}
}

// htmlCoord formats an SVG coordinate with at most one decimal.
func htmlCoord(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	return htmlTrimFloat(math.Round(v*10)/10, 1)
}
