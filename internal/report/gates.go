package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tokenyield/tokenyield/internal/numfmt"
)

// Gate names: the Action's inputs, used in Breach.Name and messages.
const (
	GateMaxTokens        = "max-tokens"
	GateMaxCost          = "max-cost"
	GateMaxTokensPerLine = "max-tokens-per-line"
	GateMinCoverage      = "min-coverage"
)

// Gates are budget limits on a report; a nil field is no limit.
type Gates struct {
	// MaxTokens limits the total tokens.
	MaxTokens *int64
	// MaxCost limits the cost in US dollars.
	MaxCost *float64
	// MaxTokensPerLine limits the tokens per changed code line.
	MaxTokensPerLine *float64
	// MinCoverage is the smallest share of commits with usage data, as a
	// fraction from 0 to 1 (ParseGates also accepts "80%" or "80").
	MinCoverage *float64
}

// Breach is a gate the report does not pass, or could not be checked
// against (Unknown).
type Breach struct {
	// Name is the gate, e.g. GateMaxTokens.
	Name string `json:"name"`
	// Figure is the report's figure; nil when it is unknown, or infinite
	// (tokens spent with no changed code line).
	Figure *float64 `json:"figure"`
	// Limit is the gate's limit (a fraction for GateMinCoverage).
	Limit float64 `json:"limit"`
	// Unknown is true when the figure is unknown, so the gate could not be
	// checked: callers should warn, not fail.
	Unknown bool `json:"unknown"`
	// Message says it in one line, naming the figure and the limit, e.g.
	// "tokens 1,234,567 exceed max-tokens 1,000,000".
	Message string `json:"message"`
}

// Check returns the gates r breaches, in the order of the Gates fields.
//
// Decisions for figures that are not plain numbers:
//   - cost unknown (a model without a price): a breach if the priced part
//     alone exceeds max-cost, else an Unknown breach (a warning);
//   - tokens per line unknown (some commit's lines unknown): an Unknown
//     breach; no changed code line: a breach when any token was spent (the
//     ratio is infinite), none when no token was;
//   - coverage with no commits: passes (nothing to cover);
//   - lower bounds and estimates are checked as they stand; figures the
//     report lists as partial too.
func (g Gates) Check(r Report) []Breach {
	var out []Breach
	t := r.Totals
	if g.MaxTokens != nil && t.Total > *g.MaxTokens {
		out = append(out, breach(GateMaxTokens, float64(t.Total), float64(*g.MaxTokens),
			"tokens %s exceed %s %s", mark(t.Figures)+numfmt.Thousands(t.Total), GateMaxTokens, numfmt.Thousands(*g.MaxTokens)))
	}
	if g.MaxCost != nil {
		limit := *g.MaxCost
		switch {
		case t.CostUSD != nil && *t.CostUSD > limit:
			out = append(out, breach(GateMaxCost, *t.CostUSD, limit, "cost %s exceeds %s %s", mark(t.Figures)+usd(*t.CostUSD), GateMaxCost, usd(limit)))
		case t.CostUSD == nil && t.PricedUSD > limit:
			out = append(out, breach(GateMaxCost, t.PricedUSD, limit, "cost ≥%s exceeds %s %s (some models have no price)", usd(t.PricedUSD), GateMaxCost, usd(limit)))
		case t.CostUSD == nil:
			out = append(out, unknownBreach(GateMaxCost, limit, "cost unknown (%s tokens of models without a price): %s %s not checked",
				numfmt.Thousands(t.UnpricedTokens), GateMaxCost, usd(limit)))
		}
	}
	if g.MaxTokensPerLine != nil {
		limit := *g.MaxTokensPerLine
		l := t.Lines
		switch {
		case t.TokensPerLine != nil && *t.TokensPerLine > limit:
			out = append(out, breach(GateMaxTokensPerLine, *t.TokensPerLine, limit, "tokens per changed line %s exceed %s %s",
				mark(t.Figures)+plainRatio(*t.TokensPerLine), GateMaxTokensPerLine, plainRatio(limit)))
		case t.TokensPerLine != nil:
		case l == nil || l.UnknownCommits > 0:
			out = append(out, unknownBreach(GateMaxTokensPerLine, limit, "tokens per changed line unknown (lines of some commits unknown): %s %s not checked",
				GateMaxTokensPerLine, plainRatio(limit)))
		case t.Total > 0:
			b := breach(GateMaxTokensPerLine, 0, limit, "%s tokens with no changed code line exceed %s %s",
				numfmt.Thousands(t.Total), GateMaxTokensPerLine, plainRatio(limit))
			b.Figure = nil
			out = append(out, b)
		}
	}
	if g.MinCoverage != nil && r.Coverage.Ratio != nil && *r.Coverage.Ratio < *g.MinCoverage {
		c := r.Coverage
		out = append(out, breach(GateMinCoverage, *c.Ratio, *g.MinCoverage, "coverage %s (%s of %s with usage data) is below %s %s",
			percent(*c.Ratio), numfmt.Thousands(int64(c.WithData)), plural(int64(c.Commits), "commit"), GateMinCoverage, percent(*g.MinCoverage)))
	}
	return out
}

func breach(name string, figure, limit float64, format string, args ...any) Breach {
	return Breach{Name: name, Figure: &figure, Limit: limit, Message: fmt.Sprintf(format, args...)}
}

func unknownBreach(name string, limit float64, format string, args ...any) Breach {
	return Breach{Name: name, Limit: limit, Unknown: true, Message: fmt.Sprintf(format, args...)}
}

// usd formats dollars for messages (annotations are plain text).
func usd(v float64) string { return strings.ReplaceAll(money(v), `\$`, "$") }

// plainRatio formats a tokens-per-line figure or limit.
func plainRatio(v float64) string { return perLine(v) }

// ParseGates parses the Action's gate inputs; an empty (or blank) input is no
// limit. Accepted forms:
//   - max-tokens: an integer, with optional thousands separators ("," or
//     "_") and an optional k, M or G suffix ("1.5M" = 1,500,000);
//   - max-cost: US dollars, optionally with a leading "$" ("$10", "2.50");
//   - max-tokens-per-line: a number;
//   - min-coverage: a fraction ("0.8"), a percentage ("80%"), or a number
//     above 1 read as a percentage ("80"); at most 100%.
//
// Negative, non-finite or malformed values are errors naming the input.
func ParseGates(maxTokens, maxCost, maxTokensPerLine, minCoverage string) (Gates, error) {
	var g Gates
	if s := strings.TrimSpace(maxTokens); s != "" {
		v, err := parseTokens(s)
		if err != nil {
			return Gates{}, fmt.Errorf("%s: %w", GateMaxTokens, err)
		}
		g.MaxTokens = &v
	}
	if s := strings.TrimSpace(maxCost); s != "" {
		v, err := parseNumber(strings.TrimPrefix(s, "$"))
		if err != nil {
			return Gates{}, fmt.Errorf("%s: %w", GateMaxCost, err)
		}
		g.MaxCost = &v
	}
	if s := strings.TrimSpace(maxTokensPerLine); s != "" {
		v, err := parseNumber(s)
		if err != nil {
			return Gates{}, fmt.Errorf("%s: %w", GateMaxTokensPerLine, err)
		}
		g.MaxTokensPerLine = &v
	}
	if s := strings.TrimSpace(minCoverage); s != "" {
		pct, isPct := strings.CutSuffix(s, "%")
		v, err := parseNumber(strings.TrimSpace(pct))
		if err == nil && (isPct || v > 1) {
			v /= 100
		}
		if err == nil && v > 1 {
			err = fmt.Errorf("%q is over 100%%", s)
		}
		if err != nil {
			return Gates{}, fmt.Errorf("%s: %w", GateMinCoverage, err)
		}
		g.MinCoverage = &v
	}
	return g, nil
}

// parseNumber parses a finite, non-negative number, allowing "," and "_" as
// thousands separators.
func parseNumber(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.NewReplacer(",", "", "_", "").Replace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return v, nil
}

// parseTokens parses a token count with an optional k, M or G suffix.
func parseTokens(orig string) (int64, error) {
	s, mult := orig, 1.0
	switch strings.ToLower(s[len(s)-1:]) {
	case "k":
		mult, s = 1e3, s[:len(s)-1]
	case "m":
		mult, s = 1e6, s[:len(s)-1]
	case "g":
		mult, s = 1e9, s[:len(s)-1]
	}
	v, err := parseNumber(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a token count", orig)
	}
	v = math.Round(v * mult)
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is too large", orig)
	}
	return int64(v), nil
}
