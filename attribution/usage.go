package attribution

import (
	"errors"
	"fmt"
)

// MaxTokensPerEvent bounds any single field of one event. Larger values are
// rejected as corrupt or hostile input: no model call comes near it.
const MaxTokensPerEvent = 1 << 34 // ~17 billion

// Usage is a normalised token vector. Input, CacheRead, CacheWrite and Output
// are disjoint; Reasoning is the part of Output spent on reasoning.
type Usage struct {
	// Input is input (prompt) tokens that were neither read from nor written to a cache.
	Input int64 `json:"input"`
	// CacheRead is input tokens served from the provider's prompt cache.
	CacheRead int64 `json:"cache_read"`
	// CacheWrite is input tokens written to the provider's prompt cache.
	CacheWrite int64 `json:"cache_write"`
	// Output is generated tokens, reasoning included.
	Output int64 `json:"output"`
	// Reasoning is the subset of Output spent on reasoning ("thinking").
	Reasoning int64 `json:"reasoning"`
}

// FromAnthropic builds a Usage from Anthropic-style counts, where input
// already excludes cache reads and cache writes.
func FromAnthropic(input, cacheRead, cacheWrite, output int64) Usage {
	return Usage{Input: input, CacheRead: cacheRead, CacheWrite: cacheWrite, Output: output}
}

// FromOpenAI builds a Usage from OpenAI-style counts, where input includes
// cached (and cache-written) tokens and output includes reasoning. A cached
// count larger than input is clamped so that no field goes negative.
func FromOpenAI(input, cached, cacheWrite, output, reasoning int64) Usage {
	cached = clamp(cached, 0, input)
	cacheWrite = clamp(cacheWrite, 0, input-cached)
	reasoning = clamp(reasoning, 0, output)
	return Usage{
		Input:      input - cached - cacheWrite,
		CacheRead:  cached,
		CacheWrite: cacheWrite,
		Output:     output,
		Reasoning:  reasoning,
	}
}

func clamp(v, lo, hi int64) int64 {
	if hi < lo {
		hi = lo
	}
	return min(max(v, lo), hi)
}

// Total is the number of tokens billed: Input + CacheRead + CacheWrite + Output.
func (u Usage) Total() int64 { return u.Input + u.CacheRead + u.CacheWrite + u.Output }

// IsZero reports whether every field is zero.
func (u Usage) IsZero() bool { return u == Usage{} }

// Add returns the field-wise sum of u and v.
func (u Usage) Add(v Usage) Usage {
	return Usage{
		Input:      u.Input + v.Input,
		CacheRead:  u.CacheRead + v.CacheRead,
		CacheWrite: u.CacheWrite + v.CacheWrite,
		Output:     u.Output + v.Output,
		Reasoning:  u.Reasoning + v.Reasoning,
	}
}

// Max returns the field-wise maximum of u and v.
func (u Usage) Max(v Usage) Usage {
	return Usage{
		Input:      max(u.Input, v.Input),
		CacheRead:  max(u.CacheRead, v.CacheRead),
		CacheWrite: max(u.CacheWrite, v.CacheWrite),
		Output:     max(u.Output, v.Output),
		Reasoning:  max(u.Reasoning, v.Reasoning),
	}
}

// Increase returns the part of u that exceeds prev, field by field, never
// negative. It is the usage a later sighting of an identity adds.
func (u Usage) Increase(prev Usage) Usage {
	return Usage{
		Input:      max(u.Input-prev.Input, 0),
		CacheRead:  max(u.CacheRead-prev.CacheRead, 0),
		CacheWrite: max(u.CacheWrite-prev.CacheWrite, 0),
		Output:     max(u.Output-prev.Output, 0),
		Reasoning:  max(u.Reasoning-prev.Reasoning, 0),
	}
}

// ErrInvalidUsage reports a negative or absurdly large token count.
var ErrInvalidUsage = errors.New("invalid token usage")

// Validate rejects negative fields, fields above MaxTokensPerEvent and a
// Reasoning count larger than Output.
func (u Usage) Validate() error {
	fields := [...]struct {
		name string
		v    int64
	}{{"input", u.Input}, {"cache_read", u.CacheRead}, {"cache_write", u.CacheWrite}, {"output", u.Output}, {"reasoning", u.Reasoning}}
	for _, f := range fields {
		if f.v < 0 || f.v > MaxTokensPerEvent {
			return fmt.Errorf("%w: %s=%d", ErrInvalidUsage, f.name, f.v)
		}
	}
	if u.Reasoning > u.Output {
		return fmt.Errorf("%w: reasoning %d exceeds output %d", ErrInvalidUsage, u.Reasoning, u.Output)
	}
	return nil
}
