package claudecode

import (
	"bytes"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

func benchLines(b *testing.B, usageOnly bool) {
	var lines [][]byte
	for _, f := range sampleFiles(b, spotterRoot) {
		for _, l := range fileLines(b, f) {
			if !usageOnly || bytes.Contains(l, usageMarker) {
				lines = append(lines, l)
			}
		}
	}
	n := 0
	for _, l := range lines {
		n += len(l) + 1
	}
	p, _ := newParser("bench.jsonl", nil)
	events := 0
	emit := func(attribution.Event) { events++ }
	b.SetBytes(int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, l := range lines {
			if err := p.Line(l, emit); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkParser parses every line of the real spotter sample (most lines
// carry no usage and are dropped by the prefilter).
func BenchmarkParser(b *testing.B) { benchLines(b, false) }

// BenchmarkParserUsageLines parses only the sample lines that mention
// "usage", which are fully walked.
func BenchmarkParserUsageLines(b *testing.B) { benchLines(b, true) }
