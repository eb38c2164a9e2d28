package aider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tokenyield/tokenyield/attribution"
)

// tokenCounts is what one "> Tokens:" line of the chat history reports.
type tokenCounts struct {
	sent, cacheWrite, cacheHit, received int64
	// rounded is set when any number was written rounded ("1.6k", "12k").
	rounded bool
}

// labels are the parts a Tokens line may list, in the order aider writes
// them. "cached" (0.50.2-dev builds) and "cache hit" (0.51.0 on) both mean cache reads.
var labels = []string{"sent", "cache write", "cache hit", "cached", "received"}

// parseTokens reads the counts of a Tokens line, given what follows
// "> Tokens: " (e.g. "12k sent, 1.1k cache write, 256 received. Cost: …").
// The list must start with "sent" and end with "received", followed by the
// end of the line, "." or ","; what follows it (the cost) is ignored.
func parseTokens(s string) (tokenCounts, error) {
	var t tokenCounts
	seen := map[string]bool{}
	rest := s
	for {
		numText, after, ok := strings.Cut(rest, " ")
		if !ok {
			return t, fmt.Errorf("tokens line %q: truncated", s)
		}
		n, rounded, err := parseCount(numText)
		if err != nil {
			return t, fmt.Errorf("tokens line %q: %w", s, err)
		}
		label := ""
		for _, l := range labels {
			if strings.HasPrefix(after, l) && (len(after) == len(l) || after[len(l)] == ',' || after[len(l)] == '.') {
				label = l
				break
			}
		}
		switch {
		case label == "":
			return t, fmt.Errorf("tokens line %q: unknown count %q", s, after)
		case seen[label] || (label == "cached" && seen["cache hit"]) || (label == "cache hit" && seen["cached"]):
			return t, fmt.Errorf("tokens line %q: %s twice", s, label)
		case len(seen) == 0 && label != "sent":
			return t, fmt.Errorf("tokens line %q: does not start with sent", s)
		}
		seen[label] = true
		t.rounded = t.rounded || rounded
		switch label {
		case "sent":
			t.sent = n
		case "cache write":
			t.cacheWrite = n
		case "cache hit", "cached":
			t.cacheHit = n
		case "received":
			t.received = n
			return t, nil
		}
		rest = after[len(label):]
		if !strings.HasPrefix(rest, ", ") {
			return t, fmt.Errorf("tokens line %q: no received count", s)
		}
		rest = rest[2:]
	}
}

// errCount reports a number that is not one aider writes.
var errCount = errors.New("not a token count")

// maxCountDigits keeps parsed numbers far from overflowing int64; the result
// is checked against attribution.MaxTokensPerEvent by Usage.Validate.
const maxCountDigits = 15

// parseCount reads a number as aider prints token counts: exact with
// thousands separators ("12,566", "492"), or in thousands rounded by
// format_tokens to one decimal below 10k and to a whole number above ("1.6k",
// "12k"; up to three decimals are accepted). rounded reports the "k" form.
func parseCount(s string) (n int64, rounded bool, err error) {
	if mant, ok := strings.CutSuffix(s, "k"); ok {
		whole, frac, _ := strings.Cut(mant, ".")
		if len(frac) > 3 || strings.ContainsRune(mant, ',') {
			return 0, true, fmt.Errorf("%w: %q", errCount, s)
		}
		w, err := digits(whole)
		if err != nil {
			return 0, true, fmt.Errorf("%w: %q", errCount, s)
		}
		n = w * 1000
		scale := int64(100)
		for i := 0; i < len(frac); i++ {
			d := frac[i]
			if d < '0' || d > '9' {
				return 0, true, fmt.Errorf("%w: %q", errCount, s)
			}
			n += int64(d-'0') * scale
			scale /= 10
		}
		return n, true, nil
	}
	if s == "" || s[0] == ',' || s[len(s)-1] == ',' || strings.Contains(s, ",,") {
		return 0, false, fmt.Errorf("%w: %q", errCount, s)
	}
	n, err = digits(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		return 0, false, fmt.Errorf("%w: %q", errCount, s)
	}
	return n, false, nil
}

// digits reads a non-empty run of at most maxCountDigits decimal digits.
func digits(s string) (int64, error) {
	if s == "" || len(s) > maxCountDigits {
		return 0, errCount
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, errCount
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// usage normalises the counts (see "Normalisation of sent" in the package
// documentation): "sent" includes the cache hits and writes listed with it,
// except on an exact line whose cache parts exceed it, which an
// Anthropic-style build of August 2024 wrote with "sent" excluding them.
func (t tokenCounts) usage() attribution.Usage {
	if !t.rounded && t.cacheHit+t.cacheWrite > t.sent {
		return attribution.FromAnthropic(t.sent, t.cacheHit, t.cacheWrite, t.received)
	}
	return attribution.FromOpenAI(t.sent, t.cacheHit, t.cacheWrite, t.received, 0)
}
