package codex

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

var errBadCount = errors.New("bad token count")

// count is one token count of a log record. It accepts JSON null (unset),
// integers and integral floats, and rejects anything negative or above
// attribution.MaxTokensPerEvent, so that no later arithmetic can overflow.
type count struct {
	v  int64
	ok bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *count) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*c = count{}
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) ||
			f < -attribution.MaxTokensPerEvent || f > attribution.MaxTokensPerEvent {
			return fmt.Errorf("%w: %.40q", errBadCount, s)
		}
		v = int64(f)
	}
	if v < 0 || v > attribution.MaxTokensPerEvent {
		return fmt.Errorf("%w: %d", errBadCount, v)
	}
	*c = count{v: v, ok: true}
	return nil
}

// tokenUsage is Codex's TokenUsage, plus the aliases older or headless
// shapes use (prompt_tokens, completion_tokens, cached_tokens,
// reasoning_tokens and the Responses API *_details objects).
type tokenUsage struct {
	Input      count `json:"input_tokens"`
	Cached     count `json:"cached_input_tokens"`
	CacheWrite count `json:"cache_write_input_tokens"`
	Output     count `json:"output_tokens"`
	Reasoning  count `json:"reasoning_output_tokens"`
	Total      count `json:"total_tokens"`

	PromptTokens     count `json:"prompt_tokens"`
	CompletionTokens count `json:"completion_tokens"`
	CachedTokens     count `json:"cached_tokens"`
	ReasoningTokens  count `json:"reasoning_tokens"`
	InputDetails     *struct {
		CachedTokens count `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputDetails *struct {
		ReasoningTokens count `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
}

func first(cs ...count) int64 {
	for _, c := range cs {
		if c.ok {
			return c.v
		}
	}
	return 0
}

// vec returns the raw (OpenAI-style) vector of u.
func (u *tokenUsage) vec() vec {
	var detCached, detReasoning count
	if u.InputDetails != nil {
		detCached = u.InputDetails.CachedTokens
	}
	if u.OutputDetails != nil {
		detReasoning = u.OutputDetails.ReasoningTokens
	}
	v := vec{
		In:     first(u.Input, u.PromptTokens),
		Cached: first(u.Cached, u.CachedTokens, detCached),
		CW:     u.CacheWrite.v,
		Out:    first(u.Output, u.CompletionTokens),
		Reas:   first(u.Reasoning, u.ReasoningTokens, detReasoning),
	}
	if u.Total.ok {
		v.Tot = u.Total.v
	} else {
		v.Tot = v.In + v.Out
	}
	return v
}

// vec is a raw OpenAI-style token vector: Cached is part of In, Reas part of
// Out, Tot is total_tokens as logged (In+Out when absent). It is also the
// form cumulative totals take in the parser state.
type vec struct {
	In     int64 `json:"i,omitempty"`
	Cached int64 `json:"c,omitempty"`
	CW     int64 `json:"w,omitempty"`
	Out    int64 `json:"o,omitempty"`
	Reas   int64 `json:"r,omitempty"`
	Tot    int64 `json:"t,omitempty"`
}

// sameParts reports whether the token components (not Tot) are equal.
func (a vec) sameParts(b vec) bool {
	return a.In == b.In && a.Cached == b.Cached && a.CW == b.CW && a.Out == b.Out && a.Reas == b.Reas
}

// covers reports whether every component of a is at least that of b.
func (a vec) covers(b vec) bool {
	return a.In >= b.In && a.Cached >= b.Cached && a.CW >= b.CW && a.Out >= b.Out && a.Reas >= b.Reas
}

func (a vec) minus(b vec) vec {
	return vec{In: a.In - b.In, Cached: a.Cached - b.Cached, CW: a.CW - b.CW, Out: a.Out - b.Out, Reas: a.Reas - b.Reas, Tot: a.Tot - b.Tot}
}

func (a vec) plus(b vec) vec {
	return vec{In: a.In + b.In, Cached: a.Cached + b.Cached, CW: a.CW + b.CW, Out: a.Out + b.Out, Reas: a.Reas + b.Reas, Tot: a.Tot + b.Tot}
}

// usage normalises a raw vector.
func (a vec) usage() attribution.Usage {
	return attribution.FromOpenAI(a.In, a.Cached, a.CW, a.Out, a.Reas)
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// str returns raw as a string when it is a JSON string, else "".
func str(raw json.RawMessage) string {
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// integer returns raw as an integer when it is a JSON number or a string
// holding one.
func integer(raw json.RawMessage) (int64, bool) {
	if isNull(raw) {
		return 0, false
	}
	s := string(raw)
	if raw[0] == '"' {
		s = strings.TrimSpace(str(raw))
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// parseTime reads an RFC 3339 string, or epoch seconds, milliseconds,
// microseconds or nanoseconds (as a number or a numeric string).
func parseTime(raw json.RawMessage) (time.Time, bool) {
	if isNull(raw) {
		return time.Time{}, false
	}
	s := string(raw)
	if raw[0] == '"' {
		s = strings.TrimSpace(str(raw))
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC(), true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
		return time.Time{}, false
	}
	switch {
	case f < 1e11:
		return time.UnixMilli(int64(f * 1e3)).UTC(), true
	case f < 1e14:
		return time.UnixMilli(int64(f)).UTC(), true
	case f < 1e17:
		return time.UnixMicro(int64(f)).UTC(), true
	case f < 9e18:
		return time.Unix(0, int64(f)).UTC(), true
	}
	return time.Time{}, false
}
