package ledger_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/ledger"
)

// trailerNote has two sessions of one (agent, model), another model, an
// unknown cost and the est/lb flags.
func trailerNote() attribution.Note {
	a := row("claude-code", "s1", "claude-opus-4-6", 1200, 3400, 0.123449)
	b := row("claude-code", "s2", "claude-opus-4-6", 300, 600, 0.0001)
	b.LowerBound = true
	c := row("claude-code", "s1", "claude-haiku-4-5", 10, 20, 0.00004)
	d := row("codex", "t1", "gpt-5", 800, 950, -1)
	d.Usage.Reasoning = 400
	d.Estimated = true
	return note(a, b, c, d)
}

func TestFormatTrailers(t *testing.T) {
	got := ledger.FormatTrailers(trailerNote())
	want := []string{
		"AI-Tokens: claude-code claude-haiku-4-5 in=10 out=20 cr=100 cw=5 rs=0 req=1 usd=0.0000",
		"AI-Tokens: claude-code claude-opus-4-6 in=1500 out=4000 cr=15000 cw=750 rs=0 req=17 usd=0.1235 lb",
		"AI-Tokens: codex gpt-5 in=800 out=950 cr=8000 cw=400 rs=400 req=9 usd=? est",
	}
	if !slices.Equal(got, want) {
		t.Errorf("FormatTrailers =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := ledger.FormatTrailers(note()); len(got) != 0 {
		t.Errorf("empty note: %q", got)
	}
}

func TestParseTrailersRoundTrip(t *testing.T) {
	n := trailerNote()
	lines := ledger.FormatTrailers(n)
	msg := "Fix the parser\n\nBody.\n\nSigned-off-by: A <a@example.com>\n" + strings.Join(lines, "\n") + "\n"
	got, count, err := ledger.ParseTrailers(msg)
	if err != nil {
		t.Fatal(err)
	}
	if count != len(lines) {
		t.Errorf("count = %d, want %d", count, len(lines))
	}
	if !ledger.Agree(n, got) || !ledger.Agree(got, n) {
		t.Errorf("parsed trailers disagree with the note: %+v", got)
	}
	if again := ledger.FormatTrailers(got); !slices.Equal(again, lines) {
		t.Errorf("format(parse(format)) = %q", again)
	}
	for _, r := range got.Rows {
		if r.Session != "" || !r.First.IsZero() {
			t.Errorf("row %+v has a session or time", r)
		}
	}
	// Flags survive.
	if !got.Estimated || !got.Rows[1].LowerBound || got.Rows[2].CostUSD != nil {
		t.Errorf("flags or unknown cost lost: %+v", got.Rows)
	}

	// No trailers at all.
	empty, count, err := ledger.ParseTrailers("Subject\n\nBody\n")
	if err != nil || count != 0 || len(empty.Rows) != 0 {
		t.Errorf("no trailers: %+v %d %v", empty, count, err)
	}
	// Case-insensitive key, CRLF, extra spaces, anywhere in the message.
	lenient := "subject\r\n\r\nai-tokens:  codex  gpt-5 in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000\r\nmore text\r\nAI-TOKENS: codex gpt-5 in=1 out=0 cr=0 cw=0 rs=0 req=0 usd=0.0001\r\n"
	got, count, err = ledger.ParseTrailers(lenient)
	if err != nil || count != 2 || len(got.Rows) != 1 || got.Rows[0].Input != 2 || *got.Rows[0].CostUSD != 0.5001 {
		t.Errorf("lenient: %+v %d %v", got, count, err)
	}
}

func TestParseTrailersSquash(t *testing.T) {
	a := note(row("claude-code", "s1", "claude-opus-4-6", 100, 10, 0.25), row("codex", "t", "gpt-5", 1, 1, -1))
	b := note(row("claude-code", "s7", "claude-opus-4-6", 50, 5, 0.125))
	c := note(row("claude-code", "s1", "claude-opus-4-6", 7, 7, 0.0625))
	// GitHub's squash message lists each commit's message.
	var msg strings.Builder
	msg.WriteString("Add the feature (#12)\n\n")
	for i, n := range []attribution.Note{a, b, c} {
		fmt.Fprintf(&msg, "* commit %d\n\n%s\n\n", i, strings.Join(ledger.FormatTrailers(n), "\n"))
	}
	got, count, err := ledger.ParseTrailers(msg.String())
	if err != nil {
		t.Fatal(err)
	}
	if count != 4 {
		t.Errorf("count = %d", count)
	}
	merged := attribution.Merge(attribution.Merge(a, b), c)
	if !ledger.Agree(merged, got) {
		t.Errorf("squash sum %q disagrees with the merged note %q", ledger.FormatTrailers(got), ledger.FormatTrailers(merged))
	}
	if g, w := ledger.FormatTrailers(got), ledger.FormatTrailers(merged); !slices.Equal(g, w) {
		t.Errorf("squash: %q, want %q", g, w)
	}
}

func TestParseTrailersHostile(t *testing.T) {
	ok := "AI-Tokens: codex gpt-5 in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"
	tests := []struct{ name, msg string }{
		{"huge number", "AI-Tokens: codex gpt-5 in=99999999999999999999 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"over the limit", fmt.Sprintf("AI-Tokens: codex gpt-5 in=%d out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000", attribution.MaxTokensPerEvent+1)},
		{"sum over the limit", fmt.Sprintf("AI-Tokens: codex gpt-5 in=%d out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000\nAI-Tokens: codex gpt-5 in=%d out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000", attribution.MaxTokensPerEvent, attribution.MaxTokensPerEvent)},
		{"negative", "AI-Tokens: codex gpt-5 in=-1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"plus sign", "AI-Tokens: codex gpt-5 in=+1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"leading zero", "AI-Tokens: codex gpt-5 in=01 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"hex", "AI-Tokens: codex gpt-5 in=0x1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"empty number", "AI-Tokens: codex gpt-5 in= out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"reasoning over output", "AI-Tokens: codex gpt-5 in=1 out=2 cr=3 cw=4 rs=3 req=1 usd=0.5000"},
		{"unknown key", "AI-Tokens: codex gpt-5 in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000 foo=1"},
		{"renamed key", "AI-Tokens: codex gpt-5 input=1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"keys out of order", "AI-Tokens: codex gpt-5 out=2 in=1 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"missing key", "AI-Tokens: codex gpt-5 in=1 out=2 cr=3 cw=4 rs=1 usd=0.5000"},
		{"missing model", "AI-Tokens: codex in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"empty value", "AI-Tokens:"},
		{"flag twice", ok + " est est"},
		{"flags out of order", ok + " lb est"},
		{"usd two decimals", "AI-Tokens: codex gpt-5 in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.50"},
		{"usd negative", "AI-Tokens: codex gpt-5 in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=-0.5000"},
		{"usd NaN", "AI-Tokens: codex gpt-5 in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=NaN"},
		{"usd exponent", "AI-Tokens: codex gpt-5 in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=1e300"},
		{"usd huge", "AI-Tokens: codex gpt-5 in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=99999999999.0000"},
		{"html agent", "AI-Tokens: <script>alert(1)</script> gpt-5 in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"markdown model", "AI-Tokens: codex **[x](http://evil)** in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"mention", "AI-Tokens: @everyone gpt-5 in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"path model", "AI-Tokens: codex ../../etc in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"long line", ok + strings.Repeat(" ", 600)},
		{"long name", "AI-Tokens: " + strings.Repeat("a", 200) + " gpt-5 in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000"},
		{"201 lines", strings.Repeat(ok+"\n", 201)},
		{"10k lines", strings.Repeat(ok+"\n", 10000)},
		{"one bad among good", ok + "\n" + ok + " x\n" + ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, count, err := ledger.ParseTrailers("Subject\n\n" + tt.msg + "\n")
			if !errors.Is(err, ledger.ErrBadTrailer) {
				t.Errorf("ParseTrailers = %+v, %d, %v; want ErrBadTrailer", n, count, err)
			}
		})
	}
	// Many other lines are fine, and 200 trailer lines are allowed.
	msg := strings.Repeat("Some text: with a colon\n", 10000) + strings.Repeat(ok+"\n", 200)
	n, count, err := ledger.ParseTrailers(msg)
	if err != nil || count != 200 || n.Rows[0].Input != 200 {
		t.Errorf("200 lines in a long message: %d %v", count, err)
	}
}

func TestRewriteMessage(t *testing.T) {
	n := trailerNote()
	tr := strings.Join(ledger.FormatTrailers(n), "\n") + "\n"
	old := "AI-Tokens: codex gpt-5 in=1 out=2 cr=3 cw=4 rs=1 req=1 usd=0.5000\n"
	tests := []struct {
		name    string
		msg     string
		want    string // with n
		removed string // with an empty note
		git     bool   // compare with git interpret-trailers (which also reformats existing trailers)
	}{
		{"subject only", "Subject\n", "Subject\n\n" + tr, "Subject\n", true},
		{"no final newline", "Subject", "Subject\n\n" + tr, "Subject\n", false},
		{"body", "Subject\n\nBody text.\nMore: not a trailer block\n", "Subject\n\nBody text.\nMore: not a trailer block\n\n" + tr, "Subject\n\nBody text.\nMore: not a trailer block\n", true},
		{"signed-off-by", "Subject\n\nBody.\n\nSigned-off-by: A <a@example.com>\n", "Subject\n\nBody.\n\nSigned-off-by: A <a@example.com>\n" + tr, "Subject\n\nBody.\n\nSigned-off-by: A <a@example.com>\n", true},
		{"co-authored-by", "Subject\n\nBody.\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", "Subject\n\nBody.\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n" + tr, "Subject\n\nBody.\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", true},
		{"trailer-like subject is not a block", "Fix: the parser\n", "Fix: the parser\n\n" + tr, "Fix: the parser\n", true},
		{"mixed block with signed-off-by", "Subject\n\nSome words here\nSigned-off-by: A <a@example.com>\n", "Subject\n\nSome words here\nSigned-off-by: A <a@example.com>\n" + tr, "Subject\n\nSome words here\nSigned-off-by: A <a@example.com>\n", true},
		{"mixed block without git trailer", "Subject\n\nSome words here\nReviewed-by: B\n", "Subject\n\nSome words here\nReviewed-by: B\n\n" + tr, "Subject\n\nSome words here\nReviewed-by: B\n", true},
		{"continuation line", "Subject\n\nBody\n\nNote: long\n  continued\n", "Subject\n\nBody\n\nNote: long\n  continued\n" + tr, "Subject\n\nBody\n\nNote: long\n  continued\n", true},
		{"url paragraph", "Subject\n\nhttps://example.com/issue/1\n", "Subject\n\nhttps://example.com/issue/1\n" + tr, "Subject\n\nhttps://example.com/issue/1\n", false}, // git also reformats it as "https: //..."
		{"comments", "Subject\n\nBody\n\n# Please enter the commit message for your changes.\n# Lines starting with '#' will be ignored.\n",
			"Subject\n\nBody\n\n" + tr + "\n# Please enter the commit message for your changes.\n# Lines starting with '#' will be ignored.\n",
			"Subject\n\nBody\n\n# Please enter the commit message for your changes.\n# Lines starting with '#' will be ignored.\n", true},
		{"comments after trailer block", "Subject\n\nSigned-off-by: A <a@x>\n\n# comment\n",
			"Subject\n\nSigned-off-by: A <a@x>\n" + tr + "\n# comment\n",
			"Subject\n\nSigned-off-by: A <a@x>\n\n# comment\n", true},
		{"comment inside the block", "Subject\n\nSigned-off-by: A <a@x>\n# inside\nAcked-by: B\n",
			"Subject\n\nSigned-off-by: A <a@x>\n# inside\nAcked-by: B\n" + tr,
			"Subject\n\nSigned-off-by: A <a@x>\n# inside\nAcked-by: B\n", false}, // git also drops the comment
		{"scissors", "Subject\n\nBody\n# ------------------------ >8 ------------------------\n# Do not modify or remove the line above.\ndiff --git a/x b/x\n+AI-Tokens: not ours\n",
			"Subject\n\nBody\n\n" + tr + "# ------------------------ >8 ------------------------\n# Do not modify or remove the line above.\ndiff --git a/x b/x\n+AI-Tokens: not ours\n",
			"Subject\n\nBody\n# ------------------------ >8 ------------------------\n# Do not modify or remove the line above.\ndiff --git a/x b/x\n+AI-Tokens: not ours\n", false},
		{"replace in block", "Subject\n\nBody\n\n" + old + "Signed-off-by: A <a@x>\n", "Subject\n\nBody\n\nSigned-off-by: A <a@x>\n" + tr, "Subject\n\nBody\n\nSigned-off-by: A <a@x>\n", false},
		{"replace own block", "Subject\n\nBody\n\n" + old + old, "Subject\n\nBody\n\n" + tr, "Subject\n\nBody\n", false},
		{"replace own block before another", "Subject\n\nBody\n\n" + old + "\nSigned-off-by: A <a@x>\n", "Subject\n\nBody\n\nSigned-off-by: A <a@x>\n" + tr, "Subject\n\nBody\n\nSigned-off-by: A <a@x>\n", false},
		{"replace with comments", "Subject\n\n" + old + "\n# comment\n", "Subject\n\n" + tr + "\n# comment\n", "Subject\n\n# comment\n", false},
		{"lowercase old line", "Subject\n\nai-tokens: whatever\n", "Subject\n\n" + tr, "Subject\n", false},
		{"empty message", "", tr, "", false},
		{"only comments", "# comment\n", tr + "# comment\n", "# comment\n", false},
		{"trailing blank lines", "Subject\n\nBody\n\n\n", "Subject\n\nBody\n\n" + tr, "Subject\n\nBody\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ledger.RewriteMessage(tt.msg, n)
			if got != tt.want {
				t.Errorf("RewriteMessage =\n%q\nwant\n%q", got, tt.want)
			}
			if again := ledger.RewriteMessage(got, n); again != got {
				t.Errorf("not idempotent:\n%q\n%q", got, again)
			}
			if p, count, err := ledger.ParseTrailers(got); err != nil || !ledger.Agree(n, p) || count != 3 {
				t.Errorf("parse of the rewritten message: %d %v", count, err)
			}
			if got := ledger.RewriteMessage(tt.msg, note()); got != tt.removed {
				t.Errorf("removal =\n%q\nwant\n%q", got, tt.removed)
			}
		})
	}

	// Where git interpret-trailers applies, it agrees.
	gittest.Isolate(t)
	dir := gittest.Init(t)
	args := []string{"interpret-trailers"}
	for _, line := range ledger.FormatTrailers(n) {
		args = append(args, "--trailer", line)
	}
	for _, tt := range tests {
		if !tt.git {
			continue
		}
		t.Run("git/"+tt.name, func(t *testing.T) {
			out, err := gittest.GitInput(dir, []byte(tt.msg), args...)
			if err != nil {
				t.Fatal(err)
			}
			if want := out + "\n"; ledger.RewriteMessage(tt.msg, n) != want {
				t.Errorf("git interpret-trailers gives\n%q\nwe give\n%q", want, ledger.RewriteMessage(tt.msg, n))
			}
		})
	}
}

func TestAgree(t *testing.T) {
	n := trailerNote()
	parsed, _, err := ledger.ParseTrailers(strings.Join(ledger.FormatTrailers(n), "\n"))
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(*attribution.Note)) attribution.Note {
		var m attribution.Note
		b, _ := parsed.Encode()
		m, err := attribution.DecodeNote(b)
		if err != nil {
			t.Fatal(err)
		}
		f(&m)
		m.Canonicalize()
		return m
	}
	tests := []struct {
		name     string
		trailers attribution.Note
		want     bool
	}{
		{"same", parsed, true},
		{"itself", n, true},
		{"input differs", mutate(func(m *attribution.Note) { m.Rows[0].Input++ }), false},
		{"cache read differs", mutate(func(m *attribution.Note) { m.Rows[0].CacheRead-- }), false},
		{"reasoning differs", mutate(func(m *attribution.Note) { m.Rows[2].Reasoning-- }), false},
		{"requests differ", mutate(func(m *attribution.Note) { m.Rows[1].Requests++ }), false},
		{"cost within rounding", mutate(func(m *attribution.Note) { *m.Rows[1].CostUSD += 0.00009 }), true},
		{"cost differs", mutate(func(m *attribution.Note) { *m.Rows[1].CostUSD += 0.0002 }), false},
		{"cost now known", mutate(func(m *attribution.Note) { m.Rows[2].CostUSD = cost(0) }), false},
		{"cost now unknown", mutate(func(m *attribution.Note) { m.Rows[0].CostUSD = nil }), false},
		{"row missing", mutate(func(m *attribution.Note) { m.Rows = m.Rows[1:] }), false},
		{"extra row", mutate(func(m *attribution.Note) { m.Rows = append(m.Rows, row("aider", "", "x", 1, 1, 0)) }), false},
		{"flags ignored", mutate(func(m *attribution.Note) { m.Rows[2].Estimated = false }), true},
		{"empty", note(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ledger.Agree(n, tt.trailers); got != tt.want {
				t.Errorf("Agree = %v, want %v", got, tt.want)
			}
		})
	}
	if !ledger.Agree(note(), note()) {
		t.Error("two empty notes disagree")
	}
}
