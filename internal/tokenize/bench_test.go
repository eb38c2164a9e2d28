package tokenize

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// benchTexts returns the texts the benchmarks count: code, prose, CJK and
// the long JSON line, each about 1 MB, built from the corpus.
func benchTexts(b *testing.B) map[string]string {
	files := corpus(b)
	repeat := func(names ...string) string {
		var s strings.Builder
		for s.Len() < 1<<20 {
			for _, n := range names {
				s.WriteString(files[n])
			}
		}
		return s.String()
	}
	return map[string]string{
		"code":  repeat("go.txt", "python.txt", "typescript.txt", "rust.txt", "c.txt", "sql.txt", "shell.txt"),
		"prose": repeat("english.txt", "german.txt"),
		"cjk":   repeat("cjk.txt", "emoji.txt", "rtl.txt", "combining.txt"),
		"json":  repeat("generated-long-line.json"),
	}
}

// BenchmarkCount measures Count's throughput (MB/s) per encoding and text.
func BenchmarkCount(b *testing.B) {
	texts := benchTexts(b)
	for _, enc := range encodings {
		e := encoder(b, enc)
		for _, name := range []string{"code", "prose", "cjk", "json"} {
			text := texts[name]
			b.Run(enc+"/"+name, func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					e.Count(text)
				}
			})
		}
	}
}

// BenchmarkTiktokenGo measures github.com/pkoukk/tiktoken-go on the code
// text, for comparison.
func BenchmarkTiktokenGo(b *testing.B) {
	text := benchTexts(b)["code"]
	for _, enc := range encodings {
		ref := reference(b, enc)
		b.Run(enc+"/code", func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				ref.Encode(text, nil, nil)
			}
		})
	}
}

// BenchmarkCountFile counts the file named by TOKENYIELD_BENCH_TEXT, for
// bench/tokenize.sh, which compares it with npm tiktoken on the same file.
func BenchmarkCountFile(b *testing.B) {
	path := os.Getenv("TOKENYIELD_BENCH_TEXT")
	if path == "" {
		b.Skip("TOKENYIELD_BENCH_TEXT is not set")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	text := string(data)
	for _, enc := range encodings {
		e := encoder(b, enc)
		b.Run(enc, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			n := 0
			for b.Loop() {
				n = e.Count(text)
			}
			b.ReportMetric(float64(n), "tokens")
		})
	}
}

// BenchmarkLoad measures the first Get of each encoding: reading the
// embedded ranks and building the tables.
func BenchmarkLoad(b *testing.B) {
	for _, enc := range encodings {
		b.Run(enc, func(b *testing.B) {
			for b.Loop() {
				if _, err := load(enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDiffTokens measures DiffTokens on a diff adding the code text.
func BenchmarkDiffTokens(b *testing.B) {
	var diff strings.Builder
	for l := range strings.Lines(benchTexts(b)["code"]) {
		diff.WriteString("+" + l)
	}
	patch := []byte(diff.String())
	e := encoder(b, O200K)
	b.SetBytes(int64(len(patch)))
	for b.Loop() {
		if _, err := e.DiffTokens(bytes.NewReader(patch)); err != nil {
			b.Fatal(err)
		}
	}
}
