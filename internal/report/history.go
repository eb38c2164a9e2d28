package report

import (
	"math"
	"sort"
)

// compare sets this pull request's figures against the recent ones: the
// median of each figure over the recent pull requests where it is known, and
// this one's rank among them (1 = highest). Entries of number self, repeated
// numbers (the first is kept) and negative token counts are ignored. It
// returns nil when no usable entry remains.
func compare(self int, history []HistoryPR, t Totals) *Comparison {
	seen := map[int]bool{}
	var tokens, costs, perLine []float64
	for _, h := range history {
		if (self != 0 && h.Number == self) || seen[h.Number] || h.Tokens < 0 {
			continue
		}
		seen[h.Number] = true
		tokens = append(tokens, float64(h.Tokens))
		if h.CostUSD != nil && validCost(*h.CostUSD) {
			costs = append(costs, *h.CostUSD)
		}
		if h.LinesChanged > 0 {
			perLine = append(perLine, float64(h.Tokens)/float64(h.LinesChanged))
		}
	}
	if len(seen) == 0 {
		return nil
	}
	total := float64(t.Total)
	return &Comparison{
		PRs:           len(seen),
		Tokens:        rank(&total, tokens),
		CostUSD:       rank(t.CostUSD, costs),
		TokensPerLine: rank(t.TokensPerLine, perLine),
	}
}

// rank places this among others.
func rank(this *float64, others []float64) Rank {
	var r Rank
	if len(others) > 0 {
		m := median(others)
		r.Median = &m
	}
	if this == nil {
		return r
	}
	v := *this
	r.This = &v
	r.Position, r.Of = 1, len(others)+1
	for _, o := range others {
		if o > v {
			r.Position++
		}
	}
	return r
}

// median of a non-empty list (the mean of the two middle values when even).
func median(list []float64) float64 {
	s := append([]float64(nil), list...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	m := s[n/2-1]/2 + s[n/2]/2
	if math.IsInf(m, 0) || math.IsNaN(m) {
		return s[n/2]
	}
	return m
}
