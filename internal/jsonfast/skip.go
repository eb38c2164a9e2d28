package jsonfast

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// skipWS returns the index of the first non-whitespace byte at or after i.
func skipWS(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// SWAR helpers: find a byte in 8 bytes at once.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// hasByte returns a word whose lowest set bit marks the first byte of x
// equal to c (bits above it may be false positives), or 0.
func hasByte(x uint64, c byte) uint64 {
	y := x ^ (lsb * uint64(c))
	return (y - lsb) &^ y & msb
}

// scanKey finds the closing quote of the string whose content starts at b[i]
// and reports whether the content holds a backslash. Keys are short, so it
// tests 8 bytes at a time for a quote or a backslash instead of calling a
// vectorised search.
func scanKey(b []byte, i int) (end int, esc bool, err error) {
	j := i
	for ; j+8 <= len(b); j += 8 {
		x := binary.LittleEndian.Uint64(b[j:])
		if m := hasByte(x, '"') | hasByte(x, '\\'); m != 0 {
			j += bits.TrailingZeros64(m) >> 3
			if b[j] == '"' {
				return j, false, nil
			}
			end, err = skipString(b, j)
			return end - 1, true, err
		}
	}
	for ; j < len(b); j++ {
		switch b[j] {
		case '"':
			return j, false, nil
		case '\\':
			end, err = skipString(b, j)
			return end - 1, true, err
		}
	}
	return len(b), false, ErrEOF
}

// skipString returns the index after the closing quote of the string whose
// content starts at or before b[i] (b[i-1] is never a backslash that belongs
// to an unfinished escape: it is the opening quote or content already
// scanned).
func skipString(b []byte, i int) (int, error) {
	for {
		// Most strings are short: test the first 16 bytes a word at a time
		// before paying for a call to the vectorised search.
		var j int
		if i+16 <= len(b) {
			if m := hasByte(binary.LittleEndian.Uint64(b[i:]), '"'); m != 0 {
				j = bits.TrailingZeros64(m) >> 3
			} else if m := hasByte(binary.LittleEndian.Uint64(b[i+8:]), '"'); m != 0 {
				j = 8 + bits.TrailingZeros64(m)>>3
			} else if j = bytes.IndexByte(b[i+16:], '"'); j >= 0 {
				j += 16
			}
		} else {
			j = bytes.IndexByte(b[i:], '"')
		}
		if j < 0 {
			return len(b), ErrEOF
		}
		i += j
		// The quote is escaped when an odd number of backslashes precede it.
		// The scan back stops at the opening quote at the latest.
		k := i - 1
		for k >= 0 && b[k] == '\\' {
			k--
		}
		if (i-1-k)&1 == 0 {
			return i + 1, nil
		}
		i++
	}
}

// skipValue returns the index after the value starting at b[i], which must be
// inside the input. depth is the nesting depth of the enclosing container.
func skipValue(b []byte, i, depth int) (int, error) {
	switch b[i] {
	case '"':
		return skipString(b, i+1)
	case '{', '[':
		return skipContainer(b, i, depth)
	case 't':
		return literal(b, i, "true")
	case 'f':
		return literal(b, i, "false")
	case 'n':
		return literal(b, i, "null")
	default:
		return skipNumber(b, i)
	}
}

// literal checks that b[i:] starts with lit.
func literal(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) {
		if string(b[i:]) == lit[:len(b)-i] {
			return len(b), ErrEOF
		}
		return i, ErrSyntax
	}
	if string(b[i:i+len(lit)]) != lit {
		return i, ErrSyntax
	}
	return i + len(lit), nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// skipNumber checks the JSON number grammar at b[i] and returns the index after it.
func skipNumber(b []byte, i int) (int, error) {
	n := len(b)
	if b[i] == '-' {
		i++
		if i >= n {
			return n, ErrEOF
		}
	}
	switch c := b[i]; {
	case c == '0':
		i++
	case '1' <= c && c <= '9':
		i++
		for i < n && isDigit(b[i]) {
			i++
		}
	default:
		return i, ErrSyntax
	}
	if i < n && b[i] == '.' {
		i++
		if i >= n {
			return n, ErrEOF
		}
		if !isDigit(b[i]) {
			return i, ErrSyntax
		}
		for i < n && isDigit(b[i]) {
			i++
		}
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < n && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= n {
			return n, ErrEOF
		}
		if !isDigit(b[i]) {
			return i, ErrSyntax
		}
		for i < n && isDigit(b[i]) {
			i++
		}
	}
	return i, nil
}

// stack remembers, for every open container, whether it is an object. The
// first 64 levels live in a word; deeper (hostile) nesting spills to a slice.
type stack struct {
	n     int
	small uint64
	big   []uint64
}

func (s *stack) push(obj bool) {
	if s.n < 64 {
		if obj {
			s.small |= 1 << uint(s.n)
		} else {
			s.small &^= 1 << uint(s.n)
		}
	} else {
		k := s.n - 64
		w := k >> 6
		for len(s.big) <= w {
			s.big = append(s.big, 0)
		}
		if obj {
			s.big[w] |= 1 << uint(k&63)
		} else {
			s.big[w] &^= 1 << uint(k&63)
		}
	}
	s.n++
}

// top reports whether the innermost open container is an object.
func (s *stack) top() bool {
	k := s.n - 1
	if k < 64 {
		return s.small>>uint(k)&1 == 1
	}
	k -= 64
	return s.big[k>>6]>>uint(k&63)&1 == 1
}

// skipContainer returns the index after the object or array starting at b[i].
// depth is the nesting depth of the enclosing container. It runs without
// recursion, so hostile nesting cannot exhaust the goroutine stack.
func skipContainer(b []byte, i, depth int) (int, error) {
	var (
		st  stack
		err error
		n   = len(b)
	)
open: // b[i] is '{' or '['
	if depth+st.n >= MaxDepth {
		return i, ErrDepth
	}
	if b[i] == '{' {
		st.push(true)
		i = skipWS(b, i+1)
		if i >= n {
			return n, ErrEOF
		}
		if b[i] == '}' {
			i++
			goto closed
		}
		goto key
	}
	st.push(false)
	i = skipWS(b, i+1)
	if i >= n {
		return n, ErrEOF
	}
	if b[i] == ']' {
		i++
		goto closed
	}
	goto value
key: // b[i] starts an object key
	if b[i] != '"' {
		return i, ErrSyntax
	}
	if i, err = skipString(b, i+1); err != nil {
		return i, err
	}
	i = skipWS(b, i)
	if i >= n {
		return n, ErrEOF
	}
	if b[i] != ':' {
		return i, ErrSyntax
	}
	i = skipWS(b, i+1)
	if i >= n {
		return n, ErrEOF
	}
value: // b[i] starts a value
	switch b[i] {
	case '{', '[':
		goto open
	case '"':
		i, err = skipString(b, i+1)
	case 't':
		i, err = literal(b, i, "true")
	case 'f':
		i, err = literal(b, i, "false")
	case 'n':
		i, err = literal(b, i, "null")
	default:
		i, err = skipNumber(b, i)
	}
	if err != nil {
		return i, err
	}
next: // a value of the innermost container ends before b[i]
	i = skipWS(b, i)
	if i >= n {
		return n, ErrEOF
	}
	switch b[i] {
	case ',':
		i = skipWS(b, i+1)
		if i >= n {
			return n, ErrEOF
		}
		if st.top() {
			goto key
		}
		goto value
	case '}':
		if !st.top() {
			return i, ErrSyntax
		}
	case ']':
		if st.top() {
			return i, ErrSyntax
		}
	default:
		return i, ErrSyntax
	}
	i++
closed: // the innermost container ends before b[i]
	st.n--
	if st.n == 0 {
		return i, nil
	}
	goto next
}
