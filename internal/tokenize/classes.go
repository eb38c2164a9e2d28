package tokenize

import (
	"sync"
	"unicode"
)

// Character classes of the two pre-tokenizer patterns, as bit flags.
//
//	clsL     \p{L}                               letters
//	clsN     \p{N}                               numbers
//	clsS     \s (Unicode White_Space)            whitespace
//	clsNL    \r or \n
//	clsUpper [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]     o200k's "upper-ish" class
//	clsLower [\p{Ll}\p{Lm}\p{Lo}\p{M}]           o200k's "lower-ish" class
//
// A character in neither clsL, clsN nor clsS is punctuation in the sense of
// [^\s\p{L}\p{N}] (symbols, marks, controls and U+FFFD included).
const (
	clsL uint8 = 1 << iota
	clsN
	clsS
	clsNL
	clsUpper
	clsLower
)

// clsP reports whether flags describe [^\s\p{L}\p{N}].
func clsP(f uint8) bool { return f&(clsL|clsN|clsS) == 0 }

// classify computes the flags of r from Go's Unicode tables, the same
// tables the regexp2 engine of github.com/pkoukk/tiktoken-go consults.
func classify(r rune) uint8 {
	var f uint8
	if unicode.IsLetter(r) {
		f |= clsL
	}
	if unicode.IsNumber(r) {
		f |= clsN
	}
	if unicode.IsSpace(r) {
		f |= clsS
	}
	if r == '\r' || r == '\n' {
		f |= clsNL
	}
	both := unicode.In(r, unicode.Lm, unicode.Lo, unicode.M)
	if both || unicode.In(r, unicode.Lu, unicode.Lt) {
		f |= clsUpper
	}
	if both || unicode.Is(unicode.Ll, r) {
		f |= clsLower
	}
	return f
}

// classTable holds the flags of every character of the Basic Multilingual
// Plane. Building it takes about 5 ms, so it is built once, by the first
// Get, not when the program starts.
type classTable [1 << 16]uint8

var classes = sync.OnceValue(func() *classTable {
	t := new(classTable)
	for r := range rune(len(t)) {
		t[r] = classify(r)
	}
	return t
})

// flags returns the flags of r: from the table inside the BMP, computed
// outside it (emoji, rare CJK, historic scripts).
func (t *classTable) flags(r rune) uint8 {
	if r < rune(len(t)) {
		return t[r]
	}
	return classify(r)
}
