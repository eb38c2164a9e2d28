package tokenize

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// tricky holds short inputs aimed at each alternative of the pre-tokenizer
// patterns and at their backtracking.
var tricky = []string{
	"", "a", " ", "\n", "\r\n", "'", "''", "'s", "'S", "'ſ", "x'LL", "'llama", "it'sx",
	"  ", "   x", " \n x", "\n\n\n", " \t\n\t y", "a  ", "a \n", "\u00a0x", "\u3000\u3000x",
	"\u2028x", "x\u0085y", "\x0b\x0c", " !", " !!\n\n/", "}\n//c", "}\n\n/x", "!\u0301",
	"\u0301", "\u0301a", "a\u0301", " \u0301", "ʰ", "ʰA", "Aʰ", "AʰB", "ǅa", "ǅ", "ABCdef",
	"ABC'S", "abcDEF'll", "1", "1234567", "١٢٣٤", "x²³", "Ⅻ", "12ab", "😀", "👨‍👩‍👧",
	"<|endoftext|>", "a<|endoftext|>b", "\xff", "a\xffb", "\xe2\x82", "\xe2\x82a", "\xed\xa0\x80",
	strings.Repeat("=", 300), strings.Repeat("ab", 200), strings.Repeat(" ", 200) + "x",
}

// TestMatchesTiktokenGo compares every count with tiktoken-go, an
// independent implementation that runs the patterns with a regular
// expression engine: on the tricky inputs, the corpus (but the 200 KB JSON
// line, too slow for tiktoken-go under -race; the npm test has it), and
// random strings drawn from an alphabet of every character class.
func TestMatchesTiktokenGo(t *testing.T) {
	inputs := append([]string(nil), tricky...)
	files := corpus(t)
	for _, name := range sortedNames(files) {
		if len(files[name]) <= 50_000 {
			inputs = append(inputs, files[name])
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 3000 {
		inputs = append(inputs, randomText(rng, 1+rng.IntN(40)))
	}
	for _, enc := range encodings {
		e := encoder(t, enc)
		for _, in := range inputs {
			got, want := e.Count(in), referenceCount(t, enc, in)
			if got != want {
				t.Errorf("%s %q: %d tokens, tiktoken-go %d", enc, clip(in), got, want)
			}
		}
	}
}

// alphabet mixes characters of every class the patterns distinguish.
var alphabet = []string{
	"a", "b", "Z", "s", "S", "t", "l", "L", "e", "r", "v", "m", "d", "'", "ſ", "ʰ", "ǅ", "é", "É",
	"\u0301", "\u0308", "漢", "ア", "한", "α", "Ω", "ß", "ﬁ", "0", "7", "٣", "²", "Ⅻ",
	" ", " ", " ", "\t", "\n", "\r", "\u00a0", "\u3000", "\u2028", "\u0085", "\x0b",
	"!", "/", "/", "{", "}", "=", "-", ".", ",", "\"", "<|", "|>", "😀", "\u200d", "\ufffd", "\xff",
}

// randomText concatenates n random elements of alphabet.
func randomText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}

// FuzzMatchesTiktokenGo checks any input against tiktoken-go, for both
// encodings.
func FuzzMatchesTiktokenGo(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Add("func main() {\n\tfmt.Println(\"hi\")\n}\n")
	f.Add("Größe café ǅ ʰA 'LL 123456 😀 \u0301\r\n")
	for _, enc := range encodings { // load before the first input, not under the fuzzer's clock
		encoder(f, enc)
		reference(f, enc)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2000 { // tiktoken-go is slow on long pieces; keep runs short
			s = s[:2000]
		}
		for _, enc := range encodings {
			if got, want := encoder(t, enc).Count(s), referenceCount(t, enc, s); got != want {
				t.Fatalf("%s %q: %d tokens, tiktoken-go %d", enc, s, got, want)
			}
		}
	})
}

// TestMergeOrders checks that the heap merge gives the same count as
// tiktoken's quadratic loop on pieces that need many merges.
func TestMergeOrders(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	pieces := []string{"aaaaaaaaaaaaaaaaaaaaaaaaa", "abababababababababababa", "zzzzzzzzzzzzzzzzqqqqqqqqqqqqqqqqqqq"}
	for range 500 {
		n := 2 + rng.IntN(smallPiece-1)
		b := make([]byte, n)
		const letters = "aabbcdeeinorst _-=xyz\xc3\xa9"
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		pieces = append(pieces, string(b))
	}
	for _, enc := range encodings {
		e := encoder(t, enc)
		for _, p := range pieces {
			if small, large := e.mergeSmall(p), e.mergeLarge(p); small != large {
				t.Errorf("%s %q: quadratic merge %d parts, heap merge %d", enc, p, small, large)
			}
		}
	}
}

// clip shortens long inputs in failure messages.
func clip(s string) string {
	if len(s) <= 80 {
		return s
	}
	cut := 80
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
