package gemini

import (
	"errors"
	"fmt"

	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/jsonfast"
)

// Counts are the token counts of one response as Gemini's API reports them
// (GenerateContentResponseUsageMetadata): Gemini CLI's "tokens" object, and
// Qwen Code's usageMetadata (its fork keeps the semantics). Input is the
// prompt count (cached tokens included), Output the candidates, Thoughts
// and Tool the thinking and tool-use prompt tokens, Total the total when
// HasTotal.
type Counts struct {
	Input, Output, Cached, Thoughts, Tool int64
	Total                                 int64
	HasTotal                              bool
}

// ErrBadNumbers marks a negative or absurd count.
var ErrBadNumbers = errors.New("bad token count")

var errBadNumbers = ErrBadNumbers

// Usage converts counts into a normalised vector (see the package
// documentation for the rules and the role of the total, which tells apart
// the backends that count cached tokens outside the prompt or thoughts
// inside the candidates).
func (c Counts) Usage() (attribution.Usage, error) {
	for _, v := range [...]int64{c.Input, c.Output, c.Cached, c.Thoughts, c.Tool, c.Total} {
		if v < 0 || v > attribution.MaxTokensPerEvent {
			return attribution.Usage{}, fmt.Errorf("%w: %d", errBadNumbers, v)
		}
	}
	cachedInInput, thoughtsInOutput := true, false
	if c.HasTotal {
		standard := c.Input + c.Output + c.Thoughts + c.Tool
		switch {
		case c.Total == standard:
		case c.Thoughts > 0 && c.Output >= c.Thoughts && c.Total == c.Input+c.Output+c.Tool:
			thoughtsInOutput = true // OpenAI-style: reasoning inside output
		case c.Cached > 0 && c.Total == standard+c.Cached:
			cachedInInput = false // input without the cached tokens
		}
	}
	input := c.Input
	if cachedInInput {
		input -= min(c.Cached, c.Input)
	}
	output := c.Output
	if !thoughtsInOutput {
		output += c.Thoughts
	}
	u := attribution.Usage{
		Input:     input + c.Tool,
		CacheRead: c.Cached,
		Output:    output,
		Reasoning: c.Thoughts,
	}
	if err := u.Validate(); err != nil {
		return attribution.Usage{}, fmt.Errorf("%w: %w", errBadNumbers, err)
	}
	return u, nil
}

// CountsOf reads the six counts of a usage object, in the order of Counts'
// fields (Gemini CLI's tokens, Qwen Code's usageMetadata): missing or null
// counts are zero, and a missing total is noted in HasTotal.
func CountsOf(input, output, cached, thoughts, tool, total jsonfast.Value) (Counts, error) {
	var c Counts
	var errs [6]error
	c.Input, errs[0] = input.OptInt64()
	c.Output, errs[1] = output.OptInt64()
	c.Cached, errs[2] = cached.OptInt64()
	c.Thoughts, errs[3] = thoughts.OptInt64()
	c.Tool, errs[4] = tool.OptInt64()
	c.Total, errs[5] = total.OptInt64()
	c.HasTotal = total.Kind() == jsonfast.Number
	if err := errors.Join(errs[:]...); err != nil {
		return Counts{}, fmt.Errorf("%w: %w", errBadNumbers, err)
	}
	return c, nil
}

// ErrNoTime marks a record without a valid timestamp.
var ErrNoTime = errors.New("record without a valid timestamp")

// ParseTime reads an ISO-8601 timestamp such as "2026-04-29T21:39:45.996Z"
// (Gemini CLI's and Qwen Code's), in UTC.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, ErrNoTime
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %w", ErrNoTime, err)
	}
	return t.UTC(), nil
}
