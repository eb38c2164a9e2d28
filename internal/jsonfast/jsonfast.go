// Package jsonfast extracts a few fields from one JSON document, typically a
// line of a JSONL log, without decoding the rest and without allocating.
//
// It walks the document's structure for real: strings are skipped by
// searching for the closing quote (honouring backslash escapes), and nested
// objects and arrays are skipped as whole values. A key that appears inside a
// string, or inside an object other than the one a path names, is therefore
// never matched: "message.usage" finds the usage object of the top-level
// "message" object and nothing in, say, a tool call's arguments.
//
// Paths name object members only, one key per dot-separated segment
// ("message.usage.output_tokens"); array elements cannot be addressed. When an
// object repeats a key the last occurrence wins, as with encoding/json.
//
// The walk checks the document's grammar (brackets, commas, colons, keys,
// literals and number syntax) and rejects anything malformed or truncated with
// an error; it never panics and never reads outside the input. It is not a full
// validator: the content of strings it skips (control characters, escape
// sequences, UTF-8) is only checked when a string is decoded, e.g. by
// Value.AppendString.
package jsonfast

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by this package. They are plain sentinel values, so
// returning them costs no allocation.
var (
	// ErrSyntax reports malformed JSON.
	ErrSyntax = errors.New("jsonfast: invalid JSON")
	// ErrEOF reports JSON that ends in the middle of a value.
	ErrEOF = errors.New("jsonfast: unexpected end of JSON")
	// ErrDepth reports containers nested deeper than MaxDepth.
	ErrDepth = errors.New("jsonfast: JSON nested too deeply")
	// ErrMissing reports a read of a field that is not present.
	ErrMissing = errors.New("jsonfast: field not present")
	// ErrKind reports a read of a field that holds another kind of value.
	ErrKind = errors.New("jsonfast: field has another type")
	// ErrRange reports a number that is not a non-negative integer fitting
	// in an int64.
	ErrRange = errors.New("jsonfast: number is not a non-negative int64")
)

// MaxDepth is the deepest nesting of objects and arrays accepted, the same
// limit as encoding/json's.
const MaxDepth = 10000

// Fields is a compiled set of object paths, extracted together in one pass
// by Extract. It is immutable and safe for concurrent use.
type Fields struct {
	root  node
	paths []string
}

// node is one key of the path trie.
type node struct {
	name  string
	leaf  int   // index of the path ending here, or -1
	under []int // indexes of every path ending here or below
	kids  []*node
	lens  uint64 // lenBit of every child's name length: a quick reject
}

// lenBit maps a key length to a bit of node.lens (lengths from 63 share one).
func lenBit(n int) uint64 { return 1 << uint(min(n, 63)) }

// Compile returns the Fields for paths. Each path is a dot-separated list of
// object keys; an empty segment names the empty key. The i-th path's value is
// stored in out[i] by Extract. Paths must be distinct.
func Compile(paths ...string) (*Fields, error) {
	f := &Fields{root: node{leaf: -1}, paths: append([]string(nil), paths...)}
	for i, p := range paths {
		n := &f.root
		for _, seg := range strings.Split(p, ".") {
			var next *node
			for _, k := range n.kids {
				if k.name == seg {
					next = k
					break
				}
			}
			if next == nil {
				next = &node{name: seg, leaf: -1}
				n.kids = append(n.kids, next)
				n.lens |= lenBit(len(seg))
			}
			next.under = append(next.under, i)
			n = next
		}
		if n.leaf >= 0 {
			return nil, fmt.Errorf("jsonfast: path %q listed twice", p)
		}
		n.leaf = i
	}
	return f, nil
}

// MustCompile is like Compile but panics on an error. It is meant for
// package-level variables.
func MustCompile(paths ...string) *Fields {
	f, err := Compile(paths...)
	if err != nil {
		panic(err)
	}
	return f
}

// Len returns the number of paths.
func (f *Fields) Len() int { return len(f.paths) }

// Path returns the i-th path.
func (f *Fields) Path(i int) string { return f.paths[i] }

// errShortOut reports a caller bug: an output slice shorter than Len.
var errShortOut = errors.New("jsonfast: output slice shorter than the number of paths")

// Extract walks the JSON document b once and stores in out[i] the value found
// at the i-th path, or the zero Value when the path is absent. out must have
// at least f.Len() elements. The values point into b. On error every element
// of out is reset to the zero Value.
func (f *Fields) Extract(b []byte, out []Value) error {
	if len(out) < len(f.paths) {
		return errShortOut
	}
	out = out[:len(f.paths)]
	clear(out)
	i := skipWS(b, 0)
	if i >= len(b) {
		return ErrEOF
	}
	var err error
	if b[i] == '{' && len(f.root.kids) > 0 {
		i, err = f.object(b, i, &f.root, 1, out)
	} else {
		i, err = skipValue(b, i, 0)
	}
	if err == nil && skipWS(b, i) != len(b) {
		err = ErrSyntax
	}
	if err != nil {
		clear(out)
		return err
	}
	return nil
}

// object walks the object starting at b[i] (a '{') whose paths continue in
// n's children; depth is the object's nesting depth. It returns the index
// after the closing brace.
func (f *Fields) object(b []byte, i int, n *node, depth int, out []Value) (int, error) {
	if depth > MaxDepth {
		return i, ErrDepth
	}
	i = skipWS(b, i+1)
	if i >= len(b) {
		return i, ErrEOF
	}
	if b[i] == '}' {
		return i + 1, nil
	}
	for {
		if b[i] != '"' {
			return i, ErrSyntax
		}
		ks := i + 1
		ke, esc, err := scanKey(b, ks)
		if err != nil {
			return ke, err
		}
		key := b[ks:ke]
		i = skipWS(b, ke+1)
		if i >= len(b) {
			return i, ErrEOF
		}
		if b[i] != ':' {
			return i, ErrSyntax
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return i, ErrEOF
		}
		var c *node
		if esc {
			for _, k := range n.kids {
				if keyEqual(key, true, k.name) {
					c = k
					break
				}
			}
		} else if n.lens&lenBit(len(key)) != 0 {
			for _, k := range n.kids {
				if len(k.name) == len(key) && string(key) == k.name {
					c = k
					break
				}
			}
		}
		if c == nil {
			i, err = skipValue(b, i, depth)
		} else {
			// The last occurrence of a key wins: forget what an earlier
			// occurrence of the same key produced.
			for _, p := range c.under {
				out[p] = Value{}
			}
			start := i
			if len(c.kids) > 0 && b[i] == '{' {
				i, err = f.object(b, i, c, depth+1, out)
			} else {
				i, err = skipValue(b, i, depth)
			}
			if err == nil && c.leaf >= 0 {
				out[c.leaf] = Value{raw: b[start:i]}
			}
		}
		if err != nil {
			return i, err
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return i, ErrEOF
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
			if i >= len(b) {
				return i, ErrEOF
			}
		case '}':
			return i + 1, nil
		default:
			return i, ErrSyntax
		}
	}
}

// Get returns the value at one path of the JSON document b (the zero Value
// when absent), checking the whole document like Extract. Use Compile and
// Extract to read several fields in one pass.
func Get(b []byte, path string) (Value, error) {
	i := skipWS(b, 0)
	if i >= len(b) {
		return Value{}, ErrEOF
	}
	var (
		v   Value
		err error
	)
	if b[i] == '{' {
		v, i, err = get(b, i, path, 1)
	} else {
		i, err = skipValue(b, i, 0)
	}
	if err == nil && skipWS(b, i) != len(b) {
		err = ErrSyntax
	}
	if err != nil {
		return Value{}, err
	}
	return v, nil
}

// get walks the object at b[i] looking for path, and returns the value found
// (last occurrence wins) and the index after the object.
func get(b []byte, i int, path string, depth int) (Value, int, error) {
	if depth > MaxDepth {
		return Value{}, i, ErrDepth
	}
	seg, rest, more := strings.Cut(path, ".")
	var found Value
	i = skipWS(b, i+1)
	if i >= len(b) {
		return Value{}, i, ErrEOF
	}
	if b[i] == '}' {
		return Value{}, i + 1, nil
	}
	for {
		if b[i] != '"' {
			return Value{}, i, ErrSyntax
		}
		ks := i + 1
		ke, esc, err := scanKey(b, ks)
		if err != nil {
			return Value{}, ke, err
		}
		key := b[ks:ke]
		i = skipWS(b, ke+1)
		if i >= len(b) {
			return Value{}, i, ErrEOF
		}
		if b[i] != ':' {
			return Value{}, i, ErrSyntax
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return Value{}, i, ErrEOF
		}
		switch {
		case !keyEqual(key, esc, seg):
			i, err = skipValue(b, i, depth)
		case more && b[i] == '{':
			found, i, err = get(b, i, rest, depth+1)
		case more:
			found = Value{}
			i, err = skipValue(b, i, depth)
		default:
			start := i
			i, err = skipValue(b, i, depth)
			found = Value{raw: b[start:i]}
		}
		if err != nil {
			return Value{}, i, err
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return Value{}, i, ErrEOF
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
			if i >= len(b) {
				return Value{}, i, ErrEOF
			}
		case '}':
			return found, i + 1, nil
		default:
			return Value{}, i, ErrSyntax
		}
	}
}

// Valid reports whether b is one well-formed JSON value as far as this
// package checks (see the package documentation).
func Valid(b []byte) bool {
	i := skipWS(b, 0)
	if i >= len(b) {
		return false
	}
	i, err := skipValue(b, i, 0)
	return err == nil && skipWS(b, i) == len(b)
}
