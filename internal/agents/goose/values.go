package goose

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// counters are a session's cumulative token counts.
type counters struct {
	input, output, total int64
	// partial marks counts taken from the latest call only (sessions without
	// the accumulated counters): they under-count.
	partial bool
}

// usage converts the counters. Goose records no cache split: cached input is
// inside input and counted as input. What total holds beyond input and
// output (reasoning that providers report apart from output, such as Gemini
// thoughts) is counted as output and reported as reasoning, as ccusage
// prices it.
func (c counters) usage() attribution.Usage {
	u := attribution.Usage{Input: c.input, Output: c.output}
	if extra := c.total - c.input - c.output; extra > 0 {
		u.Output += extra
		u.Reasoning = extra
	}
	return u
}

// errCount reports a token count that is not a plausible count.
var errCount = errors.New("not a token count")

// count reads a token count column or field: NULL is absent (ok false); a
// negative, fractional, oversized or non-numeric value is an error.
func count(v any) (n int64, ok bool, err error) {
	switch x := v.(type) {
	case nil:
		return 0, false, nil
	case int64:
		n = x
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > attribution.MaxTokensPerEvent {
			return 0, false, errCount
		}
		n = int64(x)
	case []byte:
		return count(string(x))
	case string:
		if strings.TrimSpace(x) == "" {
			return 0, false, nil
		}
		p, perr := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if perr != nil {
			return 0, false, errCount
		}
		n = p
	default:
		return 0, false, errCount
	}
	if n < 0 || n > attribution.MaxTokensPerEvent {
		return 0, false, errCount
	}
	return n, true, nil
}

// asText reads a text column ("" for NULL).
func asText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return ""
}

// timeLayouts are the text forms Goose's timestamps take: SQLite's
// datetime('now') and CURRENT_TIMESTAMP (UTC without a zone), and chrono's
// forms for values bound from Rust (imports).
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// Plausible times: 2000-01-01 to 2200-01-01.
var (
	minTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// parseTime reads a timestamp column: text in one of timeLayouts (no zone
// means UTC), a time the driver already parsed (TIMESTAMP columns), or epoch
// seconds or milliseconds.
func parseTime(v any) (time.Time, bool) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case int64:
		if x > 1e12 || x < -1e12 {
			t = time.UnixMilli(x)
		} else {
			t = time.Unix(x, 0)
		}
	case float64:
		return parseTime(int64(x))
	case []byte:
		return parseTime(string(x))
	case string:
		s := strings.TrimSpace(x)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return parseTime(n)
		}
		for _, l := range timeLayouts {
			if p, err := time.Parse(l, s); err == nil {
				t = p
				break
			}
		}
	}
	t = t.UTC()
	if t.Before(minTime) || t.After(maxTime) {
		return time.Time{}, false
	}
	return t, true
}
