package report

import (
	"strings"
	"testing"
)

// TestEscape covers each injection escape renders inert.
func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text 1.2", "plain text 1.2"},
		{"<img src=x onerror=alert(1)>", `&lt;img src=x onerror=alert\(1\)&gt;`},
		{"<!-- tokenyield:pr-report -->", `&lt;\!-- tokenyield:pr-report --&gt;`},
		{"&amp; &#64;", "&amp;amp; &amp;#&#8203;64;"},
		{"@octo-org/team and @bob", "@&#8203;octo-org/team and @&#8203;bob"},
		{"closes #12, GH-13, gh-14, org/repo#15", "closes #&#8203;12, GH-&#8203;13, gh-&#8203;14, org/repo#&#8203;15"},
		{"[x](javascript:alert(1))", `\[x\]\(javascript:alert\(1\)\)`},
		{"![p](https://e.x/p.png)", `\!\[p\]\(https:&#8203;//e.x/p.png\)`},
		{"see www.evil.example or WWW.X.Y", "see www&#8203;.evil.example or WWW&#8203;.X.Y"},
		{"a | b", "a &#124; b"},
		{"`code` *b* _i_ ~s~ $m$ \\", "\\`code\\` \\*b\\* \\_i\\_ \\~s\\~ \\$m\\$ \\\\"},
		{"line\nbreak\r\n| row |", "line break &#124; row &#124;"},
		{"bidi \u202egnp.exe zero\u200bwidth", "bidi gnp.exe zerowidth"},
		{"emoji 👩\u200d💻 kept", "emoji 👩\u200d💻 kept"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := escape(tt.in, 200); got != tt.want {
			t.Errorf("escape(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// TestClean covers one-line cleaning and length bounds.
func TestClean(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"  a \t b\n\nc  ", 100, "a b c"},
		{"abcdef", 4, "abc…"},
		{"abcd", 4, "abcd"},
		{"ab cdef", 4, "ab…"},
		{"日本語のテキスト", 5, "日本語の…"},
		{strings.Repeat(" ", 1000) + "tail", 10, "…"},
		{strings.Repeat("x", 1<<20), 10, "xxxxxxxxx…"},
		{"x", 0, ""},
	}
	for _, tt := range tests {
		if got := clean(tt.in, tt.max); got != tt.want {
			t.Errorf("clean(%.20q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// TestShortSHA: hex ids are cut to 7 characters (which GitHub links to the
// commit); anything else is escaped.
func TestShortSHA(t *testing.T) {
	for in, want := range map[string]string{
		"0123456789abcdef0123456789abcdef01234567": "0123456",
		"abc":               "abc",
		"":                  "–",
		"ABCDEF1234567":     "ABCDEF12345…",
		"<b>@x</b>00000000": "&lt;b&gt;@&#8203;x&lt;/b&gt;00…",
	} {
		if got := shortSHA(in); got != want {
			t.Errorf("shortSHA(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFormat covers the number formats of the report.
func TestFormat(t *testing.T) {
	for v, want := range map[float64]string{0: `\$0.00`, 0.004: `\$0.0040`, 0.01: `\$0.01`, 1.8842: `\$1.88`, 1234.567: `\$1,234.57`, 0.995: `\$1.00`} {
		if got := money(v); got != want {
			t.Errorf("money(%v) = %q, want %q", v, got, want)
		}
	}
	for v, want := range map[float64]string{0: "0.00", 5.678: "5.68", 12.34: "12.3", 983.54: "984", 12345.6: "12,346", 1e20: "9,223,372,036,854,775,807"} {
		if got := perLine(v); got != want {
			t.Errorf("perLine(%v) = %q, want %q", v, got, want)
		}
	}
	for v, want := range map[float64]string{0: "0%", 0.004: "0.4%", 0.5: "50%", 5.0 / 6: "83%", 0.996: "99%", 1: "100%"} {
		if got := percent(v); got != want {
			t.Errorf("percent(%v) = %q, want %q", v, got, want)
		}
	}
	if got := usd(1234.5); got != "$1,234.50" {
		t.Errorf("usd = %q", got)
	}
}
