package cline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/tokenyield/tokenyield/attribution"
)

// Decoding is lenient field by field: the documents are decoded into
// json.RawMessage fields, so that one field of an unexpected type spoils only
// the message it is in, never the whole document.

var errNotNumber = errors.New("not a JSON number")

// isNull reports whether raw is absent or the JSON null.
func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// jsonString returns raw as a string when it is a JSON string.
func jsonString(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// isString reports whether raw is exactly the JSON string s (as the
// extensions write them: no escapes in these identifiers).
func isString(raw json.RawMessage, s string) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == len(s)+2 && raw[0] == '"' && raw[len(raw)-1] == '"' && string(raw[1:len(raw)-1]) == s
}

// count reads a token count: a JSON number that is a whole number between 0
// and attribution.MaxTokensPerEvent. present is false for an absent or null
// field. Strings, even numeric ones, are errors: the extensions write numbers
// (JavaScript's JSON.stringify), so anything else is a document this reader
// does not understand.
func count(raw json.RawMessage) (n int64, present bool, err error) {
	if isNull(raw) {
		return 0, false, nil
	}
	f, err := number(raw)
	if err != nil {
		return 0, true, err
	}
	if f < 0 || f > attribution.MaxTokensPerEvent || f != math.Trunc(f) {
		return 0, true, fmt.Errorf("token count %s out of range", bytes.TrimSpace(raw))
	}
	return int64(f), true, nil
}

// millis reads a millisecond Unix timestamp (a positive whole JSON number
// before the year 10000).
func millis(raw json.RawMessage) (int64, error) {
	if isNull(raw) {
		return 0, errors.New("no ts")
	}
	f, err := number(raw)
	if err != nil {
		return 0, fmt.Errorf("ts: %w", err)
	}
	const maxMillis = 253402300800000 // 10000-01-01
	if f <= 0 || f >= maxMillis || f != math.Trunc(f) {
		return 0, fmt.Errorf("ts %s out of range", bytes.TrimSpace(raw))
	}
	return int64(f), nil
}

// number parses raw when it is a JSON number.
func number(raw json.RawMessage) (float64, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, fmt.Errorf("%w: %.40s", errNotNumber, raw)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%w: %.40s", errNotNumber, raw)
	}
	return f, nil
}
