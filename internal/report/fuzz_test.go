package report

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tokenyield/tokenyield/attribution"
)

// fuzzSeeds are injection attempts against the comment.
var fuzzSeeds = []string{
	"",
	"plain subject",
	"@octo-org/security-team @admin",
	"<img src=x onerror=alert(1)>",
	"<!-- tokenyield:pr-report -->",
	"](javascript:alert(1))",
	"[link](https://evil.example) ![img](https://evil.example/x.png)",
	"www.evil.example https://evil.example ftp://x mailto:a@b.c",
	"| a | b |\n|---|---|\n| c | d |",
	"`code` ``` **b** _i_ ~~s~~ $x$ $$y$$",
	"line\nbreak\r\n# heading\n> quote\n- item\n1. item",
	"\u202egnp.exe \u2028 \u200b \ufeff \x00 \x1b[31m",
	"&lt;script&gt; &#64;user &amp;",
	"closes #1 GH-2 org/repo#3 user@sha",
	"\\| \\\\| \\`",
	"\xff\xfe invalid utf8 \xc3",
	strings.Repeat("x|", 5000),
	strings.Repeat("@a", 3000),
}

// FuzzMarkdown feeds arbitrary text into every text field of a report and
// checks the body's safety properties (checkBody) at an arbitrary limit,
// and that the JSON stays valid.
func FuzzMarkdown(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, fuzzSeeds[(i+1)%len(fuzzSeeds)], fuzzSeeds[(i+2)%len(fuzzSeeds)], uint32(i*7919))
	}
	f.Fuzz(func(t *testing.T, a, b, c string, n uint32) {
		limit := MinLimit + int(n%6000)
		u := attribution.Usage{Input: int64(n % 1000), Output: int64(n % 77)}
		in := Input{
			Repo: a, Title: b, URL: c, Tool: a,
			Partial: []string{a, b, c},
			Commits: []Commit{
				{SHA: a, Subject: b, Author: c, Source: SourceNote, Usage: note(row(a, b, c, u, 1, 0.01)), Problem: c, DiffTokens: -1},
				{SHA: sha(int(n)), Subject: c, Author: a, AICoAuthor: true, CoAuthorAgents: AICoAuthors(a + "\nCo-authored-by: " + b), Excluded: Lines{1, 2}, ExcludedBy: map[string]Lines{a: {1, 2}}},
				{SHA: sha(int(n) + 1), Subject: a, Source: c, Usage: note(row(c, a, b, u, 2, -1)), LinesUnknown: true},
			},
			Review: &Review{State: a},
		}
		for i := range int(n % 25) { // often enough commits to truncate
			in.Commits = append(in.Commits, Commit{SHA: sha(i), Subject: b + a, Source: SourceNote, Usage: note(row(b, c, a, u, 1, 0.5))})
		}
		r := Build(in)
		r.Breaches = append(Gates{MaxTokens: ptr(int64(0)), MaxCost: ptr(0.0)}.Check(r), Breach{Name: a, Message: b})
		body := r.Markdown(limit)
		checkBody(t, body, limit)
		js, err := r.JSON()
		if err != nil || !json.Valid(js) {
			t.Fatalf("JSON: %v", err)
		}
	})
}

// FuzzEscape checks escape's guarantees on arbitrary text: one line, no
// HTML or table syntax, every Markdown punctuation escaped, no mention,
// reference or autolink, bounded length.
func FuzzEscape(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := escape(s, 100)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8: %q", out)
		}
		if strings.ContainsAny(out, "<>|\n\r") {
			t.Fatalf("raw HTML, pipe or newline: %q", out)
		}
		// Without our escapes, the text must be at most 100 characters.
		plain := strings.NewReplacer(zwsp, "", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#124;", "|").Replace(out)
		if utf8.RuneCountInString(plain) > 100*2 {
			t.Fatalf("escaped text too long: %d characters", utf8.RuneCountInString(plain))
		}
		for i := 0; i < len(out); i++ {
			c := out[i]
			switch c {
			case '`', '*', '_', '[', ']', '(', ')', '!', '~', '$':
				if backslashesBefore(out, i)%2 == 0 {
					t.Fatalf("unescaped %q at %d: %q", c, i, out)
				}
			case '@', '#':
				if c == '#' && i > 0 && out[i-1] == '&' { // a character reference
					continue
				}
				if !strings.HasPrefix(out[i+1:], zwsp) {
					t.Fatalf("%q without a zero-width space at %d: %q", c, i, out)
				}
			}
		}
		lower := strings.ToLower(out)
		for _, bad := range []string{"://", "www.", "gh-1", "gh-2", "gh-3", "gh-4", "gh-5", "gh-6", "gh-7", "gh-8", "gh-9"} {
			if strings.Contains(lower, bad) {
				t.Fatalf("%q in %q", bad, out)
			}
		}
	})
}

// backslashesBefore counts the backslashes right before index i.
func backslashesBefore(s string, i int) int {
	n := 0
	for i > 0 && s[i-1] == '\\' {
		n++
		i--
	}
	return n
}
