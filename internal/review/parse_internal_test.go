package review

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestOwnerRepo checks the repository name taken from remote URLs.
func TestOwnerRepo(t *testing.T) {
	tests := []struct{ url, want string }{
		{"https://github.com/acme/widgets.git", "acme/widgets"},
		{"https://github.com/acme/widgets", "acme/widgets"},
		{"https://github.com/acme/widgets/", "acme/widgets"},
		{"git@github.com:acme/widgets.git", "acme/widgets"},
		{"ssh://git@github.example.com:2222/acme/widgets.git", "acme/widgets"},
		{"/srv/git/widgets.git", ""},
		{"C:/git/widgets", ""},
		{"../widgets.git", ""},
		{"widgets", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ownerRepo(tt.url); got != tt.want {
			t.Errorf("ownerRepo(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

// TestRevertTargets checks every way a message says what it reverts.
func TestRevertTargets(t *testing.T) {
	full := strings.Repeat("ab", 20)
	prOf := map[string]int{full: 7, strings.Repeat("cd", 20): 8}
	tests := []struct {
		name, msg string
		want      []int
	}{
		{"git revert", "Revert \"Add x\"\n\nThis reverts commit " + full + ".\n", []int{7}},
		{"git revert of a merge", "Revert \"Merge pull request #7 from a/b\"\n\nThis reverts commit " + full + ", reversing\nchanges made to 1234567.\n", []int{7}},
		{"abbreviated", "Revert\n\nThis reverts commit cdcdcdc.\n", []int{8}},
		{"unknown commit", "Revert\n\nThis reverts commit 0123456789.\n", nil},
		{"squash subject", "Revert \"Fix the parser (#12)\"\n\nThis reverts commit 0000000.\n", []int{12}},
		{"squash of a revert PR", "Revert \"Fix the parser (#12)\" (#15)\n", []int{12}},
		{"GitHub revert button body", "Merge pull request #20 from acme/revert-12-fix\n\nReverts acme/widgets#12\n", []int{12, 12}},
		{"mention only", "Fix the revert of #12\n", nil},
	}
	for _, tt := range tests {
		if got := revertTargets(tt.msg, prOf); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestMergeTitle checks the PR title read from a merge commit.
func TestMergeTitle(t *testing.T) {
	tests := []struct{ msg, want string }{
		{"Merge pull request #1 from a/b\n\nAdd the parser\n\nMore words\n", "Add the parser"},
		{"Merge pull request #1 from a/b\n", "Merge pull request #1 from a/b"},
		{"Merge branch 'x'", "Merge branch 'x'"},
	}
	for _, tt := range tests {
		if got := mergeTitle(tt.msg); got != tt.want {
			t.Errorf("mergeTitle(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}

// TestMarkdownText checks the escaping of user text for Markdown.
func TestMarkdownText(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"plain words", 100, "plain words"},
		{"@org/team", 100, "@&#8203;org/team"},
		{"<img src=x onerror=alert(1)>", 100, "&lt;img src=x onerror=alert\\(1\\)&gt;"},
		{"a | b", 100, "a &#124; b"},
		{"[x](javascript:y)", 100, "\\[x\\]\\(javascript:y\\)"},
		{"see https://x.org and www.y.com", 100, "see https:&#8203;//x.org and www&#8203;.y.com"},
		{"fixes #12", 100, "fixes #&#8203;12"},
		// One line; a bidirectional override is dropped (report.clean).
		{"two\nlines\r\tand\u202ebidi", 100, "two lines andbidi"},
		{"{{ site.secret }}", 100, "\\{\\{ site.secret \\}\\}"},
		{"GH-12", 100, "GH-&#8203;12"},
		{"`code` *b* _i_ ~s~ $m$", 100, "\\`code\\` \\*b\\* \\_i\\_ \\~s\\~ \\$m\\$"},
		{"éééééééééé", 5, "éééé…"},
	}
	for _, tt := range tests {
		if got := mdText(tt.in, tt.limit); got != tt.want {
			t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

var (
	mdRawHTML = regexp.MustCompile(`[<>]`)
	mdMention = regexp.MustCompile(`@[A-Za-z0-9_]`)
)

// FuzzMarkdownText checks that no text escapes mdText: one line, no raw
// < or >, no mention, no pipe, every bracket, parenthesis and backtick
// escaped, valid UTF-8 when the input is, and at most limit characters
// before escaping.
func FuzzMarkdownText(f *testing.F) {
	for _, s := range []string{"", "@a", "<b>", "x|y", "[a](b)", "`c`", "\\|", "\\\\[", "é\u202e@x", "https://a.b", "a\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := mdText(s, 200)
		for _, re := range []*regexp.Regexp{mdRawHTML, mdMention} {
			if re.MatchString(got) {
				t.Fatalf("mdText(%q) = %q matches %s", s, got, re)
			}
		}
		if strings.ContainsAny(got, "|\r\n") {
			t.Fatalf("mdText(%q) = %q has a pipe or a line break", s, got)
		}
		// A character is escaped by an odd run of backslashes before it.
		for i, r := range got {
			if !strings.ContainsRune("[]()`", r) {
				continue
			}
			n := 0
			for j := i - 1; j >= 0 && got[j] == '\\'; j-- {
				n++
			}
			if n%2 == 0 {
				t.Fatalf("mdText(%q) = %q: unescaped %q at %d", s, got, r, i)
			}
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("mdText(%q) = %q is not UTF-8", s, got)
		}
	})
}
