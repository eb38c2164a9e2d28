package qwen

import (
	"errors"
	"fmt"
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
