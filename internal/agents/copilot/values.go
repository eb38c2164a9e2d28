package copilot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// Errors records can fail with.
var (
	errBadCount = errors.New("not a token count")
	errNoTime   = errors.New("no usable timestamp")
	errBadLine  = errors.New("malformed record")
)

// count is a token count: a non-negative integer. It also accepts null
// (zero), an integral float and a numeric string, so that a harmless change
// of encoding does not lose a record.
type count int64

// UnmarshalJSON implements json.Unmarshaler.
func (c *count) UnmarshalJSON(b []byte) error {
	n, err := parseCount(b)
	if err != nil {
		return err
	}
	*c = count(n)
	return nil
}

// parseCount reads a JSON value as a token count.
func parseCount(b []byte) (int64, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return 0, nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, fmt.Errorf("%w: %w", errBadCount, err)
		}
		b = []byte(strings.TrimSpace(s))
	}
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		if n < 0 || n > attribution.MaxTokensPerEvent {
			return 0, fmt.Errorf("%w: %d", errBadCount, n)
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > attribution.MaxTokensPerEvent {
		return 0, fmt.Errorf("%w: %.40q", errBadCount, b)
	}
	return int64(f), nil
}

// text decodes a JSON string, or gives "" for anything else.
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// parseTime reads an RFC 3339 timestamp as UTC.
func parseTime(s string) (time.Time, bool) {
	if len(s) < 20 || s[4] != '-' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() < 2000 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// modelKey is the form under which model names are compared between
// per-message records and shutdown totals: lower case, without the "-1m"
// and "-1m-internal" context-size suffixes Copilot adds to some names.
func modelKey(m string) string {
	m = strings.ToLower(strings.TrimSpace(m))
	if t, ok := strings.CutSuffix(m, "-1m-internal"); ok {
		return t
	}
	return strings.TrimSuffix(m, "-1m")
}
