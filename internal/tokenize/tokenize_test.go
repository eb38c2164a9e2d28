package tokenize

import (
	"crypto/sha256"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pkoukk/tiktoken-go-loader/assets"
)

// TestCountKnown checks counts whose tokens were read off OpenAI's
// tiktoken (npm tiktoken 1.0.22, encode_ordinary then decode of each token);
// the comments show them, cl100k_base first.
func TestCountKnown(t *testing.T) {
	tests := []struct {
		text   string
		cl, o2 int
	}{
		{"", 0, 0},
		{"hello", 1, 1},
		{"hello world", 2, 2},   // "hello" " world"
		{"hello world\n", 3, 3}, // "hello" " world" "\n"
		{"123", 1, 1},
		{"1234567", 3, 3},               // \p{N}{1,3}: "123" "456" "7"
		{"<|endoftext|>", 7, 7},         // ordinary text: "<" "|" "endo" "ft" "ext" "|" ">"; "<" "|" "end" "of" "text" "|" ">"
		{"    ", 1, 1},                  // one token of four spaces
		{"\xff", 1, 1},                  // read as U+FFFD, one token
		{"a\xffb", 3, 3},                // "a" U+FFFD "b"
		{"\xe2\x82", 1, 1},              // a truncated "€": two U+FFFD, one token "\ufffd\ufffd"
		{"it's", 2, 1},                  // "it" "'s"; "it's"
		{"don't stop", 3, 2},            // "don" "'t" " stop"; "don't" " stop"
		{"\u00e9t\u00e9", 1, 1},         // "été"
		{"\t\tfoo", 3, 3},               // pieces "\t" "\tfoo", tokens "\t" "\t" "foo"
		{"a\r\nb", 3, 3},                // "a" "\r\n" "b"
		{strings.Repeat("a", 10), 2, 2}, // "aaaaaaaa" "aa"
	}
	for _, tt := range tests {
		for enc, want := range map[string]int{CL100K: tt.cl, O200K: tt.o2} {
			if got := encoder(t, enc).Count(tt.text); got != want {
				t.Errorf("%s Count(%q) = %d, want %d", enc, tt.text, got, want)
			}
		}
	}
}

func TestCountUnknownEncoding(t *testing.T) {
	if _, err := Count("p50k_base", "x"); err == nil || !strings.Contains(err.Error(), "unknown encoding") {
		t.Fatalf("Count(p50k_base) error = %v", err)
	}
	if n, err := Count(O200K, "hello world"); err != nil || n != 2 {
		t.Fatalf("Count(o200k_base) = %d, %v", n, err)
	}
}

// TestConcurrent counts from many goroutines at once (run with -race) and
// checks that they all get the Encoder that one load produced.
func TestConcurrent(t *testing.T) {
	files := corpus(t)
	want := map[string]int{}
	for name, text := range files {
		want[name] = encoder(t, O200K).Count(text)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			e, err := Get(O200K)
			if err != nil {
				t.Error(err)
				return
			}
			if e != encoder(t, O200K) {
				t.Error("Get returned a second Encoder")
			}
			for name, text := range files {
				if got := e.Count(text); got != want[name] {
					t.Errorf("%s: %d, want %d", name, got, want[name])
				}
			}
		})
	}
	wg.Wait()
}

// TestLoadTime reports what the first Get of each encoding costs in time
// and memory (load is called directly, so it is measured even when Get
// already ran).
func TestLoadTime(t *testing.T) {
	for _, enc := range encodings {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		e, err := load(enc)
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		t.Logf("%s: loaded %d ranks in %v, %.1f MB of heap", enc, len(e.ranks), took.Round(time.Millisecond),
			float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/1e6)
		runtime.KeepAlive(e)
	}
}

// TestEmbeddedRanks checks that the ranks tiktoken-go-loader embeds are
// OpenAI's published files: these SHA-256 sums are the expected_hash values
// of tiktoken's openai_public.py.
func TestEmbeddedRanks(t *testing.T) {
	for name, want := range map[string]string{
		"cl100k_base.tiktoken": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
		"o200k_base.tiktoken":  "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
	} {
		b, err := assets.Assets.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != want {
			t.Errorf("%s: sha256 %s, want %s", name, got, want)
		}
	}
}

func TestForModel(t *testing.T) {
	tests := []struct {
		model  string
		enc    string
		native bool
	}{
		{"gpt-4o", O200K, true},
		{"gpt-4o-mini-2024-07-18", O200K, true},
		{"chatgpt-4o-latest", O200K, true},
		{"gpt-4.1", O200K, true},
		{"gpt-4.1-nano", O200K, true},
		{"gpt-4.5-preview", O200K, true},
		{"gpt-5", O200K, true},
		{"gpt-5-codex", O200K, true},
		{"GPT-5.1-Codex-Max", O200K, true},
		{"codex-mini-latest", O200K, true},
		{"gpt-oss-120b", O200K, true},
		{"o1", O200K, true},
		{"o3-mini", O200K, true},
		{"o4-mini-2025-04-16", O200K, true},
		{"openai/gpt-4o", O200K, true},
		{"ft:gpt-4o-mini:acme::abc123", O200K, true},
		{"gpt-4", CL100K, true},
		{"gpt-4-turbo", CL100K, true},
		{"gpt-4-32k-0613", CL100K, true},
		{"gpt-3.5-turbo-0125", CL100K, true},
		{"azure/gpt-35-turbo", CL100K, true},
		{"text-embedding-3-small", CL100K, true},
		{"claude-sonnet-4-5-20250929", O200K, false},
		{"claude-opus-4-6", O200K, false},
		{"gemini-2.5-pro", O200K, false},
		{"qwen3-coder-plus", O200K, false},
		{"grok-code-fast-1", O200K, false},
		{"omni", O200K, false},
		{"o", O200K, false},
		{"", O200K, false},
	}
	for _, tt := range tests {
		enc, native := ForModel(tt.model)
		if enc != tt.enc || native != tt.native {
			t.Errorf("ForModel(%q) = %s, %v; want %s, %v", tt.model, enc, native, tt.enc, tt.native)
		}
	}
}
