package pricing

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

var update = flag.Bool("update", false, "rewrite prices.json from testdata/pricing/litellm_model_prices_slice.json")

const slicePath = "../../testdata/pricing/litellm_model_prices_slice.json"

func mustLoad(t *testing.T, s string) *Table {
	t.Helper()
	tab, err := Load(strings.NewReader(s))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return tab
}

func approx(a, b float64) bool {
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestEmbeddedTable(t *testing.T) {
	tab := Default()
	if tab != Default() {
		t.Error("Default() is not cached")
	}
	if got := tab.AsOf(); got != "2026-08-01" {
		t.Errorf("AsOf() = %q, want 2026-08-01", got)
	}
	for _, want := range []string{"LiteLLM", "model_prices_and_context_window.json", "dc2baf9d80f97138860483855433ff2936886b20"} {
		if !strings.Contains(tab.Source(), want) {
			t.Errorf("Source() = %q, missing %q", tab.Source(), want)
		}
	}
	keys := tab.Keys()
	if len(keys) < 100 {
		t.Errorf("only %d models in the embedded table", len(keys))
	}
	nonNeg := func(k, field string, v float64) {
		if !(v >= 0) || math.IsInf(v, 0) {
			t.Errorf("%s: %s = %v", k, field, v)
		}
	}
	for _, k := range keys {
		p := tab.models[k]
		if !(p.Input > 0) || !(p.Output > 0) {
			t.Errorf("%s: input %v, output %v must be positive", k, p.Input, p.Output)
		}
		nonNeg(k, "cache_read", p.CacheRead)
		nonNeg(k, "cache_write", p.CacheWrite)
		nonNeg(k, "fast_multiplier", p.FastMultiplier)
		if tr := p.Above200k; tr != nil {
			nonNeg(k, "above_200k.input", tr.Input)
			nonNeg(k, "above_200k.output", tr.Output)
			nonNeg(k, "above_200k.cache_read", tr.CacheRead)
			nonNeg(k, "above_200k.cache_write", tr.CacheWrite)
		}
		if k != strings.ToLower(k) {
			t.Errorf("key %q is not lower case", k)
		}
	}
	// Families the brief asks for.
	for _, k := range []string{
		"claude-opus-4-20250514", "claude-sonnet-4-20250514", "claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5",
		"claude-opus-4-5", "claude-opus-4-6", "claude-sonnet-4-6", "claude-opus-4-7", "claude-opus-4-8",
		"claude-opus-5", "claude-sonnet-5",
		"gpt-5", "gpt-5-codex", "gpt-5.1-codex-max", "gpt-5.2-codex", "gpt-5.3-codex", "gpt-5.4", "gpt-5.5", "gpt-5.6",
		"o1", "o3", "o3-mini", "o4-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4o", "gpt-4o-mini",
		"gemini-2.5-pro", "gemini-2.5-flash", "gemini/gemini-2.5-pro", "gemini-3-pro-preview", "gemini-3.1-pro-preview", "gemini-3-flash-preview",
	} {
		if _, ok := tab.models[k]; !ok {
			t.Errorf("embedded table lacks %q", k)
		}
	}
	for _, k := range []string{"sample_spec", "gpt-4o-audio-preview", "gemini-2.5-pro-preview-tts", "gemini/gemma-3-27b-it", "gemini/gemini-exp-1206"} {
		if _, ok := tab.models[k]; ok {
			t.Errorf("embedded table should not hold %q", k)
		}
	}
}

// TestGeneratedUpToDate converts the LiteLLM slice in-process and compares
// the result with the embedded file. Run with -update to rewrite it.
func TestGeneratedUpToDate(t *testing.T) {
	var header struct {
		Source string `json:"source"`
		AsOf   string `json:"as_of"`
	}
	if err := json.Unmarshal(embeddedPrices, &header); err != nil {
		t.Fatalf("embedded prices.json: %v", err)
	}
	f, err := os.Open(slicePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := FromLiteLLM(f, header.Source, header.AsOf)
	if err != nil {
		t.Fatal(err)
	}
	got := tab.Encode()
	if bytes.Equal(got, embeddedPrices) {
		return
	}
	if *update {
		if err := os.WriteFile("prices.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote prices.json")
		return
	}
	t.Errorf("prices.json is stale: run `go generate ./internal/pricing` or `go test ./internal/pricing -run TestGeneratedUpToDate -update`")
}

func TestLoadEncodeRoundTrip(t *testing.T) {
	tab := Default()
	again, err := Load(bytes.NewReader(tab.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tab.models, again.models) || tab.AsOf() != again.AsOf() || tab.Source() != again.Source() {
		t.Error("Load(Encode()) differs from the table")
	}
	if !bytes.Equal(again.Encode(), embeddedPrices) {
		t.Error("the embedded file is not in canonical Encode form")
	}
}

func TestLookupDefault(t *testing.T) {
	tab := Default()
	tests := []struct {
		model   string
		wantKey string // "" means unknown
	}{
		// exact
		{"claude-sonnet-4-5", "claude-sonnet-4-5"},
		{"claude-sonnet-4-20250514", "claude-sonnet-4-20250514"},
		{"claude-opus-4-1", "claude-opus-4-1"},
		{"gpt-5.3-codex", "gpt-5.3-codex"},
		{"gemini/gemini-2.5-pro", "gemini/gemini-2.5-pro"},
		{"  Claude-Opus-4-8 ", "claude-opus-4-8"},
		// provider prefix stripped
		{"anthropic/claude-opus-4-6", "claude-opus-4-6"},
		{"openai/gpt-5.4", "gpt-5.4"},
		{"google/gemini-2.5-flash", "gemini-2.5-flash"},
		{"models/gemini-3-pro-preview", "gemini-3-pro-preview"},
		{"vertex_ai/gemini-2.5-pro", "gemini-2.5-pro"},
		{"us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929"},
		// Claude dots as dashes
		{"claude-opus-4.5", "claude-opus-4-5"},
		// date suffix stripped
		{"claude-opus-4-8-20260701", "claude-opus-4-8"},
		{"gpt-5.3-codex-2026-02-05", "gpt-5.3-codex"},
		{"claude-opus-4-1@20250805", "claude-opus-4-1"},
		// undated form of a dated key
		{"claude-sonnet-4", "claude-sonnet-4-20250514"},
		{"claude-opus-4", "claude-opus-4-20250514"},
		{"claude-3-7-sonnet-latest", "claude-3-7-sonnet-20250219"},
		// longest prefix
		{"gpt-5.3-codex-high", "gpt-5.3-codex"},
		{"gpt-5.1-codex-max-xhigh", "gpt-5.1-codex-max"},
		{"gpt-5-codex-medium", "gpt-5-codex"},
		{"o3-mini-high", "o3-mini"},
		{"claude-sonnet-4-5-thinking", "claude-sonnet-4-5"},
		{"gemini-2.5-flash-preview-05-20", "gemini-2.5-flash"},
		{"gemini/gemini-2.5-pro-exp", "gemini/gemini-2.5-pro"},
		// must not match across a version or a variant
		{"gpt-5.10", ""},
		{"gpt-5.1.2", ""},
		{"claude-opus-4-9", ""},
		{"claude-opus-4-1-1", ""},
		{"gpt-4.5-preview", ""},
		{"o1-mini", ""},
		{"gpt-5.2-codex-max", ""},
		{"gpt-4o-realtime-preview", ""},
		{"claude-opus-4-6-fast-preview", ""},
		// unknown
		{"", ""},
		{"   ", ""},
		{"<synthetic>", ""},
		{"llama-3-70b", ""},
		{"claude", ""},
		{"gpt-5.", ""},
	}
	for _, tc := range tests {
		p, key, ok := tab.Lookup(tc.model)
		if tc.wantKey == "" {
			if ok {
				t.Errorf("Lookup(%q) = %q, want unknown", tc.model, key)
			}
			continue
		}
		if !ok || key != tc.wantKey {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tc.model, key, ok, tc.wantKey)
			continue
		}
		if !reflect.DeepEqual(p, tab.models[tc.wantKey]) {
			t.Errorf("Lookup(%q) price = %+v, want %+v", tc.model, p, tab.models[tc.wantKey])
		}
	}
}

func TestLookupFast(t *testing.T) {
	tab := Default()
	tests := []struct {
		model   string
		wantKey string
		base    string
		mult    float64
	}{
		{"claude-opus-4-6-fast", "claude-opus-4-6-fast", "claude-opus-4-6", 6},
		{"claude-opus-4-7-20260416-fast", "claude-opus-4-7-20260416-fast", "claude-opus-4-7-20260416", 6},
		{"claude-opus-4-8-fast", "claude-opus-4-8-fast", "claude-opus-4-8", 2},
		{"claude-opus-5-fast", "claude-opus-5-fast", "claude-opus-5", 2},
		{"gpt-5.3-codex-fast", "gpt-5.3-codex-fast", "gpt-5.3-codex", 2},
		{"gpt-5.3-codex-high-fast", "gpt-5.3-codex-fast", "gpt-5.3-codex", 2},
		{"gpt-5.4-fast", "gpt-5.4-fast", "gpt-5.4", 2},
		{"openai/gpt-5.5-fast", "gpt-5.5-fast", "gpt-5.5", 2.5},
		{"claude-sonnet-4-5-fast", "", "", 0}, // no fast mode known
		{"gpt-5.10-fast", "", "", 0},
		{"-fast", "", "", 0},
	}
	for _, tc := range tests {
		p, key, ok := tab.Lookup(tc.model)
		if tc.wantKey == "" {
			if ok {
				t.Errorf("Lookup(%q) = %q, want unknown", tc.model, key)
			}
			continue
		}
		if !ok || key != tc.wantKey {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tc.model, key, ok, tc.wantKey)
			continue
		}
		b := tab.models[tc.base]
		if !approx(p.Input, b.Input*tc.mult) || !approx(p.Output, b.Output*tc.mult) ||
			!approx(p.CacheRead, b.CacheRead*tc.mult) || !approx(p.CacheWrite, b.CacheWrite*tc.mult) || p.FastMultiplier != 0 {
			t.Errorf("Lookup(%q) = %+v, want %+v ×%v", tc.model, p, b, tc.mult)
		}
	}
	// An explicit "-fast" key wins over the multiplier.
	o := mustLoad(t, `{"models":{"claude-opus-4-6-fast":{"input":1,"output":2,"cache_read":0,"cache_write":0}}}`)
	p, key, ok := tab.WithOverrides(o).Lookup("claude-opus-4-6-fast")
	if !ok || key != "claude-opus-4-6-fast" || p.Input != 1 {
		t.Errorf("explicit -fast key: got %q %+v %v", key, p, ok)
	}
}

// TestLookupPrefixRules checks the boundary rules on a table where the
// tempting shorter key exists.
func TestLookupPrefixRules(t *testing.T) {
	tab := mustLoad(t, `{"models":{
		"claude-opus-4": {"input":15,"output":75,"cache_read":1.5,"cache_write":18.75},
		"claude-sonnet-4": {"input":3,"output":15,"cache_read":0.3,"cache_write":3.75},
		"gpt-5.1": {"input":1.25,"output":10,"cache_read":0.125,"cache_write":1.25},
		"gpt-5.3-codex": {"input":1.75,"output":14,"cache_read":0.175,"cache_write":1.75},
		"gpt-5": {"input":1.25,"output":10,"cache_read":0.125,"cache_write":1.25}
	}}`)
	tests := []struct{ model, wantKey string }{
		{"claude-sonnet-4-20250514", "claude-sonnet-4"},
		{"claude-sonnet-4-2025-05-14", "claude-sonnet-4"},
		{"claude-sonnet-4-20250514-v1:0", "claude-sonnet-4"},
		{"claude-opus-4-thinking", "claude-opus-4"},
		{"claude-opus-4-1", ""},
		{"claude-opus-4-1-20250805", ""},
		{"claude-opus-4.1", ""},
		{"gpt-5.3-codex-high", "gpt-5.3-codex"},
		{"gpt-5.10", ""},
		{"gpt-5.1-codex", "gpt-5.1"},
		{"gpt-5.1-mini", ""},
		{"gpt-5-2", ""},
		{"gpt-5x", ""},
	}
	for _, tc := range tests {
		_, key, ok := tab.Lookup(tc.model)
		if ok != (tc.wantKey != "") || key != tc.wantKey {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tc.model, key, ok, tc.wantKey)
		}
	}
}

func TestLookupReturnsCopy(t *testing.T) {
	tab := Default()
	p, _, ok := tab.Lookup("claude-sonnet-4-5")
	if !ok || p.Above200k == nil {
		t.Fatal("claude-sonnet-4-5 should have an above-200k tier")
	}
	p.Above200k.Input = 999
	if q, _, _ := tab.Lookup("claude-sonnet-4-5"); q.Above200k.Input == 999 {
		t.Error("changing a returned Price changed the table")
	}
}

func TestCost(t *testing.T) {
	tab := Default()
	tests := []struct {
		name  string
		model string
		u     attribution.Usage
		want  float64
	}{
		{
			// Sonnet 4.5: 3 / 15 / 0.3 / 3.75, above 200k: 6 / 22.5 / 0.6 / 7.5.
			// input 200k×3 + 50k×6 = 0.9; cache write 10k×3.75 = 0.0375;
			// cache read 200k×0.3 + 100k×0.6 = 0.12; output 5k×15 = 0.075.
			name:  "claude tiered",
			model: "claude-sonnet-4-5-20250929",
			u:     attribution.Usage{Input: 250_000, CacheWrite: 10_000, CacheRead: 300_000, Output: 5_000, Reasoning: 1_000},
			want:  0.9 + 0.0375 + 0.12 + 0.075,
		},
		{
			// Below the threshold the tier does not apply: 1000×3 + 2000×3.75 + 100k×0.3 + 500×15.
			name:  "claude below tier",
			model: "claude-sonnet-4-5",
			u:     attribution.Usage{Input: 1_000, CacheWrite: 2_000, CacheRead: 100_000, Output: 500},
			want:  (1_000*3 + 2_000*3.75 + 100_000*0.3 + 500*15) / 1e6,
		},
		{
			// Exactly at the threshold: all at base price.
			name:  "claude at threshold",
			model: "claude-sonnet-4-5",
			u:     attribution.Usage{Input: 200_000},
			want:  0.6,
		},
		{
			// Opus 4.8 has no tier: 300k×5 + 1000×25 = 1.5 + 0.025.
			name:  "claude untiered",
			model: "claude-opus-4-8",
			u:     attribution.Usage{Input: 300_000, Output: 1_000},
			want:  1.525,
		},
		{
			// Opus 4.6 fast ×6: (1000×5 + 1000×25 + 10k×0.5 + 1000×6.25)×6.
			name:  "claude fast",
			model: "claude-opus-4-6-fast",
			u:     attribution.Usage{Input: 1_000, Output: 1_000, CacheRead: 10_000, CacheWrite: 1_000},
			want:  (5_000 + 25_000 + 5_000 + 6_250) * 6 / 1e6,
		},
		{
			// gpt-5: 1.25 / 10 / 0.125, cache write at the input price.
			// 20k×1.25 + 80k×0.125 + 2000×10 (reasoning inside output).
			name:  "openai",
			model: "gpt-5",
			u:     attribution.FromOpenAI(100_000, 80_000, 0, 2_000, 1_500),
			want:  0.025 + 0.01 + 0.02,
		},
		{
			name:  "openai cache write at input price",
			model: "gpt-5.3-codex-high",
			u:     attribution.Usage{CacheWrite: 1_000_000},
			want:  1.75,
		},
		{
			// Vertex gemini-2.5-pro: 1.25 / 10 / 0.125, above 200k 2.5 / 15 / 0.25.
			// input 200k×1.25 + 100k×2.5 = 0.5; cache read 250k: 200k×0.125 + 50k×0.25 = 0.0375; output 1000×10 = 0.01.
			name:  "gemini tiered",
			model: "gemini-2.5-pro",
			u:     attribution.Usage{Input: 300_000, CacheRead: 250_000, Output: 1_000, Reasoning: 400},
			want:  0.5 + 0.0375 + 0.01,
		},
		{
			// gemini-3-flash-preview: 0.5 / 3 / 0.05: 10k×0.5 + 40k×0.05 + 3000×3.
			name:  "gemini flash",
			model: "gemini-3-flash-preview",
			u:     attribution.Usage{Input: 10_000, CacheRead: 40_000, Output: 3_000},
			want:  0.005 + 0.002 + 0.009,
		},
		{
			name:  "zero usage of a known model",
			model: "gpt-4.1",
			u:     attribution.Usage{},
			want:  0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tab.Cost(tc.model, tc.u)
			if !ok {
				t.Fatalf("Cost(%q) unknown", tc.model)
			}
			if !approx(got, tc.want) {
				t.Errorf("Cost(%q, %+v) = %.12f, want %.12f", tc.model, tc.u, got, tc.want)
			}
		})
	}
}

func TestCostUnknown(t *testing.T) {
	tab := Default()
	u := attribution.Usage{Input: 10, Output: 10}
	for _, m := range []string{"", "<synthetic>", "unknown-model", "gpt-5.10", "claude-sonnet-4-5-fast"} {
		if c, ok := tab.Cost(m, u); ok || c != 0 {
			t.Errorf("Cost(%q) = %v, %v; want unknown", m, c, ok)
		}
	}
	if _, ok := tab.Cost("gpt-5", attribution.Usage{Input: -1}); ok {
		t.Error("negative usage should make the cost unknown")
	}
	var nilTable *Table
	if _, ok := nilTable.Cost("gpt-5", u); ok {
		t.Error("nil table priced a model")
	}
	var pricer attribution.Pricer = tab
	if _, ok := pricer.Cost("gpt-5", u); !ok {
		t.Error("Table as attribution.Pricer failed")
	}
}

func TestLoad(t *testing.T) {
	valid := `{"source":"mine","as_of":"2026-09-01","models":{
		"My-Model": {"input":1,"output":2,"cache_read":0.1,"cache_write":1.25,
		             "above_200k":{"input":2,"output":3,"cache_read":0.2,"cache_write":2.5},"fast_multiplier":2},
		"free": {"input":0,"output":0,"cache_read":0,"cache_write":0}}}`
	tab := mustLoad(t, valid)
	if tab.Source() != "mine" || tab.AsOf() != "2026-09-01" {
		t.Errorf("source/as_of = %q/%q", tab.Source(), tab.AsOf())
	}
	want := Price{Input: 1, Output: 2, CacheRead: 0.1, CacheWrite: 1.25,
		Above200k: &Tier{Input: 2, Output: 3, CacheRead: 0.2, CacheWrite: 2.5}, FastMultiplier: 2}
	if p, key, ok := tab.Lookup("my-model"); !ok || key != "my-model" || !reflect.DeepEqual(p, want) {
		t.Errorf("Lookup(my-model) = %+v %q %v", p, key, ok)
	}
	if c, ok := tab.Cost("free", attribution.Usage{Input: 100}); !ok || c != 0 {
		t.Errorf("free model: %v %v", c, ok)
	}

	bad := []struct{ name, json, wantErr string }{
		{"not json", `{"models":`, "decode"},
		{"trailing data", `{"models":{}} {}`, "after the top-level object"},
		{"no models", `{"source":"x"}`, `no "models"`},
		{"litellm format", `{"gpt-5":{"input_cost_per_token":1e-6}}`, "unknown field"},
		{"unknown field", `{"models":{"m":{"input":1,"output":1,"cache_read":0,"cache_write":0,"cache_reads":1}}}`, "unknown field"},
		{"missing field", `{"models":{"m":{"input":1,"output":1,"cache_read":0}}}`, `missing "cache_write"`},
		{"missing tier field", `{"models":{"m":{"input":1,"output":1,"cache_read":0,"cache_write":0,"above_200k":{"input":1}}}}`, "above_200k.output"},
		{"negative", `{"models":{"m":{"input":-1,"output":1,"cache_read":0,"cache_write":0}}}`, "non-negative"},
		{"string price", `{"models":{"m":{"input":"1","output":1,"cache_read":0,"cache_write":0}}}`, "decode"},
		{"bad fast", `{"models":{"m":{"input":1,"output":1,"cache_read":0,"cache_write":0,"fast_multiplier":0}}}`, "fast_multiplier"},
		{"bad date", `{"as_of":"August 2026","models":{}}`, "as_of"},
		{"empty key", `{"models":{" ":{"input":1,"output":1,"cache_read":0,"cache_write":0}}}`, "empty name"},
		{"duplicate key", `{"models":{"M":{"input":1,"output":1,"cache_read":0,"cache_write":0},"m":{"input":1,"output":1,"cache_read":0,"cache_write":0}}}`, "twice"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tc.json))
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "pricing: ") {
				t.Errorf("error %q, want it to start with %q and mention %q", err, "pricing: ", tc.wantErr)
			}
		})
	}
}

func TestWithOverrides(t *testing.T) {
	base := Default()
	o := mustLoad(t, `{"as_of":"2026-09-15","models":{
		"claude-opus-4-6": {"input":4,"output":20,"cache_read":0.4,"cache_write":5,"fast_multiplier":3},
		"local-llm": {"input":0,"output":0,"cache_read":0,"cache_write":0}}}`)
	m := base.WithOverrides(o)
	if m.AsOf() != "2026-09-15" || m.Source() != base.Source() {
		t.Errorf("merged source/as_of = %q/%q", m.Source(), m.AsOf())
	}
	for _, name := range []string{"claude-opus-4-6", "claude-opus-4-6-20260205"} {
		p, key, ok := m.Lookup(name)
		if !ok || key != "claude-opus-4-6" || p.Input != 4 {
			t.Errorf("merged Lookup(%q) = %q %+v %v, want the override", name, key, p, ok)
		}
	}
	if c, ok := m.Cost("claude-opus-4-6-fast", attribution.Usage{Input: 1_000_000}); !ok || !approx(c, 12) {
		t.Errorf("overridden fast cost = %v %v, want 12", c, ok)
	}
	if _, _, ok := m.Lookup("local-llm"); !ok {
		t.Error("override-only model missing")
	}
	if p, _, _ := m.Lookup("gpt-5"); p.Input != 1.25 {
		t.Error("non-overridden entry changed")
	}
	// The base table is untouched.
	if p, _, _ := base.Lookup("claude-opus-4-6"); p.Input != 5 {
		t.Error("WithOverrides changed the receiver")
	}
	if _, _, ok := base.Lookup("local-llm"); ok {
		t.Error("WithOverrides changed the receiver")
	}
	if base.WithOverrides(nil) != base {
		t.Error("WithOverrides(nil) should return the receiver")
	}
}

func TestOverridePath(t *testing.T) {
	env := func(m map[string]string) func(string) string {
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name string
		env  map[string]string
		home string
		want string
	}{
		{"explicit file", map[string]string{"TOKENYIELD_PRICES": "/p/x.json", "TOKENYIELD_HOME": "/ty", "XDG_CONFIG_HOME": "/xdg"}, "/home/u", "/p/x.json"},
		{"tokenyield home", map[string]string{"TOKENYIELD_HOME": "/ty", "XDG_CONFIG_HOME": "/xdg"}, "/home/u", "/ty/prices.json"},
		{"xdg", map[string]string{"XDG_CONFIG_HOME": "/xdg"}, "/home/u", "/xdg/tokenyield/prices.json"},
		{"relative xdg ignored", map[string]string{"XDG_CONFIG_HOME": "rel"}, "/home/u", "/home/u/.config/tokenyield/prices.json"},
		{"home", nil, "/home/u", "/home/u/.config/tokenyield/prices.json"},
		{"nothing", nil, "", ""},
	}
	for _, tc := range tests {
		if got := OverridePath(env(tc.env), tc.home); got != filepath.FromSlash(tc.want) {
			t.Errorf("%s: OverridePath = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestLoadDefault(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	valid := write("valid.json", `{"models":{"gpt-5":{"input":1,"output":8,"cache_read":0.1,"cache_write":1}}}`)
	malformed := write("bad.json", `{"models":{"gpt-5":{"input":1}}}`)
	getenv := func(path string) func(string) string {
		return func(k string) string {
			if k == "TOKENYIELD_PRICES" {
				return path
			}
			return ""
		}
	}

	tab, err := LoadDefault(getenv(valid), "")
	if err != nil {
		t.Fatalf("valid: %v", err)
	}
	if p, _, _ := tab.Lookup("gpt-5"); p.Input != 1 {
		t.Errorf("valid override not applied: %+v", p)
	}
	if _, _, ok := tab.Lookup("claude-opus-4-8"); !ok {
		t.Error("valid override dropped the embedded entries")
	}

	tab, err = LoadDefault(getenv(filepath.Join(dir, "missing.json")), "")
	if err != nil || tab != Default() {
		t.Errorf("missing file: %v, %v; want Default()", tab, err)
	}

	// Home fallback with no file there.
	tab, err = LoadDefault(func(string) string { return "" }, dir)
	if err != nil || tab != Default() {
		t.Errorf("missing home file: %v; want Default()", err)
	}

	_, err = LoadDefault(getenv(malformed), "")
	if err == nil || !strings.Contains(err.Error(), malformed) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("malformed: error %v, want one naming %s", err, malformed)
	}

	_, err = LoadDefault(getenv(dir), "") // a directory is not a price file
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("directory: error %v, want one naming %s", err, dir)
	}
}

func TestFromLiteLLMRules(t *testing.T) {
	in := `{
	"sample_spec": {"mode": "one of: chat", "input_cost_per_token": 0.0, "output_cost_per_token": 0.0},
	"claude-x-1": {"mode": "chat", "litellm_provider": "anthropic", "input_cost_per_token": 2e-6, "output_cost_per_token": 1e-5},
	"claude-x-2": {"mode": "chat", "litellm_provider": "anthropic", "input_cost_per_token": 3e-6, "output_cost_per_token": 1.5e-5,
		"cache_read_input_token_cost": 3e-7, "cache_creation_input_token_cost": 3.75e-6,
		"input_cost_per_token_above_200k_tokens": 6e-6, "output_cost_per_token_above_200k_tokens": 2.25e-5,
		"provider_specific_entry": {"us": 1.1, "fast": 4}},
	"gpt-9": {"mode": "responses", "litellm_provider": "openai", "input_cost_per_token": 1e-6, "output_cost_per_token": 8e-6, "cache_read_input_token_cost": 0},
	"gpt-5.4-2026-03-05": {"mode": "chat", "litellm_provider": "openai", "input_cost_per_token": 2.5e-6, "output_cost_per_token": 1.5e-5},
	"gemini-9-pro": {"mode": "chat", "litellm_provider": "vertex_ai-language-models", "input_cost_per_token": 2e-6, "output_cost_per_token": 1.2e-5,
		"cache_read_input_token_cost": 2e-7, "cache_read_input_token_cost_above_200k_tokens": 4e-7,
		"cache_creation_input_token_cost_above_200k_tokens": 2.5e-7,
		"input_cost_per_token_above_200k_tokens": 4e-6, "output_cost_per_token_above_200k_tokens": 1.8e-5},
	"gpt-4o-audio-preview": {"mode": "chat", "litellm_provider": "openai", "input_cost_per_token": 2.5e-6, "output_cost_per_token": 1e-5},
	"text-embedding-3-small": {"mode": "embedding", "litellm_provider": "openai", "input_cost_per_token": 2e-8, "output_cost_per_token": 0},
	"gpt-image-1": {"mode": "image_generation", "litellm_provider": "openai", "input_cost_per_token": 5e-6, "output_cost_per_token": 4e-5},
	"gemini/gemini-exp-1114": {"mode": "chat", "litellm_provider": "gemini", "input_cost_per_token": 0, "output_cost_per_token": 0},
	"mistral-large": {"mode": "chat", "litellm_provider": "mistral", "input_cost_per_token": 2e-6, "output_cost_per_token": 6e-6}
	}`
	tab, err := FromLiteLLM(strings.NewReader(in), "test", "2026-08-01")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Price{
		// Claude defaults: cache read 0.1×, cache write 1.25×.
		"claude-x-1": {Input: 2, Output: 10, CacheRead: 0.2, CacheWrite: 2.5},
		// Listed prices; tier cache prices scaled like input; LiteLLM fast.
		"claude-x-2": {Input: 3, Output: 15, CacheRead: 0.3, CacheWrite: 3.75,
			Above200k: &Tier{Input: 6, Output: 22.5, CacheRead: 0.6, CacheWrite: 7.5}, FastMultiplier: 4},
		// OpenAI: zero cache read counts as missing; cache write at input.
		"gpt-9": {Input: 1, Output: 8, CacheRead: 0.1, CacheWrite: 1},
		// Built-in fast multiplier reaches dated snapshots.
		"gpt-5.4-2026-03-05": {Input: 2.5, Output: 15, CacheRead: 0.25, CacheWrite: 2.5, FastMultiplier: 2},
		// Gemini: cache write at input in both tiers; LiteLLM's tier cache write ignored.
		"gemini-9-pro": {Input: 2, Output: 12, CacheRead: 0.2, CacheWrite: 2,
			Above200k: &Tier{Input: 4, Output: 18, CacheRead: 0.4, CacheWrite: 4}},
	}
	if !reflect.DeepEqual(tab.models, want) {
		got, _ := json.MarshalIndent(tab.models, "", "  ")
		t.Errorf("FromLiteLLM models:\n%s", got)
	}
	if tab.Source() != "test" || tab.AsOf() != "2026-08-01" {
		t.Errorf("source/as_of = %q/%q", tab.Source(), tab.AsOf())
	}

	if _, err := FromLiteLLM(strings.NewReader(in), "test", "2026/08/01"); err == nil {
		t.Error("bad as_of accepted")
	}
	if _, err := FromLiteLLM(strings.NewReader(`[1]`), "test", "2026-08-01"); err == nil {
		t.Error("non-object accepted")
	}
	if _, err := FromLiteLLM(strings.NewReader(`{}`), "test", "2026-08-01"); err == nil {
		t.Error("empty input accepted")
	}
	if _, err := FromLiteLLM(strings.NewReader(`{"gpt-9": {"mode": "chat", "litellm_provider": "openai", "input_cost_per_token": "x"}}`), "t", "2026-08-01"); err == nil {
		t.Error("string price accepted")
	}
}

func TestMemoAgreesWithCost(t *testing.T) {
	tab := Default()
	m := tab.Memo()
	u := attribution.Usage{Input: 250_000, CacheRead: 1_000, CacheWrite: 300_000, Output: 5_000}
	for _, model := range []string{"claude-sonnet-4-5", "gpt-5.3-codex", "gemini-2.5-pro", "no-such-model", "claude-sonnet-4-5"} {
		want, wantOK := tab.Cost(model, u)
		got, gotOK := m.Cost(model, u)
		if got != want || gotOK != wantOK {
			t.Errorf("%s: memo %v %v, direct %v %v", model, got, gotOK, want, wantOK)
		}
	}
	if _, ok := m.Cost("claude-sonnet-4-5", attribution.Usage{Input: -1}); ok {
		t.Error("negative usage priced")
	}
}
