package review

import (
	"math"
	"testing"
)

// TestStatsMedian checks medians of odd, even and empty samples.
func TestStatsMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want *float64
	}{
		{nil, nil},
		{[]float64{3}, ptr(3.0)},
		{[]float64{5, 1, 3}, ptr(3.0)},
		{[]float64{4, 1, 3, 2}, ptr(2.5)},
	}
	for _, tt := range tests {
		got := median(tt.in)
		if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestStatsRanks checks that ties share their mean rank.
func TestStatsRanks(t *testing.T) {
	got := ranks([]float64{10, 30, 20, 30, 10})
	want := []float64{1.5, 4.5, 3, 4.5, 1.5}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ranks = %v, want %v", got, want)
		}
	}
}

// TestStatsSpearman checks the rank correlation against known values.
func TestStatsSpearman(t *testing.T) {
	tests := []struct {
		name   string
		xs, ys []float64
		want   float64
		ok     bool
	}{
		// SciPy's documented example of scipy.stats.spearmanr.
		{"scipy example with a tie", []float64{1, 2, 3, 4, 5}, []float64{5, 6, 7, 8, 7}, 0.8207826816681233, true},
		{"monotone", []float64{1, 2, 3, 4}, []float64{10, 100, 1000, 10000}, 1, true},
		{"reversed", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1, true},
		// No ties: 1 − 6Σd²/(n(n²−1)) with d = (−1, 1, −1, 1): 1 − 24/60 = 0.6.
		{"formula", []float64{1, 2, 3, 4}, []float64{2, 1, 4, 3}, 0.6, true},
		{"constant", []float64{1, 2, 3}, []float64{7, 7, 7}, 0, false},
	}
	for _, tt := range tests {
		got, ok := spearman(tt.xs, tt.ys)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: spearman = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// TestStatsP checks the p-value against Student's t table: the two-sided
// 5% critical values are t = 12.706 (1 df), 2.228 (10 df) and 2.086
// (20 df), the 1% one 4.032 (5 df); r = t/√(t²+df) is the correlation with
// that t.
func TestStatsP(t *testing.T) {
	tests := []struct {
		t     float64
		df    int
		wantP float64
	}{
		{12.706, 1, 0.05},
		{2.228, 10, 0.05},
		{2.086, 20, 0.05},
		{4.032, 5, 0.01},
	}
	for _, tt := range tests {
		r := tt.t / math.Sqrt(tt.t*tt.t+float64(tt.df))
		if p := spearmanP(r, tt.df+2); math.Abs(p-tt.wantP) > 2e-4 {
			t.Errorf("t=%v df=%d: p = %v, want %v", tt.t, tt.df, p, tt.wantP)
		}
		if p := spearmanP(-r, tt.df+2); math.Abs(p-tt.wantP) > 2e-4 {
			t.Errorf("t=-%v df=%d: p = %v, want %v", tt.t, tt.df, p, tt.wantP)
		}
	}
	if p := spearmanP(0, 12); math.Abs(p-1) > 1e-12 {
		t.Errorf("r=0: p = %v, want 1", p)
	}
	if p := spearmanP(1, 12); p != 0 {
		t.Errorf("r=1: p = %v, want 0", p)
	}
}

// TestStatsIncompleteBeta checks closed forms: I_x(1,1) = x, I_x(a,1) =
// x^a, I_½(a,a) = ½.
func TestStatsIncompleteBeta(t *testing.T) {
	for _, x := range []float64{0, 0.1, 0.37, 0.5, 0.93, 1} {
		if got := regIncBeta(1, 1, x); math.Abs(got-x) > 1e-12 {
			t.Errorf("I_%v(1,1) = %v", x, got)
		}
		if got, want := regIncBeta(3.5, 1, x), math.Pow(x, 3.5); math.Abs(got-want) > 1e-12 {
			t.Errorf("I_%v(3.5,1) = %v, want %v", x, got, want)
		}
	}
	for _, a := range []float64{0.5, 1, 4.5, 30} {
		if got := regIncBeta(a, a, 0.5); math.Abs(got-0.5) > 1e-12 {
			t.Errorf("I_0.5(%v,%v) = %v", a, a, got)
		}
	}
}

// TestStatsWeekStart checks ISO week keys round-trip, across year ends.
func TestStatsWeekStart(t *testing.T) {
	for _, key := range []string{"2026-W01", "2026-W10", "2026-W53", "2027-W01", "2020-W53", "2021-W01"} {
		start, ok := weekStart(key)
		if !ok || start.Weekday() != 1 || isoWeek(start) != key || isoWeek(start.AddDate(0, 0, 6)) != key {
			t.Errorf("weekStart(%s) = %v %v", key, start, ok)
		}
	}
	if _, ok := weekStart("nonsense"); ok {
		t.Error("weekStart accepted nonsense")
	}
}

func TestFlaggedNote(t *testing.T) {
	tests := []struct {
		estimated, lower int
		want             string
	}{
		{0, 3, "3 commits carry usage known to be a lower bound (their agents do not log every figure): the totals are lower bounds."},
		{1, 0, "1 commit carries estimated usage: the totals are approximate."},
		{2, 1, "2 commits carry estimated usage and 1 commit carries usage known to be a lower bound (their agents do not log every figure): the totals are approximate."},
	}
	for _, tt := range tests {
		if got := flaggedNote(tt.estimated, tt.lower); got != tt.want {
			t.Errorf("flaggedNote(%d, %d) = %q, want %q", tt.estimated, tt.lower, got, tt.want)
		}
	}
}

// TestWeeksSpan: empty weeks are filled between close weeks, but not
// across decades (a commit with a wrong clock), in every output.
func TestWeeksSpan(t *testing.T) {
	if got := (groups{"2026-W05": &acc{}, "2026-W08": &acc{}}).weeks(); len(got) != 4 {
		t.Errorf("%d weeks between W05 and W08, want 4", len(got))
	}
	if got := (groups{"1990-W01": &acc{}, "2026-W06": &acc{}}).weeks(); len(got) != 2 || got[0].Key != "1990-W01" {
		t.Errorf("%d weeks across 36 years, want the 2 with data", len(got))
	}
}
