package pricing

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// fastOverrides are fast-mode multipliers for models whose LiteLLM entry has
// no provider_specific_entry.fast. They apply to the key and to its dated
// snapshots.
var fastOverrides = map[string]float64{
	"claude-opus-4-6": 6,
	"claude-opus-4-7": 6,
	"claude-opus-4-8": 2,
	"gpt-5.3-codex":   2,
	"gpt-5.4":         2,
	"gpt-5.5":         2.5,
}

// excludedWords mark entries whose per-token prices do not describe text
// chat: audio, speech, realtime and image models, and non-Gemini models
// served under the Gemini provider.
var excludedWords = map[string]bool{
	"audio": true, "tts": true, "live": true, "realtime": true, "image": true, "transcribe": true,
	"gemma": true, "learnlm": true, "lyria": true,
}

// liteLLMMeta is what decides whether an entry is converted.
type liteLLMMeta struct {
	Mode     any `json:"mode"`
	Provider any `json:"litellm_provider"`
}

// liteLLMEntry holds the fields of a LiteLLM entry that the table uses.
// Prices are USD per token.
type liteLLMEntry struct {
	Input           *float64       `json:"input_cost_per_token"`
	Output          *float64       `json:"output_cost_per_token"`
	CacheRead       *float64       `json:"cache_read_input_token_cost"`
	CacheWrite      *float64       `json:"cache_creation_input_token_cost"`
	InputAbove      *float64       `json:"input_cost_per_token_above_200k_tokens"`
	OutputAbove     *float64       `json:"output_cost_per_token_above_200k_tokens"`
	CacheReadAbove  *float64       `json:"cache_read_input_token_cost_above_200k_tokens"`
	CacheWriteAbove *float64       `json:"cache_creation_input_token_cost_above_200k_tokens"`
	ProviderEntry   map[string]any `json:"provider_specific_entry"`
}

// FromLiteLLM converts LiteLLM's model_prices_and_context_window.json (or a
// slice of it) into a Table with the given source and as_of date. It is the
// conversion behind the embedded table (see gen/) and can turn a fresh
// LiteLLM file into an override file.
//
// Kept: chat and responses entries with positive input and output prices of
// Claude (provider anthropic), OpenAI GPT, o-series, codex and chatgpt models
// (provider openai) and Gemini models (providers gemini and
// vertex_ai-language-models), keyed as in LiteLLM; audio, speech, realtime,
// image, Gemma, LearnLM and Lyria entries are dropped, and so is sample_spec.
//
// Missing cache prices get the documented defaults: cache read is 0.1×input;
// cache write is 1.25×input for Claude and the input price for OpenAI and
// Gemini, where writing the cache is not a separate charge. A zero cache price
// counts as missing (LiteLLM uses 0 as a placeholder). The above-200k tier
// takes LiteLLM's *_above_200k_tokens prices; a missing tier cache price is
// the base cache price scaled like input, and LiteLLM's tier cache-write price
// is used only when its base cache-write price is (Gemini entries carry
// a tier cache-write price below the input price, which is not a real charge).
// Other tiers (LiteLLM's above_128k and above_272k) are not represented.
// The fast multiplier is provider_specific_entry.fast when present, else a
// built-in value for models known to offer a fast mode.
func FromLiteLLM(r io.Reader, source, asOf string) (*Table, error) {
	if _, err := time.Parse(time.DateOnly, asOf); err != nil {
		return nil, fmt.Errorf("pricing: as_of %q is not a YYYY-MM-DD date: %w", asOf, err)
	}
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("pricing: decode LiteLLM prices: %w", err)
	}
	models := map[string]Price{}
	for key, msg := range raw {
		if key == "sample_spec" {
			continue
		}
		var meta liteLLMMeta
		if err := json.Unmarshal(msg, &meta); err != nil {
			continue // not a model entry
		}
		mode, _ := meta.Mode.(string)
		provider, _ := meta.Provider.(string)
		if mode != "chat" && mode != "responses" {
			continue
		}
		claude, ok := keepLiteLLM(provider, strings.ToLower(key))
		if !ok {
			continue
		}
		var e liteLLMEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("pricing: LiteLLM entry %q: %w", key, err)
		}
		p, ok, err := e.price(claude)
		if err != nil {
			return nil, fmt.Errorf("pricing: LiteLLM entry %q: %w", key, err)
		}
		if !ok {
			continue
		}
		if m := fastOverrides[stripDate(strings.ToLower(key))]; m > 0 && p.FastMultiplier == 0 {
			p.FastMultiplier = m
		}
		models[strings.ToLower(key)] = p
	}
	if len(models) == 0 {
		return nil, errors.New("pricing: no usable model in LiteLLM prices")
	}
	return newTable(source, asOf, models), nil
}

// keepLiteLLM decides from provider and key whether an entry belongs in the
// table, and whether it follows Claude's cache pricing.
func keepLiteLLM(provider, key string) (claude, ok bool) {
	name := key
	for _, p := range []string{"anthropic/", "openai/", "gemini/", "vertex_ai/"} {
		name = strings.TrimPrefix(name, p)
	}
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return r > 0x7f || !isAlnum(byte(r)) }) {
		if excludedWords[w] {
			return false, false
		}
	}
	switch provider {
	case "anthropic":
		return true, strings.HasPrefix(name, "claude-")
	case "openai":
		return false, strings.HasPrefix(name, "gpt-") || strings.HasPrefix(name, "chatgpt-") ||
			strings.HasPrefix(name, "codex-") || len(name) > 1 && name[0] == 'o' && isDigit(name[1])
	case "gemini", "vertex_ai-language-models":
		return false, strings.HasPrefix(name, "gemini-")
	}
	return false, false
}

// price converts e to per-million prices. ok is false for entries without a
// positive input and output price.
func (e liteLLMEntry) price(claude bool) (p Price, ok bool, err error) {
	for _, v := range []*float64{e.Input, e.Output, e.CacheRead, e.CacheWrite, e.InputAbove, e.OutputAbove, e.CacheReadAbove, e.CacheWriteAbove} {
		if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0) || *v < 0) {
			return Price{}, false, fmt.Errorf("bad price %v", *v)
		}
	}
	if !positive(e.Input) || !positive(e.Output) {
		return Price{}, false, nil
	}
	p.Input = perMillion(*e.Input)
	p.Output = perMillion(*e.Output)
	if positive(e.CacheRead) {
		p.CacheRead = perMillion(*e.CacheRead)
	} else {
		p.CacheRead = round12(0.1 * p.Input)
	}
	cacheWriteListed := positive(e.CacheWrite)
	switch {
	case cacheWriteListed:
		p.CacheWrite = perMillion(*e.CacheWrite)
	case claude:
		p.CacheWrite = round12(1.25 * p.Input)
	default:
		p.CacheWrite = p.Input
	}

	if e.InputAbove != nil || e.OutputAbove != nil || e.CacheReadAbove != nil || e.CacheWriteAbove != nil {
		t := Tier{Input: p.Input, Output: p.Output}
		if positive(e.InputAbove) {
			t.Input = perMillion(*e.InputAbove)
		}
		if positive(e.OutputAbove) {
			t.Output = perMillion(*e.OutputAbove)
		}
		ratio := t.Input / p.Input
		if positive(e.CacheReadAbove) {
			t.CacheRead = perMillion(*e.CacheReadAbove)
		} else {
			t.CacheRead = round12(p.CacheRead * ratio)
		}
		if cacheWriteListed && positive(e.CacheWriteAbove) {
			t.CacheWrite = perMillion(*e.CacheWriteAbove)
		} else {
			t.CacheWrite = round12(p.CacheWrite * ratio)
		}
		if t != (Tier{Input: p.Input, Output: p.Output, CacheRead: p.CacheRead, CacheWrite: p.CacheWrite}) {
			p.Above200k = &t
		}
	}

	if f, isNum := e.ProviderEntry["fast"].(float64); isNum && f > 0 && !math.IsInf(f, 0) {
		p.FastMultiplier = f
	}
	return p, true, nil
}

func positive(v *float64) bool { return v != nil && *v > 0 }

// perMillion converts a per-token price to per million tokens.
func perMillion(perToken float64) float64 { return round12(perToken * 1e6) }

// round12 rounds to 12 significant digits, removing binary noise such as
// 3.0000000000000004 from decimal prices.
func round12(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return v
	}
	return r
}
