package report

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// TestGatesCheck covers every gate, passing and breached, and each decision
// for unknown figures.
func TestGatesCheck(t *testing.T) {
	normal := Build(normalInput())        // 884,200 tokens, $1.8842, 983.54/line, 5 of 6
	unpriced := Build(unknownCostInput()) // 68,900 tokens, cost unknown, nothing priced
	partial := Build(partialInput())      // ≥$0.07 priced, one model unpriced, lines of one commit unknown
	noLines := Build(Input{Commits: []Commit{{SHA: sha(1), Source: SourceNote,
		Usage: note(row("a", "m", "", attribution.Usage{Input: 10}, 1, 0.1)), Excluded: Lines{3, 0}}}})
	noTokens := Build(noDataInput())
	type want struct {
		name    string
		unknown bool
		figure  float64 // NaN: nil
		message string
	}
	tests := []struct {
		name  string
		gates Gates
		rep   Report
		want  []want
	}{
		{"no gates", Gates{}, normal, nil},
		{"all pass", Gates{MaxTokens: ptr(int64(884200)), MaxCost: ptr(1.8842), MaxTokensPerLine: ptr(1000.0), MinCoverage: ptr(0.8)}, normal, nil},
		{"tokens", Gates{MaxTokens: ptr(int64(1000))}, normal,
			[]want{{GateMaxTokens, false, 884200, "tokens 884,200 exceed max-tokens 1,000"}}},
		{"cost", Gates{MaxCost: ptr(1.5)}, normal,
			[]want{{GateMaxCost, false, 1.8842, "cost $1.88 exceeds max-cost $1.50"}}},
		{"tokens per line", Gates{MaxTokensPerLine: ptr(500.0)}, normal,
			[]want{{GateMaxTokensPerLine, false, 884200.0 / 899, "tokens per changed line 984 exceed max-tokens-per-line 500"}}},
		{"coverage", Gates{MinCoverage: ptr(0.9)}, normal,
			[]want{{GateMinCoverage, false, 5.0 / 6, "coverage 83% (5 of 6 commits with usage data) is below min-coverage 90%"}}},
		{"all four", Gates{MaxTokens: ptr(int64(1)), MaxCost: ptr(0.0), MaxTokensPerLine: ptr(1.0), MinCoverage: ptr(1.0)}, normal,
			[]want{{GateMaxTokens, false, 884200, ""}, {GateMaxCost, false, 1.8842, ""}, {GateMaxTokensPerLine, false, 884200.0 / 899, ""}, {GateMinCoverage, false, 5.0 / 6, ""}}},
		{"cost unknown: warning", Gates{MaxCost: ptr(5.0)}, unpriced,
			[]want{{GateMaxCost, true, math.NaN(), "cost unknown (68,900 tokens of models without a price): max-cost $5.00 not checked"}}},
		{"cost unknown but priced part over", Gates{MaxCost: ptr(0.05)}, partial,
			[]want{{GateMaxCost, false, 0.07, "cost ≥$0.07 exceeds max-cost $0.05 (some models have no price)"}}},
		{"lines unknown: warning", Gates{MaxTokensPerLine: ptr(10.0)}, partial,
			[]want{{GateMaxTokensPerLine, true, math.NaN(), "tokens per changed line unknown (lines of some commits unknown): max-tokens-per-line 10.0 not checked"}}},
		{"tokens without code lines", Gates{MaxTokensPerLine: ptr(1000.0)}, noLines,
			[]want{{GateMaxTokensPerLine, false, math.NaN(), "10 tokens with no changed code line exceed max-tokens-per-line 1,000"}}},
		{"no tokens, no data", Gates{MaxTokens: ptr(int64(0)), MaxTokensPerLine: ptr(0.0), MaxCost: ptr(0.0)}, noTokens, nil},
		{"no data fails coverage", Gates{MinCoverage: ptr(0.01)}, noTokens,
			[]want{{GateMinCoverage, false, 0, "coverage 0% (0 of 3 commits with usage data) is below min-coverage 1%"}}},
		{"no commits pass coverage", Gates{MinCoverage: ptr(1.0)}, Build(Input{}), nil},
		{"lower bound marked", Gates{MaxTokens: ptr(int64(10))}, Build(Input{Commits: []Commit{{SHA: sha(1), Source: SourceNote,
			Usage: note(func() attribution.Row {
				r := row("a", "m", "", attribution.Usage{Input: 50}, 1, 0)
				r.LowerBound = true
				return r
			}())}}}),
			[]want{{GateMaxTokens, false, 50, "tokens ≥50 exceed max-tokens 10"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.gates.Check(tt.rep)
			if len(got) != len(tt.want) {
				t.Fatalf("breaches = %+v, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Name != w.name || g.Unknown != w.unknown {
					t.Errorf("breach %d = %+v, want %+v", i, g, w)
				}
				if math.IsNaN(w.figure) != (g.Figure == nil) || g.Figure != nil && math.Abs(*g.Figure-w.figure) > 1e-9 {
					t.Errorf("breach %d figure = %v, want %v", i, deref(g.Figure), w.figure)
				}
				if w.message != "" && g.Message != w.message {
					t.Errorf("message = %q\nwant      %q", g.Message, w.message)
				}
			}
		})
	}
}

// TestParseGates covers the accepted forms and the errors.
func TestParseGates(t *testing.T) {
	tests := []struct {
		tokens, cost, perLine, coverage string
		want                            Gates
		err                             string
	}{
		{want: Gates{}},
		{tokens: " ", cost: "\t", want: Gates{}},
		{tokens: "1000000", want: Gates{MaxTokens: ptr(int64(1000000))}},
		{tokens: "1,000,000", want: Gates{MaxTokens: ptr(int64(1000000))}},
		{tokens: "2_500", want: Gates{MaxTokens: ptr(int64(2500))}},
		{tokens: "1.5M", want: Gates{MaxTokens: ptr(int64(1500000))}},
		{tokens: "200k", want: Gates{MaxTokens: ptr(int64(200000))}},
		{tokens: "2G", want: Gates{MaxTokens: ptr(int64(2000000000))}},
		{cost: "$10", want: Gates{MaxCost: ptr(10.0)}},
		{cost: "2.50", want: Gates{MaxCost: ptr(2.5)}},
		{perLine: "1500", want: Gates{MaxTokensPerLine: ptr(1500.0)}},
		{coverage: "0.8", want: Gates{MinCoverage: ptr(0.8)}},
		{coverage: "80%", want: Gates{MinCoverage: ptr(0.8)}},
		{coverage: "80", want: Gates{MinCoverage: ptr(0.8)}},
		{coverage: "1", want: Gates{MinCoverage: ptr(1.0)}},
		{coverage: "100 %", want: Gates{MinCoverage: ptr(1.0)}},
		{tokens: "lots", err: `max-tokens: "lots" is not a token count`},
		{tokens: "k", err: `max-tokens: "k" is not a token count`},
		{tokens: "-5", err: "max-tokens"},
		{tokens: "1e30", err: "too large"},
		{cost: "NaN", err: `max-cost: "NaN" is not a number`},
		{cost: "-1", err: `max-cost: "-1" is negative`},
		{perLine: "Inf", err: "max-tokens-per-line"},
		{coverage: "150%", err: `min-coverage: "150%" is over 100%`},
		{coverage: "abc", err: "min-coverage"},
	}
	for _, tt := range tests {
		name := strings.Join([]string{tt.tokens, tt.cost, tt.perLine, tt.coverage}, "|")
		t.Run(name, func(t *testing.T) {
			got, err := ParseGates(tt.tokens, tt.cost, tt.perLine, tt.coverage)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !eqPtr(got.MaxTokens, tt.want.MaxTokens) || !eqPtr(got.MaxCost, tt.want.MaxCost) ||
				!eqPtr(got.MaxTokensPerLine, tt.want.MaxTokensPerLine) || !eqPtr(got.MinCoverage, tt.want.MinCoverage) {
				t.Errorf("ParseGates = %s, want %s", show(got), show(tt.want))
			}
		})
	}
}

func eqPtr[T comparable](a, b *T) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func show(g Gates) string {
	return fmt.Sprintf("{tokens %v cost %v per-line %v coverage %v}", derefAny(g.MaxTokens), derefAny(g.MaxCost), derefAny(g.MaxTokensPerLine), derefAny(g.MinCoverage))
}

func derefAny[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
