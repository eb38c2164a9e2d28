package gemini

import (
	"errors"
	"fmt"

	"time"

	"github.com/tokenyield/tokenyield/attribution"
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

var errNoTime = errors.New("message without a valid timestamp")

// parseTime reads an ISO-8601 timestamp such as "2026-04-29T21:39:45.996Z".
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errNoTime
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %w", errNoTime, err)
	}
	return t.UTC(), nil
}
