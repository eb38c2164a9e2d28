// Package pricing is tokenyield's embedded, dated table of model prices and
// the [attribution.Pricer] built on it.
//
// The table ships inside the binary (prices.json, generated from a LiteLLM
// snapshot by [FromLiteLLM]; see testdata/pricing/SOURCES.md) so that pricing
// never needs the network. [Default] returns it; [LoadDefault] merges the
// user's override file over it (see [OverridePath] for where that file lives).
//
// # Price file format
//
// The embedded table and override files share one JSON format. Prices are USD
// per million tokens:
//
//	{
//	  "source": "where the prices come from (optional)",
//	  "as_of": "2026-08-01",
//	  "models": {
//	    "claude-sonnet-4-5": {"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75,
//	                          "above_200k": {"input": 6, "output": 22.5, "cache_read": 0.6, "cache_write": 7.5}},
//	    "claude-opus-4-6": {"input": 5, "output": 25, "cache_read": 0.5, "cache_write": 6.25, "fast_multiplier": 6},
//	    "my-local-model": {"input": 0, "output": 0, "cache_read": 0, "cache_write": 0}
//	  }
//	}
//
// "source" and "as_of" (a YYYY-MM-DD date) are optional in override files.
// Every model needs all four of input, output, cache_read and cache_write
// (so that a forgotten field is an error rather than a silent zero); prices
// must be finite and non-negative. "above_200k" is optional and, when present,
// needs the same four fields: it prices the tokens of a field beyond the
// first [TierThreshold] of one call. "fast_multiplier" is optional: a model
// name reported with a "-fast" suffix is priced at the base model's prices
// times it; without it such a name is unknown. Model keys are matched
// case-insensitively. Unknown fields are rejected so that typos are caught.
// In an override file an entry replaces the embedded entry of the same key
// and that key's dated snapshots (see [Table.WithOverrides]).
//
// # Model-name matching
//
// [Table.Lookup] resolves a reported model name in this order (names are
// lower-cased and trimmed first; "" and "<synthetic>" are always unknown):
//
//  1. the exact key;
//  2. the name without a provider prefix ("anthropic/", "openai/", "gemini/",
//     "vertex_ai/", "google/", "models/", and Bedrock's "anthropic." with an
//     optional region such as "us.anthropic."), and for Claude names with dots
//     turned into dashes ("claude-opus-4.5" → "claude-opus-4-5");
//  3. the name without a date suffix ("-20250514", "-2025-04-14", Vertex's
//     "@20250514"); a dated key whose undated form is not itself a key also
//     answers to that undated form ("claude-sonnet-4" → "claude-sonnet-4-20250514");
//  4. for "<model>-fast": the base model times its fast multiplier;
//  5. the longest key that is a prefix of the name ending at a non-alphanumeric
//     boundary, provided what follows neither starts with a digit (a version:
//     "gpt-5.10" is not "gpt-5.1", "claude-opus-4-1" is not "claude-opus-4";
//     a date is allowed) nor is a variant word ("mini", "pro", "max", "lite",
//     "fast", "realtime", ...). When it does, the name is unknown rather than
//     priced as a shorter key. So "gpt-5.3-codex-high" is priced as
//     "gpt-5.3-codex", while "gpt-5.2-codex-max" is unknown.
//
// Anything else is unknown: its cost is unknown, never zero.
//
// # Cost
//
// [Table.Cost] prices one model call:
//
//	input×p_input + cache_write×p_cache_write + cache_read×p_cache_read + output×p_output
//
// where, for a model with an "above_200k" tier, each field's first
// [TierThreshold] tokens are charged at the base price and the rest at the
// tier price (per field and per call, as ccusage does). Reasoning tokens are
// part of output and are not charged separately. Providers that bill long
// prompts at the higher rate bill the whole request at it once the prompt
// passes 200k tokens; the per-field rule follows ccusage and can come out
// lower for such calls.
package pricing

//go:generate go run ./gen -in ../../testdata/pricing/litellm_model_prices_slice.json -out prices.json -as-of 2026-08-01 -source "LiteLLM model_prices_and_context_window.json (github.com/BerriAI/litellm, MIT) via github.com/Prajwalsrinvas/token-tariff@dc2baf9d80f97138860483855433ff2936886b20 (file commit 77b8722619d64503658ecc85979802d678a5626c); see testdata/pricing/SOURCES.md"

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

//go:embed prices.json
var embeddedPrices []byte

// TierThreshold is the number of tokens of one field of one call charged at
// the base price when a model has an above-200k tier.
const TierThreshold = 200_000

// Price is one model's prices in USD per million tokens.
type Price struct {
	// Input prices uncached input tokens.
	Input float64 `json:"input"`
	// Output prices output tokens, reasoning included.
	Output float64 `json:"output"`
	// CacheRead prices input tokens read from the prompt cache.
	CacheRead float64 `json:"cache_read"`
	// CacheWrite prices input tokens written to the prompt cache.
	CacheWrite float64 `json:"cache_write"`
	// Above200k, when set, prices each field's tokens beyond the first
	// TierThreshold of one call.
	Above200k *Tier `json:"above_200k,omitempty"`
	// FastMultiplier, when positive, prices "<model>-fast" at this multiple
	// of every price above. Zero means the model has no known fast mode.
	FastMultiplier float64 `json:"fast_multiplier,omitempty"`
}

// Tier is the set of prices, in USD per million tokens, that applies to the
// tokens of a field beyond TierThreshold in one call.
type Tier struct {
	// Input prices uncached input tokens beyond the threshold.
	Input float64 `json:"input"`
	// Output prices output tokens beyond the threshold.
	Output float64 `json:"output"`
	// CacheRead prices cache-read tokens beyond the threshold.
	CacheRead float64 `json:"cache_read"`
	// CacheWrite prices cache-write tokens beyond the threshold.
	CacheWrite float64 `json:"cache_write"`
}

// clone returns p with its own copy of the tier, so that callers cannot
// change a table through a returned Price.
func (p Price) clone() Price {
	if p.Above200k != nil {
		t := *p.Above200k
		p.Above200k = &t
	}
	return p
}

// scaled returns p with every price multiplied by m and no fast multiplier.
func (p Price) scaled(m float64) Price {
	q := Price{Input: p.Input * m, Output: p.Output * m, CacheRead: p.CacheRead * m, CacheWrite: p.CacheWrite * m}
	if p.Above200k != nil {
		q.Above200k = &Tier{
			Input:      p.Above200k.Input * m,
			Output:     p.Above200k.Output * m,
			CacheRead:  p.Above200k.CacheRead * m,
			CacheWrite: p.Above200k.CacheWrite * m,
		}
	}
	return q
}

// Table is an immutable set of model prices with the source and date they
// were taken from. A Table is safe for concurrent use. The zero value and a
// nil *Table know no model.
type Table struct {
	source string
	asOf   string
	models map[string]Price
	// aliases maps the undated form of a dated key to that key, when the
	// undated form is not itself a key.
	aliases map[string]string
	// names holds every key and alias, longest first, for prefix matching.
	names []string
}

var _ attribution.Pricer = (*Table)(nil)

// newTable builds a Table from validated, lower-cased entries.
func newTable(source, asOf string, models map[string]Price) *Table {
	t := &Table{source: source, asOf: asOf, models: models, aliases: map[string]string{}}
	for k := range models {
		base := stripDate(k)
		if base == k {
			continue
		}
		if _, isKey := models[base]; isKey {
			continue
		}
		// Several snapshots of one model: the latest date answers.
		if prev, ok := t.aliases[base]; !ok || k > prev {
			t.aliases[base] = k
		}
	}
	t.names = make([]string, 0, len(models)+len(t.aliases))
	for k := range models {
		t.names = append(t.names, k)
	}
	for a := range t.aliases {
		t.names = append(t.names, a)
	}
	sort.Slice(t.names, func(i, j int) bool {
		if len(t.names[i]) != len(t.names[j]) {
			return len(t.names[i]) > len(t.names[j])
		}
		return t.names[i] < t.names[j]
	})
	return t
}

// defaultTable parses the embedded table once.
var defaultTable = sync.OnceValue(func() *Table {
	t, err := load(bytes.NewReader(embeddedPrices))
	if err != nil {
		// The embedded file is generated and tested; failing here is a build defect.
		panic(fmt.Sprintf("pricing: embedded prices.json: %v", err))
	}
	return t
})

// Default returns the table embedded in the binary. It is parsed on first use
// and shared; callers must not expect it to change.
func Default() *Table { return defaultTable() }

// wirePrice is one model in a price file. Pointers tell missing from zero.
type wirePrice struct {
	Input          *float64  `json:"input"`
	Output         *float64  `json:"output"`
	CacheRead      *float64  `json:"cache_read"`
	CacheWrite     *float64  `json:"cache_write"`
	Above200k      *wireTier `json:"above_200k"`
	FastMultiplier *float64  `json:"fast_multiplier"`
}

// wireTier is an above_200k block in a price file.
type wireTier struct {
	Input      *float64 `json:"input"`
	Output     *float64 `json:"output"`
	CacheRead  *float64 `json:"cache_read"`
	CacheWrite *float64 `json:"cache_write"`
}

// wireFile is a whole price file.
type wireFile struct {
	Source string               `json:"source"`
	AsOf   string               `json:"as_of"`
	Models map[string]wirePrice `json:"models"`
}

// Load reads a price file in the format described in the package
// documentation. It is used for the embedded table and for user overrides.
func Load(r io.Reader) (*Table, error) {
	t, err := load(r)
	if err != nil {
		return nil, fmt.Errorf("pricing: %w", err)
	}
	return t, nil
}

// load is Load without the package prefix on errors.
func load(r io.Reader) (*Table, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f wireFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode price file: %w", err)
	}
	if tok, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = fmt.Errorf("unexpected %v", tok)
		}
		return nil, fmt.Errorf("decode price file: data after the top-level object: %w", err)
	}
	if f.Models == nil {
		return nil, errors.New(`price file has no "models" object`)
	}
	if f.AsOf != "" {
		if _, err := time.Parse(time.DateOnly, f.AsOf); err != nil {
			return nil, fmt.Errorf("as_of %q is not a YYYY-MM-DD date: %w", f.AsOf, err)
		}
	}
	models := make(map[string]Price, len(f.Models))
	for rawKey, w := range f.Models {
		key := strings.ToLower(strings.TrimSpace(rawKey))
		if key == "" {
			return nil, errors.New("price file has a model with an empty name")
		}
		if _, dup := models[key]; dup {
			return nil, fmt.Errorf("model %q appears twice (names are case-insensitive)", key)
		}
		p, err := w.price()
		if err != nil {
			return nil, fmt.Errorf("model %q: %w", rawKey, err)
		}
		models[key] = p
	}
	return newTable(f.Source, f.AsOf, models), nil
}

// price validates w and converts it.
func (w wirePrice) price() (Price, error) {
	var p Price
	var err error
	fields := []struct {
		name string
		src  *float64
		dst  *float64
	}{
		{"input", w.Input, &p.Input},
		{"output", w.Output, &p.Output},
		{"cache_read", w.CacheRead, &p.CacheRead},
		{"cache_write", w.CacheWrite, &p.CacheWrite},
	}
	for _, f := range fields {
		if *f.dst, err = requirePrice(f.name, f.src); err != nil {
			return Price{}, err
		}
	}
	if w.Above200k != nil {
		var t Tier
		tierFields := []struct {
			name string
			src  *float64
			dst  *float64
		}{
			{"above_200k.input", w.Above200k.Input, &t.Input},
			{"above_200k.output", w.Above200k.Output, &t.Output},
			{"above_200k.cache_read", w.Above200k.CacheRead, &t.CacheRead},
			{"above_200k.cache_write", w.Above200k.CacheWrite, &t.CacheWrite},
		}
		for _, f := range tierFields {
			if *f.dst, err = requirePrice(f.name, f.src); err != nil {
				return Price{}, err
			}
		}
		p.Above200k = &t
	}
	if w.FastMultiplier != nil {
		m := *w.FastMultiplier
		if math.IsNaN(m) || math.IsInf(m, 0) || m <= 0 {
			return Price{}, fmt.Errorf("fast_multiplier %v must be a positive number", m)
		}
		p.FastMultiplier = m
	}
	return p, nil
}

// requirePrice checks that a price is present, finite and non-negative.
func requirePrice(name string, v *float64) (float64, error) {
	if v == nil {
		return 0, fmt.Errorf("missing %q", name)
	}
	if math.IsNaN(*v) || math.IsInf(*v, 0) || *v < 0 {
		return 0, fmt.Errorf("%s %v must be a finite, non-negative number", name, *v)
	}
	return *v, nil
}

// Encode returns t in the price-file format: one model per line, keys
// sorted, so that regenerated files diff well. Load(Encode()) gives back an
// equal table.
func (t *Table) Encode() []byte {
	var b bytes.Buffer
	str := func(s string) []byte {
		out, _ := json.Marshal(s) // a string always marshals
		return out
	}
	b.WriteString("{\n  \"source\": ")
	b.Write(str(t.Source()))
	b.WriteString(",\n  \"as_of\": ")
	b.Write(str(t.AsOf()))
	b.WriteString(",\n  \"models\": {")
	for i, k := range t.Keys() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		b.Write(str(k))
		b.WriteString(": ")
		// Prices are finite (checked on the way in), so Marshal cannot fail.
		line, _ := json.Marshal(t.models[k])
		b.Write(line)
	}
	b.WriteString("\n  }\n}\n")
	return b.Bytes()
}

// Source says where the table's prices come from ("" if not recorded).
func (t *Table) Source() string {
	if t == nil {
		return ""
	}
	return t.source
}

// AsOf is the YYYY-MM-DD date the prices were taken ("" if not recorded).
func (t *Table) AsOf() string {
	if t == nil {
		return ""
	}
	return t.asOf
}

// Keys returns the table's model keys, sorted.
func (t *Table) Keys() []string {
	if t == nil {
		return nil
	}
	keys := make([]string, 0, len(t.models))
	for k := range t.models {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WithOverrides returns a new table holding t's entries with o's entries
// laid over them: an entry of o replaces t's entry of the same key and t's
// dated snapshots of it (overriding "claude-opus-4-6" also reprices
// "claude-opus-4-6-20260205" unless o lists that key too). The result keeps
// t's source and date unless o records its own. Neither t nor o changes.
func (t *Table) WithOverrides(o *Table) *Table {
	if o == nil || len(o.models) == 0 && o.source == "" && o.asOf == "" {
		return t
	}
	models := make(map[string]Price, len(t.modelsOrNil())+len(o.models))
	for k, p := range t.modelsOrNil() {
		if _, replaced := o.models[stripDate(k)]; replaced && stripDate(k) != k {
			continue
		}
		models[k] = p
	}
	for k, p := range o.models {
		models[k] = p
	}
	source, asOf := t.Source(), t.AsOf()
	if o.source != "" {
		source = o.source
	}
	if o.asOf != "" {
		asOf = o.asOf
	}
	return newTable(source, asOf, models)
}

func (t *Table) modelsOrNil() map[string]Price {
	if t == nil {
		return nil
	}
	return t.models
}

// Cost prices one model call (one event) of usage u, in USD. It returns
// false when the model is unknown or u has a negative field: the cost is
// then unknown, never zero. Cost implements attribution.Pricer.
func (t *Table) Cost(model string, u attribution.Usage) (float64, bool) {
	p, _, ok := t.Lookup(model)
	if !ok {
		return 0, false
	}
	if u.Input < 0 || u.CacheRead < 0 || u.CacheWrite < 0 || u.Output < 0 {
		return 0, false
	}
	return p.cost(u), true
}

// cost applies p to u, tier by field.
func (p Price) cost(u attribution.Usage) float64 {
	var tier Tier
	hasTier := p.Above200k != nil
	if hasTier {
		tier = *p.Above200k
	}
	field := func(n int64, base, above float64) float64 {
		if !hasTier || n <= TierThreshold {
			return float64(n) * base
		}
		return TierThreshold*base + float64(n-TierThreshold)*above
	}
	perMillion := field(u.Input, p.Input, tier.Input) +
		field(u.CacheWrite, p.CacheWrite, tier.CacheWrite) +
		field(u.CacheRead, p.CacheRead, tier.CacheRead) +
		field(u.Output, p.Output, tier.Output)
	return perMillion / 1e6
}

// Memo returns a Pricer that resolves each model name once and then reuses
// the price, for callers that price many events (a scan prices every call).
// It is not safe for concurrent use.
func (t *Table) Memo() attribution.Pricer {
	return &memo{t: t, prices: map[string]memoPrice{}}
}

type memoPrice struct {
	p  Price
	ok bool
}

type memo struct {
	t      *Table
	prices map[string]memoPrice
}

func (m *memo) Cost(model string, u attribution.Usage) (float64, bool) {
	mp, seen := m.prices[model]
	if !seen {
		mp.p, _, mp.ok = m.t.Lookup(model)
		m.prices[model] = mp
	}
	if !mp.ok || u.Input < 0 || u.CacheRead < 0 || u.CacheWrite < 0 || u.Output < 0 {
		return 0, false
	}
	return mp.p.cost(u), true
}
