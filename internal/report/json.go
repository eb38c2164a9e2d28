package report

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// JSON encodes the report as indented JSON with a trailing newline, in the
// schema documented in the package doc. Lists are never null.
func (r Report) JSON() ([]byte, error) {
	r.Schema, r.Version = Schema, Version
	r.Commits = nonNil(r.Commits)
	r.Agents = nonNil(r.Agents)
	r.Partial = nonNil(r.Partial)
	r.Problems = nonNil(r.Problems)
	r.Breaches = nonNil(r.Breaches)
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode pr report: %w", err)
	}
	return append(b, '\n'), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Action output names set from Outputs.
const (
	OutputTokens        = "tokens"
	OutputCostUSD       = "cost-usd"
	OutputLinesAdded    = "lines-added"
	OutputLinesDeleted  = "lines-deleted"
	OutputTokensPerLine = "tokens-per-line"
	OutputCoverage      = "coverage"
)

// Outputs returns the Action's figure outputs as plain numbers (no
// separators, "." decimal point); an unknown figure is "":
//   - tokens: total tokens of the commits with data;
//   - cost-usd: dollars, "" when some model has no price;
//   - lines-added, lines-deleted: code lines ("" when every commit's lines
//     are unknown; a lower bound when some are);
//   - tokens-per-line: two decimals, "" when no code line changed or lines
//     are unknown;
//   - coverage: the fraction of commits with usage data, four decimals, ""
//     when there are no commits.
func (r Report) Outputs() map[string]string {
	t := r.Totals
	out := map[string]string{
		OutputTokens:        strconv.FormatInt(t.Total, 10),
		OutputCostUSD:       "",
		OutputLinesAdded:    "",
		OutputLinesDeleted:  "",
		OutputTokensPerLine: "",
		OutputCoverage:      "",
	}
	if t.CostUSD != nil {
		out[OutputCostUSD] = strconv.FormatFloat(roundMicro(*t.CostUSD), 'f', -1, 64)
	}
	if t.Lines != nil {
		out[OutputLinesAdded] = strconv.FormatInt(t.Lines.Added, 10)
		out[OutputLinesDeleted] = strconv.FormatInt(t.Lines.Deleted, 10)
	}
	if t.TokensPerLine != nil {
		out[OutputTokensPerLine] = strconv.FormatFloat(math.Round(*t.TokensPerLine*100)/100, 'f', 2, 64)
	}
	if r.Coverage.Ratio != nil {
		out[OutputCoverage] = strconv.FormatFloat(*r.Coverage.Ratio, 'f', 4, 64)
	}
	return out
}
