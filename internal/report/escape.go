package report

import (
	"strings"
	"unicode"
)

// zwsp is a zero-width space as an HTML character reference. GitHub decodes
// it before it looks for mentions, references and links, so "@&#8203;org"
// renders as "@org" but notifies no one, and "https:&#8203;//x" is no link.
const zwsp = "&#8203;"

// EscapeMarkdown renders untrusted text for any inline Markdown context,
// table cells included, as the report does (see escape): the one Markdown
// escaper, which the engineering-metrics review uses too.
func EscapeMarkdown(s string, limit int) string { return escape(s, limit) }

// escape renders untrusted text for any inline Markdown context, table cells
// included. The text is first cleaned (one line, no control or
// bidirectional-override characters) and cut to limit characters, then:
//
//   - & < > become &amp; &lt; &gt;, so no HTML tag, comment or entity
//     survives (and the report's hidden marker cannot be forged);
//   - | becomes &#124;, which GitHub's table parser never splits on;
//   - the inline Markdown punctuation \ ` * _ [ ] ( ) ! ~ $ { } is
//     backslash-escaped: no code span, emphasis, link, image, strike-through,
//     math or template braces (a wiki's Liquid);
//   - a zero-width space follows every @ (no mention of a user or team), every
//     # and "GH-" (no issue reference, which would notify the referenced
//     issue), and splits "://" and "www." (no autolinked URL).
//
// Block syntax (headings, lists, quotes, tables) needs a line start, which
// escaped text never gets: it has no newline and is always placed after other
// text by the renderer.
func escape(s string, limit int) string {
	s = clean(s, limit)
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '|':
			b.WriteString("&#124;")
		case '\\', '`', '*', '_', '[', ']', '(', ')', '!', '~', '$', '{', '}':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '@', '#':
			b.WriteRune(r)
			b.WriteString(zwsp)
		case ':':
			b.WriteRune(r)
			if i+1 < len(rs) && rs[i+1] == '/' {
				b.WriteString(zwsp)
			}
		case '-':
			b.WriteRune(r)
			if i >= 2 && strings.EqualFold(string(rs[i-2:i]), "gh") {
				b.WriteString(zwsp)
			}
		case '.':
			if i >= 3 && strings.EqualFold(string(rs[i-3:i]), "www") {
				b.WriteString(zwsp)
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isHex reports whether s is a non-empty string of lower-case hex digits,
// as a commit id is.
func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.Is(unicode.ASCII_Hex_Digit, r) || unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// shortSHA renders a commit id: its first 7 characters when it is hex (which
// GitHub links to the commit), else the escaped text.
func shortSHA(sha string) string {
	if isHex(sha) {
		return sha[:min(7, len(sha))]
	}
	if sha == "" {
		return "–"
	}
	return escape(sha, 12)
}
