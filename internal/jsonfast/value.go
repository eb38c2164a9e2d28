package jsonfast

import (
	"math"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The kinds of Value.
const (
	Missing Kind = iota // the field is not present (the zero Kind)
	Null                // null
	Bool                // true or false
	Number              // a number, in JSON syntax
	String              // a string
	Object              // an object
	Array               // an array
)

var kindNames = [...]string{"missing", "null", "bool", "number", "string", "object", "array"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// Value is the raw JSON text of one extracted field. It points into the
// document it was extracted from and is only valid as long as that is. The
// zero Value is a missing field.
type Value struct {
	raw []byte
}

// Raw returns the value's JSON text (nil when missing).
func (v Value) Raw() []byte { return v.raw }

// Exists reports whether the field was present (null counts as present).
func (v Value) Exists() bool { return len(v.raw) > 0 }

// Kind returns the value's JSON type. Values come from a checked walk, so the
// first byte determines the type.
func (v Value) Kind() Kind {
	if len(v.raw) == 0 {
		return Missing
	}
	switch v.raw[0] {
	case 'n':
		return Null
	case 't', 'f':
		return Bool
	case '"':
		return String
	case '{':
		return Object
	case '[':
		return Array
	default:
		return Number
	}
}

// IsNull reports whether the value is JSON null.
func (v Value) IsNull() bool { return v.Kind() == Null }

// kindErr is the error for reading v as another kind.
func (v Value) kindErr() error {
	if len(v.raw) == 0 {
		return ErrMissing
	}
	return ErrKind
}

// StringRaw returns the bytes between a string's quotes, escapes left as they
// are. It suits identifiers known not to contain escapes; use AppendString
// for text. The slice points into the document.
func (v Value) StringRaw() ([]byte, error) {
	if v.Kind() != String || len(v.raw) < 2 {
		return nil, v.kindErr()
	}
	return v.raw[1 : len(v.raw)-1], nil
}

// plain reports whether c stands for itself inside a JSON string and is ASCII.
func plain(c byte) bool { return c >= 0x20 && c < utf8.RuneSelf && c != '\\' && c != '"' }

// AppendString appends the decoded text of a string value to dst. Decoding
// follows encoding/json: escapes are resolved, invalid UTF-8 and unpaired
// surrogates become U+FFFD, and raw control characters or bad escapes are
// errors. It does not allocate when dst has room.
func (v Value) AppendString(dst []byte) ([]byte, error) {
	s, err := v.StringRaw()
	if err != nil {
		return dst, err
	}
	// Fast path: nothing to decode.
	j := 0
	for j < len(s) && plain(s[j]) {
		j++
	}
	if j == len(s) {
		return append(dst, s...), nil
	}
	dst = append(dst, s[:j]...)
	var buf [utf8.UTFMax]byte
	for i := j; i < len(s); {
		if plain(s[i]) {
			k := i + 1
			for k < len(s) && plain(s[k]) {
				k++
			}
			dst = append(dst, s[i:k]...)
			i = k
			continue
		}
		n, next, err := decodeStep(s, i, &buf)
		if err != nil {
			return dst, err
		}
		dst = append(dst, buf[:n]...)
		i = next
	}
	return dst, nil
}

// decodeStep decodes the string element at s[i] (an escape, a multi-byte
// character or a single byte) into buf and returns the number of bytes
// written and the index of the next element.
func decodeStep(s []byte, i int, buf *[utf8.UTFMax]byte) (n, next int, err error) {
	c := s[i]
	switch {
	case c < 0x20 || c == '"':
		return 0, i, ErrSyntax
	case c < utf8.RuneSelf && c != '\\':
		buf[0] = c
		return 1, i + 1, nil
	case c >= utf8.RuneSelf:
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			return utf8.EncodeRune(buf[:], utf8.RuneError), i + 1, nil
		}
		return copy(buf[:], s[i:i+size]), i + size, nil
	}
	// An escape.
	if i+1 >= len(s) {
		return 0, i, ErrSyntax
	}
	switch s[i+1] {
	case '"', '\\', '/':
		buf[0] = s[i+1]
	case 'b':
		buf[0] = '\b'
	case 'f':
		buf[0] = '\f'
	case 'n':
		buf[0] = '\n'
	case 'r':
		buf[0] = '\r'
	case 't':
		buf[0] = '\t'
	case 'u':
		r := hex4(s, i+2)
		if r < 0 {
			return 0, i, ErrSyntax
		}
		next = i + 6
		if utf16.IsSurrogate(r) {
			r2 := rune(-1)
			if next+1 < len(s) && s[next] == '\\' && s[next+1] == 'u' {
				r2 = hex4(s, next+2)
			}
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return utf8.EncodeRune(buf[:], dec), next + 6, nil
			}
			r = utf8.RuneError
		}
		return utf8.EncodeRune(buf[:], r), next, nil
	default:
		return 0, i, ErrSyntax
	}
	return 1, i + 2, nil
}

// hex4 decodes the four hex digits at s[i:], or returns -1.
func hex4(s []byte, i int) rune {
	if i+4 > len(s) {
		return -1
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// keyEqual reports whether the raw key (escaped when esc) decodes to name.
func keyEqual(key []byte, esc bool, name string) bool {
	if !esc {
		return string(key) == name
	}
	var buf [utf8.UTFMax]byte
	j := 0
	for i := 0; i < len(key); {
		n, next, err := decodeStep(key, i, &buf)
		if err != nil || j+n > len(name) || string(buf[:n]) != name[j:j+n] {
			return false
		}
		j += n
		i = next
	}
	return j == len(name)
}

// Int64 returns a number that is a non-negative integer (no fraction, no
// exponent, no minus sign) fitting in an int64. Other numbers return
// ErrRange, other kinds ErrKind, a missing field ErrMissing.
func (v Value) Int64() (int64, error) {
	if v.Kind() != Number {
		return 0, v.kindErr()
	}
	var x int64
	for _, c := range v.raw {
		if !isDigit(c) {
			return 0, ErrRange
		}
		d := int64(c - '0')
		if x > (math.MaxInt64-d)/10 {
			return 0, ErrRange
		}
		x = x*10 + d
	}
	return x, nil
}

// OptInt64 is Int64 for an optional count: a missing field or null reads
// as 0.
func (v Value) OptInt64() (int64, error) {
	switch v.Kind() {
	case Missing, Null:
		return 0, nil
	}
	return v.Int64()
}

// Bool returns a boolean value.
func (v Value) Bool() (bool, error) {
	if v.Kind() != Bool {
		return false, v.kindErr()
	}
	return v.raw[0] == 't', nil
}
