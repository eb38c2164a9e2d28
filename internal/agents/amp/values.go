package amp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// Errors a thread's records can fail with.
var (
	errBadCount = errors.New("not a token count")
	errNoTime   = errors.New("no usable timestamp")
)

// count is a token count as Amp writes it: a non-negative integer. It also
// accepts null (zero), an integral float and a numeric string, so that a
// harmless change of encoding does not lose a record.
type count int64

// UnmarshalJSON implements json.Unmarshaler.
func (c *count) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*c = 0
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(strings.TrimSpace(s))
	}
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		return c.set(n)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > attribution.MaxTokensPerEvent {
		return fmt.Errorf("%w: %.40q", errBadCount, b)
	}
	return c.set(int64(f))
}

func (c *count) set(n int64) error {
	if n < 0 || n > attribution.MaxTokensPerEvent {
		return fmt.Errorf("%w: %d", errBadCount, n)
	}
	*c = count(n)
	return nil
}

// idText returns the text form of a JSON scalar used as an identifier (a
// message id is a number, an event id a string), or "" for anything else.
func idText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
		return s
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return ""
		}
		return n.String()
	}
	return ""
}

// parseTime reads an RFC 3339 timestamp as UTC.
func parseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() < 2000 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// millisTime reads an epoch-millisecond time such as a thread's "created".
func millisTime(raw json.RawMessage) (time.Time, bool) {
	var f float64
	if json.Unmarshal(raw, &f) != nil || f <= 0 || f > 253402300799999 {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(f)).UTC(), true
}

// uriPath turns a workspace tree URI into an absolute local path:
// "file:///home/u/x" gives "/home/u/x" and "file:///c%3A/Users/x" gives
// "c:/Users/x" (with the OS separator). Other schemes, hosts other than
// localhost and relative paths give "".
func uriPath(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || !strings.EqualFold(u.Scheme, "file") || (u.Host != "" && !strings.EqualFold(u.Host, "localhost")) {
		return ""
	}
	p := u.Path
	if isDrivePath(strings.TrimPrefix(p, "/")) {
		p = strings.TrimPrefix(p, "/")
	} else if !strings.HasPrefix(p, "/") {
		return ""
	}
	if strings.ContainsRune(p, 0) {
		return ""
	}
	return filepath.FromSlash(p)
}

// isDrivePath reports whether p starts like a Windows drive path, "c:/".
func isDrivePath(p string) bool {
	return len(p) >= 3 && p[1] == ':' && p[2] == '/' &&
		(p[0] >= 'a' && p[0] <= 'z' || p[0] >= 'A' && p[0] <= 'Z')
}
