package report

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length bounds of the text fields Build keeps (in characters).
const (
	maxSubject = 500
	maxAuthor  = 200
	maxTitle   = 300
	maxName    = 128
	maxNote    = 500
	maxPartial = 100 // entries of Input.Partial kept
)

// clean makes untrusted text safe to store: valid UTF-8, one line (control
// and space characters, line separators included, become one space; format
// characters such as bidirectional overrides are dropped), trimmed, and at
// most limit characters (cut text ends with "…"). It does not escape: see
// escape for Markdown.
func clean(s string, limit int) string {
	// Bound the work on huge input before anything else: a 10 MB subject
	// only needs its first few hundred characters.
	cut := len(s) > 4*limit+4
	if cut {
		s = s[:4*limit+4]
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsControl(r) || unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case invisible(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := truncate(b.String(), limit)
	if cut && !strings.HasSuffix(out, "…") {
		out = truncate(out+"…", limit)
	}
	return out
}

// invisible reports format characters, which are dropped: bidirectional
// overrides that reorder what a reviewer sees, zero-width spaces, soft
// hyphens. The joiners that emoji and some scripts need are kept.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d'
}

// truncate cuts s to at most limit characters, ending a cut string with "…".
func truncate(s string, limit int) string {
	if limit <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	n := 0
	for i := range s {
		if n == limit-1 {
			return strings.TrimRight(s[:i], " ") + "…"
		}
		n++
	}
	return s
}

// cleanAll cleans each string of list and drops empty ones.
func cleanAll(list []string, limit int) []string {
	out := []string{}
	for _, s := range list {
		if c := clean(s, limit); c != "" {
			out = append(out, c)
		}
	}
	return out
}
