package action

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestCutSummary: a long review is cut at a line end within the limit,
// never inside a character or a table row, with a note; a short one is
// kept whole.
func TestCutSummary(t *testing.T) {
	row := "| Zoë | 1,234 | ✓ |\n"
	md := strings.Repeat(row, 100)
	if got := cutSummary(md, len(md)); got != md {
		t.Error("a summary within the limit was changed")
	}
	const note = "\n\n… cut at the job summary's size limit: review.md has everything.\n"
	for _, limit := range []int{200, 201, 202, 203, 999} {
		got := cutSummary(md, limit)
		body, ok := strings.CutSuffix(got, note)
		if !ok || len(got) > limit || !utf8.ValidString(got) || !strings.HasPrefix(md, body) || len(body)%len(row) != 0 || body == "" {
			t.Errorf("limit %d: %d bytes, note %v, valid %v, body of %d bytes (rows of %d)", limit, len(got), ok, utf8.ValidString(got), len(body), len(row))
		}
	}
}
