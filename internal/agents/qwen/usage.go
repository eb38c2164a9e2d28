package qwen

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/internal/agents/gemini"
)

// counts are the fields of one usageMetadata object: Gemini's semantics
// (Qwen Code is a fork of Gemini CLI), so gemini.Counts normalises them:
// Input is promptTokenCount, Output candidatesTokenCount.
type counts = gemini.Counts

var errBadNumbers = gemini.ErrBadNumbers

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
