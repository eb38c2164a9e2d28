package tokenize

import "unicode/utf8"

// splitter cuts text into the pieces that tiktoken's pre-tokenizer regular
// expression would find, without a regular expression engine. Each method
// below mirrors one alternative of the patterns, tried in the patterns'
// order with the same leftmost-first (backtracking) semantics:
//
// cl100k_base:
//
//	1 (?i:'s|'t|'re|'ve|'m|'ll|'d)
//	2 [^\r\n\p{L}\p{N}]?\p{L}+
//	3 \p{N}{1,3}
//	4  ?[^\s\p{L}\p{N}]+[\r\n]*
//	5 \s*[\r\n]+
//	6 \s+(?!\S)
//	7 \s+
//
// o200k_base (U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}], W = [\p{Ll}\p{Lm}\p{Lo}\p{M}],
// C = (?i:'s|'t|'re|'ve|'m|'ll|'d)):
//
//	1 [^\r\n\p{L}\p{N}]?U*W+C?
//	2 [^\r\n\p{L}\p{N}]?U+W*C?
//	3 \p{N}{1,3}
//	4  ?[^\s\p{L}\p{N}]+[\r\n/]*
//	5 \s*[\r\n]+
//	6 \s+(?!\S)
//	7 \s+
//
// Every character matches one of the alternatives, so the pieces tile the
// text. Neither pattern looks behind, so a piece depends only on the text
// from its start onwards.
type splitter struct {
	s     string
	cls   *classTable
	o200k bool
}

// at returns the character at byte offset i, its class flags and width.
// The text is valid UTF-8 (see sanitize).
func (p *splitter) at(i int) (rune, uint8, int) {
	if c := p.s[i]; c < utf8.RuneSelf {
		return rune(c), p.cls[c], 1
	}
	r, w := utf8.DecodeRuneInString(p.s[i:])
	return r, p.cls.flags(r), w
}

// next returns the end of the piece that starts at i < len(s).
func (p *splitter) next(i int) int {
	if p.o200k {
		return p.nextO200K(i)
	}
	return p.nextCL100K(i)
}

func (p *splitter) nextCL100K(i int) int {
	r, f, w := p.at(i)
	// 1: a contraction.
	if r == '\'' {
		if n := p.contraction(i + 1); n > 0 {
			return i + 1 + n
		}
	}
	// 2: letters, with one optional leading character that is not a
	// newline, letter or number (a space, a quote, a tab...).
	if f&clsL != 0 {
		return p.run(i+w, clsL)
	}
	if f&(clsNL|clsN) == 0 && i+w < len(p.s) {
		if _, f2, w2 := p.at(i + w); f2&clsL != 0 {
			return p.run(i+w+w2, clsL)
		}
	}
	// 3: up to three numbers.
	if f&clsN != 0 {
		return p.numbers(i + w)
	}
	// 4: punctuation.
	if end, ok := p.punct(i, r, f, false); ok {
		return end
	}
	// 5-7: whitespace, the only class left.
	return p.space(i)
}

func (p *splitter) nextO200K(i int) int {
	r, f, w := p.at(i)
	// The optional leading character of alternatives 1 and 2.
	prefix := f&(clsNL|clsL|clsN) == 0 && i+w < len(p.s)
	// 1: U*W+, first with the leading character, then without it (which
	// can succeed only when it is a combining mark).
	if prefix {
		if end, ok := p.upperLower(i + w); ok {
			return p.suffix(end)
		}
	}
	if f&(clsUpper|clsLower) != 0 {
		if end, ok := p.upperLower(i); ok {
			return p.suffix(end)
		}
	}
	// 2: U+W*, which cannot fail once it has its first U.
	if prefix {
		if _, f2, w2 := p.at(i + w); f2&clsUpper != 0 {
			return p.suffix(p.run(p.run(i+w+w2, clsUpper), clsLower))
		}
	}
	if f&clsUpper != 0 {
		return p.suffix(p.run(p.run(i+w, clsUpper), clsLower))
	}
	// 3: up to three numbers.
	if f&clsN != 0 {
		return p.numbers(i + w)
	}
	// 4: punctuation, followed by newlines and slashes.
	if end, ok := p.punct(i, r, f, true); ok {
		return end
	}
	// 5-7: whitespace.
	return p.space(i)
}

// run returns the end of the run of characters with any of the flags mask
// that starts at j.
func (p *splitter) run(j int, mask uint8) int {
	for j < len(p.s) {
		_, f, w := p.at(j)
		if f&mask == 0 {
			break
		}
		j += w
	}
	return j
}

// numbers returns the end of \p{N}{1,3} given the end j of its first number.
func (p *splitter) numbers(j int) int {
	for k := 1; k < 3 && j < len(p.s); k++ {
		_, f, w := p.at(j)
		if f&clsN == 0 {
			break
		}
		j += w
	}
	return j
}

// upperLower matches U*W+ at j. U* is greedy; when no W follows the U run,
// the regular expression backs off character by character until W+ can
// start on a character that is in both classes (Lm, Lo, M), and W+ then
// ends right after it, since the characters after it in the run are U only.
func (p *splitter) upperLower(j int) (int, bool) {
	m, both, bothW := j, -1, 0
	for m < len(p.s) {
		_, f, w := p.at(m)
		if f&clsUpper == 0 {
			break
		}
		if f&clsLower != 0 {
			both, bothW = m, w
		}
		m += w
	}
	if m < len(p.s) {
		if _, f, w := p.at(m); f&clsLower != 0 {
			return p.run(m+w, clsLower), true
		}
	}
	if both >= 0 {
		return both + bothW, true
	}
	return 0, false
}

// suffix appends o200k's optional contraction to a word ending at end.
func (p *splitter) suffix(end int) int {
	if end < len(p.s) && p.s[end] == '\'' {
		if n := p.contraction(end + 1); n > 0 {
			return end + 1 + n
		}
	}
	return end
}

// contraction returns the length in bytes of s, t, re, ve, m, ll or d
// (any case) at j, or 0. Case-insensitive matching follows Unicode simple
// case folding, as the Rust regex engine of OpenAI's tiktoken does, so
// U+017F LATIN SMALL LETTER LONG S counts as an s.
func (p *splitter) contraction(j int) int {
	if j >= len(p.s) {
		return 0
	}
	r, _, w := p.at(j)
	switch fold(r) {
	case 's', 't', 'm', 'd':
		return w
	case 'r', 'v':
		if j+1 < len(p.s) && fold(rune(p.s[j+1])) == 'e' {
			return w + 1
		}
	case 'l':
		if j+1 < len(p.s) && fold(rune(p.s[j+1])) == 'l' {
			return w + 1
		}
	}
	return 0
}

// fold maps the characters that case-fold to the contraction letters onto
// those letters.
func fold(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + 'a' - 'A'
	case r == 'ſ':
		return 's'
	}
	return r
}

// punct matches " ?[^\s\p{L}\p{N}]+" followed by newlines (and, for
// o200k_base, slashes) at i, where r and f describe s[i].
func (p *splitter) punct(i int, r rune, f uint8, slash bool) (int, bool) {
	j := i
	if r == ' ' && i+1 < len(p.s) {
		if _, f2, _ := p.at(i + 1); clsP(f2) {
			j = i + 1
		}
	}
	if j == i && !clsP(f) {
		return 0, false
	}
	for j < len(p.s) {
		_, f2, w := p.at(j)
		if !clsP(f2) {
			break
		}
		j += w
	}
	for j < len(p.s) {
		c := p.s[j]
		if c != '\r' && c != '\n' && (!slash || c != '/') {
			break
		}
		j++
	}
	return j, true
}

// space matches alternatives 5-7 at i, where s[i] is whitespace:
// up to the last newline of the whitespace run if it has one (5); else the
// run without its last character when something follows the run and the
// run is longer than one character, leaving that character to start the
// next word (6); else the whole run (6 at the end of the text, or 7).
func (p *splitter) space(i int) int {
	k, lastNL, last := i, -1, i
	for k < len(p.s) {
		_, f, w := p.at(k)
		if f&clsS == 0 {
			break
		}
		if f&clsNL != 0 {
			lastNL = k
		}
		last = k
		k += w
	}
	switch {
	case k == i: // not whitespace: cannot happen, but never stall
		_, _, w := p.at(i)
		return i + w
	case lastNL >= 0:
		return lastNL + 1
	case k == len(p.s) || last == i:
		return k
	default:
		return last
	}
}
