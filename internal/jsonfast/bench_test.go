package jsonfast

import (
	"bytes"
	"encoding/json"
	"testing"
)

// benchFields are the fields a Claude Code reader extracts from a line.
var benchFields = MustCompile(
	"type", "timestamp", "sessionId", "cwd", "version", "requestId", "isApiErrorMessage",
	"message.id", "message.model", "message.usage",
	"message.usage.input_tokens", "message.usage.output_tokens",
	"message.usage.cache_read_input_tokens", "message.usage.cache_creation_input_tokens",
	"message.usage.speed",
	"data.message.requestId", "data.message.timestamp",
	"data.message.message.id", "data.message.message.model", "data.message.message.usage",
	"data.message.message.usage.input_tokens", "data.message.message.usage.output_tokens",
)

// assistantLines returns the sample's type:"assistant" lines of 1.5 to 4 KB
// (real lines of the typical size).
func assistantLines(b *testing.B) [][]byte {
	var out [][]byte
	for _, l := range sampleLines(b) {
		if bytes.Contains(l, []byte(`"type":"assistant"`)) && len(l) >= 1500 && len(l) <= 4096 {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		b.Fatal("no 2 KB assistant lines in the sample")
	}
	return out
}

func benchExtract(b *testing.B, lines [][]byte) {
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	out := make([]Value, benchFields.Len())
	b.SetBytes(int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, l := range lines {
			if err := benchFields.Extract(l, out); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkExtract2KB extracts the reader's fields from real ~2 KB
// assistant lines.
func BenchmarkExtract2KB(b *testing.B) { benchExtract(b, assistantLines(b)) }

// BenchmarkExtractSample extracts the reader's fields from every sample line
// that mentions "usage" (assistant, progress and tool-result lines).
func BenchmarkExtractSample(b *testing.B) { benchExtract(b, sampleLines(b)) }

// BenchmarkEncodingJSON decodes the same 2 KB lines into a small struct with
// encoding/json, for comparison.
func BenchmarkEncodingJSON(b *testing.B) {
	lines := assistantLines(b)
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	type usage struct {
		Input  int64 `json:"input_tokens"`
		Output int64 `json:"output_tokens"`
	}
	var rec struct {
		Type    string `json:"type"`
		Message struct {
			ID    string `json:"id"`
			Model string `json:"model"`
			Usage usage  `json:"usage"`
		} `json:"message"`
		RequestID string `json:"requestId"`
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, l := range lines {
			if err := json.Unmarshal(l, &rec); err != nil {
				b.Fatal(err)
			}
		}
	}
}
