package attribution

import (
	"errors"
	"testing"
)

func TestFromOpenAI(t *testing.T) {
	tests := []struct {
		name                                      string
		input, cached, cacheWrite, out, reasoning int64
		want                                      Usage
	}{
		{"cached inside input", 1000, 800, 0, 50, 20, Usage{Input: 200, CacheRead: 800, Output: 50, Reasoning: 20}},
		{"cache write inside input", 1000, 600, 100, 10, 0, Usage{Input: 300, CacheRead: 600, CacheWrite: 100, Output: 10}},
		{"cached above input is clamped", 100, 150, 0, 5, 9, Usage{CacheRead: 100, Output: 5, Reasoning: 5}},
		{"negative cached", 100, -5, 0, 1, 0, Usage{Input: 100, Output: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromOpenAI(tt.input, tt.cached, tt.cacheWrite, tt.out, tt.reasoning)
			if got != tt.want {
				t.Fatalf("FromOpenAI = %+v, want %+v", got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestUsageArithmetic(t *testing.T) {
	a := Usage{Input: 1, CacheRead: 2, CacheWrite: 3, Output: 10, Reasoning: 4}
	b := Usage{Input: 5, CacheRead: 1, CacheWrite: 3, Output: 12, Reasoning: 2}
	if got := a.Total(); got != 16 {
		t.Errorf("Total = %d, want 16", got)
	}
	if got, want := a.Add(b), (Usage{6, 3, 6, 22, 6}); got != want {
		t.Errorf("Add = %+v, want %+v", got, want)
	}
	if got, want := a.Max(b), (Usage{5, 2, 3, 12, 4}); got != want {
		t.Errorf("Max = %+v, want %+v", got, want)
	}
	if got, want := b.Increase(a), (Usage{Input: 4, Output: 2}); got != want {
		t.Errorf("Increase = %+v, want %+v", got, want)
	}
	if !(Usage{}).IsZero() || a.IsZero() {
		t.Error("IsZero wrong")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		u    Usage
		ok   bool
	}{
		{"zero", Usage{}, true},
		{"normal", Usage{Input: 3, Output: 9, Reasoning: 9}, true},
		{"negative", Usage{Input: -1}, false},
		{"absurd", Usage{CacheRead: MaxTokensPerEvent + 1}, false},
		{"reasoning above output", Usage{Output: 1, Reasoning: 2}, false},
	}
	for _, tt := range tests {
		err := tt.u.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%s: Validate = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidUsage) {
			t.Errorf("%s: error %v does not wrap ErrInvalidUsage", tt.name, err)
		}
	}
}
