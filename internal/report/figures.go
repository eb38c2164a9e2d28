package report

import (
	"math"

	"github.com/tokenyield/tokenyield/attribution"
)

// figuresAcc accumulates Figures. It is robust to hostile or corrupt rows:
// negative counts count as zero, sums saturate instead of overflowing, and a
// cost that is not a finite non-negative number counts as unknown.
type figuresAcc struct {
	f        Figures
	unpriced bool
}

// addRow adds one note row.
func (a *figuresAcc) addRow(r attribution.Row) {
	u := r.Usage
	f := &a.f
	f.Input = satAdd(f.Input, u.Input)
	f.Output = satAdd(f.Output, u.Output)
	f.CacheRead = satAdd(f.CacheRead, u.CacheRead)
	f.CacheWrite = satAdd(f.CacheWrite, u.CacheWrite)
	f.Reasoning = satAdd(f.Reasoning, min(u.Reasoning, u.Output))
	total := satAdd(satAdd(satAdd(nonNeg(u.Input), u.Output), u.CacheRead), u.CacheWrite)
	f.Total = satAdd(f.Total, total)
	f.Requests = satAdd(f.Requests, r.Requests)
	if c := r.CostUSD; c != nil && validCost(*c) {
		f.PricedUSD += *c
	} else {
		a.unpriced = true
		f.UnpricedTokens = satAdd(f.UnpricedTokens, total)
	}
	f.Estimated = f.Estimated || r.Estimated
	f.LowerBound = f.LowerBound || r.LowerBound
}

// addNote adds every row of n.
func (a *figuresAcc) addNote(n attribution.Note) {
	for _, r := range n.Rows {
		a.addRow(r)
	}
}

// addFigures adds figures already summed by another accumulator.
func (a *figuresAcc) addFigures(g Figures) {
	f := &a.f
	f.Input = satAdd(f.Input, g.Input)
	f.Output = satAdd(f.Output, g.Output)
	f.CacheRead = satAdd(f.CacheRead, g.CacheRead)
	f.CacheWrite = satAdd(f.CacheWrite, g.CacheWrite)
	f.Reasoning = satAdd(f.Reasoning, g.Reasoning)
	f.Total = satAdd(f.Total, g.Total)
	f.Requests = satAdd(f.Requests, g.Requests)
	f.PricedUSD += g.PricedUSD
	f.UnpricedTokens = satAdd(f.UnpricedTokens, g.UnpricedTokens)
	if g.CostUSD == nil {
		a.unpriced = true
	}
	f.Estimated = f.Estimated || g.Estimated
	f.LowerBound = f.LowerBound || g.LowerBound
}

// figures returns the sums, with the cost rounded to micro-dollars and known
// only when every row was priced.
func (a *figuresAcc) figures() Figures {
	f := a.f
	f.PricedUSD = roundMicro(f.PricedUSD)
	f.CostUSD = nil
	if !a.unpriced {
		c := f.PricedUSD
		f.CostUSD = &c
	}
	return f
}

func roundMicro(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// validCost accepts the costs a note may hold.
func validCost(c float64) bool { return c >= 0 && c <= 1e9 && !math.IsNaN(c) }

func nonNeg(v int64) int64 { return max(v, 0) }

// satAdd adds two counts, treating a negative b as zero and saturating at
// the largest int64 instead of wrapping.
func satAdd(a, b int64) int64 {
	b = nonNeg(b)
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
