package cline

// stripJSONC turns VS Code's "JSON with comments" (settings.json) into plain
// JSON: // and /* */ comments outside strings become spaces, and a comma
// followed only by white space and a closing } or ] is dropped. Anything else
// is left for encoding/json to accept or reject.
func stripJSONC(in []byte) []byte {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '"':
			j := skipString(in, i)
			out = append(out, in[i:j]...)
			i = j - 1
		case c == '/' && i+1 < len(in) && in[i+1] == '/':
			for i < len(in) && in[i] != '\n' {
				i++
			}
			out = append(out, '\n')
		case c == '/' && i+1 < len(in) && in[i+1] == '*':
			i += 2
			for i+1 < len(in) && (in[i] != '*' || in[i+1] != '/') {
				i++
			}
			i++ // on the closing '/', or past the end when unterminated
			out = append(out, ' ')
		case c == ',' && closesNext(in, i+1):
			out = append(out, ' ')
		default:
			out = append(out, c)
		}
	}
	return out
}

// skipString returns the index just after the JSON string starting at
// in[i] == '"' (or len(in) when it is unterminated).
func skipString(in []byte, i int) int {
	for j := i + 1; j < len(in); j++ {
		switch in[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(in)
}

// closesNext reports whether, from in[i], only white space and comments come
// before a '}' or ']'.
func closesNext(in []byte, i int) bool {
	for i < len(in) {
		switch c := in[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '/' && i+1 < len(in) && in[i+1] == '/':
			for i < len(in) && in[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(in) && in[i+1] == '*':
			i += 2
			for i+1 < len(in) && (in[i] != '*' || in[i+1] != '/') {
				i++
			}
			i += 2
		default:
			return c == '}' || c == ']'
		}
	}
	return false
}
