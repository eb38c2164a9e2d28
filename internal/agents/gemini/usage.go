package gemini

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// counts are the token fields of one message's "tokens" object.
type counts struct {
	input, output, cached, thoughts, tool int64
	total                                 int64
	hasTotal                              bool
}

var errBadNumbers = errors.New("bad token count")

// usage converts counts into a normalised vector (see the package
// documentation for the rules and the role of the total).
func (c counts) usage() (attribution.Usage, error) {
	for _, v := range [...]int64{c.input, c.output, c.cached, c.thoughts, c.tool, c.total} {
		if v < 0 || v > attribution.MaxTokensPerEvent {
			return attribution.Usage{}, fmt.Errorf("%w: %d", errBadNumbers, v)
		}
	}
	cachedInInput, thoughtsInOutput := true, false
	if c.hasTotal {
		standard := c.input + c.output + c.thoughts + c.tool
		switch {
		case c.total == standard:
		case c.thoughts > 0 && c.output >= c.thoughts && c.total == c.input+c.output+c.tool:
			thoughtsInOutput = true // OpenAI-style: reasoning inside output
		case c.cached > 0 && c.total == standard+c.cached:
			cachedInInput = false // input without the cached tokens
		}
	}
	input := c.input
	if cachedInInput {
		input -= min(c.cached, c.input)
	}
	output := c.output
	if !thoughtsInOutput {
		output += c.thoughts
	}
	u := attribution.Usage{
		Input:     input + c.tool,
		CacheRead: c.cached,
		Output:    output,
		Reasoning: c.thoughts,
	}
	if err := u.Validate(); err != nil {
		return attribution.Usage{}, fmt.Errorf("%w: %w", errBadNumbers, err)
	}
	return u, nil
}

// cleanModel trims a model name and replaces one a note cannot hold with
// "unknown" ("" stays "": no model named).
func cleanModel(m string) string {
	m = strings.TrimSpace(m)
	if m != "" && !attribution.ValidName(m) {
		return "unknown"
	}
	return m
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
