package qwen

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// counts are the fields of one usageMetadata object.
type counts struct {
	prompt, candidates, cached, thoughts, tool int64
	total                                      int64
	hasTotal                                   bool
}

var errBadNumbers = errors.New("bad token count")

// usage converts counts into a normalised vector (see the package
// documentation for the rules and the role of the total).
func (c counts) usage() (attribution.Usage, error) {
	for _, v := range [...]int64{c.prompt, c.candidates, c.cached, c.thoughts, c.tool, c.total} {
		if v < 0 || v > attribution.MaxTokensPerEvent {
			return attribution.Usage{}, fmt.Errorf("%w: %d", errBadNumbers, v)
		}
	}
	cachedInPrompt, thoughtsInCandidates := true, false
	if c.hasTotal {
		gemini := c.prompt + c.candidates + c.thoughts + c.tool
		switch {
		case c.total == gemini:
		case c.thoughts > 0 && c.candidates >= c.thoughts && c.total == c.prompt+c.candidates+c.tool:
			thoughtsInCandidates = true // OpenAI-compatible: completion_tokens
		case c.cached > 0 && c.total == gemini+c.cached:
			cachedInPrompt = false
		}
	}
	input := c.prompt
	if cachedInPrompt {
		input -= min(c.cached, c.prompt)
	}
	output := c.candidates
	if !thoughtsInCandidates {
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

var errNoTime = errors.New("record without a valid timestamp")

// parseTime reads an ISO-8601 timestamp such as "2026-06-15T14:40:22.909Z".
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

// isAbsPath reports whether p is absolute on any platform Qwen Code runs
// on: "/x", "C:\x", "C:/x" or a UNC path.
func isAbsPath(p string) bool {
	switch {
	case strings.HasPrefix(p, "/"), strings.HasPrefix(p, `\\`):
		return true
	case len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/'):
		c := p[0] | 0x20
		return c >= 'a' && c <= 'z'
	}
	return false
}
