package cline

import (
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// TestTokensInSemantics is the table of usage.go: how tokensIn is read per
// extension, protocol or provider, and date.
func TestTokensInSemantics(t *testing.T) {
	cline, roo, kilo := clineFlavor(), rooFlavor(), kiloFlavor()
	before := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	between := time.Date(2025, 11, 5, 0, 0, 0, 0, time.UTC).UnixMilli() // after Roo's change, before Kilo's
	after := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	anthropicStyle := counts{in: 10, out: 100, cacheRead: 5000, cacheWrite: 2000}
	wholePrompt := counts{in: 7010, out: 100, cacheRead: 5000, cacheWrite: 2000}
	uncached := attribution.Usage{Input: 10, Output: 100, CacheRead: 5000, CacheWrite: 2000}
	split := attribution.Usage{Input: 10, Output: 100, CacheRead: 5000, CacheWrite: 2000}
	asUncached := attribution.Usage{Input: 7010, Output: 100, CacheRead: 5000, CacheWrite: 2000}
	tests := []struct {
		name     string
		f        *flavor
		protocol string
		provider string
		ts       int64
		c        counts
		want     attribution.Usage
	}{
		{"Cline anthropic provider: uncached rest", cline, "", "anthropic", after, anthropicStyle, uncached},
		{"Cline openrouter normalises too", cline, "", "openrouter", after, anthropicStyle, uncached},
		{"Cline without provider: uncached rest", cline, "", "", after, anthropicStyle, uncached},
		{"Cline OpenAI-compatible: cache included", cline, "", "openai", after, wholePrompt, split},
		{"Cline litellm: cache included", cline, "", "litellm", before, wholePrompt, split},
		{"Cline openai but tokensIn too small: uncached", cline, "", "openai", after, anthropicStyle, uncached},
		{"Cline ignores apiProtocol", cline, "openai", "anthropic", after, wholePrompt, asUncached},
		{"Roo openai: cache included", roo, "openai", "", before, wholePrompt, split},
		{"Roo anthropic before 3.29.5: uncached rest", roo, "anthropic", "", before, wholePrompt, asUncached},
		{"Roo anthropic after 3.29.5: whole prompt", roo, "anthropic", "", between, wholePrompt, split},
		{"Roo anthropic after, old build (too small): uncached", roo, "anthropic", "", after, anthropicStyle, uncached},
		{"Roo without protocol, consistent as whole prompt", roo, "", "", before, wholePrompt, split},
		{"Roo without protocol, too small: uncached", roo, "", "", before, anthropicStyle, uncached},
		{"Kilo anthropic between the releases: uncached rest", kilo, "anthropic", "", between, wholePrompt, asUncached},
		{"Kilo anthropic after 4.119.0: whole prompt", kilo, "anthropic", "", after, wholePrompt, split},
		{"Kilo openai: cache included", kilo, "openai", "", before, wholePrompt, split},
		{"no cache: both readings agree", roo, "anthropic", "", before, counts{in: 300, out: 7}, attribution.Usage{Input: 300, Output: 7}},
		{"cache writes only, inclusive", roo, "openai", "", after, counts{in: 900, out: 1, cacheWrite: 900}, attribution.Usage{CacheWrite: 900, Output: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := normalize(tt.c, tt.f.inclusive(tt.protocol, tt.provider, tt.ts))
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Error(err)
			}
			if got.Total() != tt.want.Total() {
				t.Errorf("billed total %d, want %d", got.Total(), tt.want.Total())
			}
		})
	}
}

// TestReleaseCutoffs pins the dates the Anthropic-protocol reading switches.
func TestReleaseCutoffs(t *testing.T) {
	roo, kilo := rooFlavor(), kiloFlavor()
	for _, tt := range []struct {
		f     *flavor
		ts    string
		whole bool
	}{
		{roo, "2025-10-31T23:59:59.999Z", false},
		{roo, "2025-11-01T00:00:00Z", true},
		{kilo, "2025-11-11T23:59:59.999Z", false},
		{kilo, "2025-11-12T00:00:00Z", true},
	} {
		ts, err := time.Parse(time.RFC3339Nano, tt.ts)
		if err != nil {
			t.Fatal(err)
		}
		if got := tt.f.inclusive("anthropic", "", ts.UnixMilli()); got != tt.whole {
			t.Errorf("%s at %s: inclusive = %v", tt.f.agent, tt.ts, got)
		}
	}
}
