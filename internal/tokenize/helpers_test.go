package tokenize

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	tiktoken "github.com/pkoukk/tiktoken-go"
	loader "github.com/pkoukk/tiktoken-go-loader"
)

var encodings = []string{CL100K, O200K}

// encoder returns the Encoder of name or stops the test.
func encoder(t testing.TB, name string) *Encoder {
	t.Helper()
	e, err := Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// reference returns github.com/pkoukk/tiktoken-go's encoder of name, a
// second, independent implementation (regular expressions run by regexp2,
// tiktoken's merge loop) over the same embedded ranks. Its loader is set to
// the offline one first, so it never downloads anything.
func reference(t testing.TB, name string) *tiktoken.Tiktoken {
	t.Helper()
	refOnce.Do(func() { tiktoken.SetBpeLoader(loader.NewOfflineLoader()) })
	refMu.Lock()
	defer refMu.Unlock()
	if enc, ok := refs[name]; ok {
		return enc
	}
	enc, err := tiktoken.GetEncoding(name)
	if err != nil {
		t.Fatalf("tiktoken-go %s: %v", name, err)
	}
	refs[name] = enc
	return enc
}

var (
	refOnce sync.Once
	refMu   sync.Mutex
	refs    = map[string]*tiktoken.Tiktoken{}
)

// referenceCount counts text with tiktoken-go, special-token text being
// ordinary text (no special token allowed, none refused).
func referenceCount(t testing.TB, name, text string) int {
	return len(reference(t, name).Encode(text, nil, nil))
}

// corpus returns the committed corpus files and the generated ones, by name.
func corpus(t testing.TB) map[string]string {
	t.Helper()
	files := map[string]string{}
	paths, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus files (%v)", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = string(b)
	}
	for name, text := range generated() {
		files[name] = text
	}
	return files
}

// sortedNames returns the keys of files in order.
func sortedNames(files map[string]string) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// generated returns the corpus files made by code: a 200 KB minified JSON
// document on one line, and long runs that make pieces of thousands of
// bytes (merged by the heap). Both come from a fixed seed, so they are the
// same on every run.
func generated() map[string]string {
	return map[string]string{
		"generated-long-line.json": longJSON(200_000),
		"generated-runs.txt":       longRuns(),
	}
}

// longJSON returns minified JSON of at least size bytes on a single line:
// an array of records with words, numbers, escapes and non-ASCII text.
func longJSON(size int) string {
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("token usage commit model input output cache read write session agent " +
		"Größe naïve café 東京 данные ☃ 🚀 it's \"quoted\" back\\slash tab\there <|endoftext|> </script>")
	type record struct {
		ID     int               `json:"id"`
		Name   string            `json:"name"`
		Tags   []string          `json:"tags"`
		Score  float64           `json:"score"`
		Tokens map[string]int    `json:"tokens"`
		Meta   map[string]string `json:"meta,omitempty"`
		Nested []any             `json:"nested"`
	}
	var recs []record
	total := 0
	for i := 0; total < size; i++ {
		r := record{
			ID:     i,
			Name:   words[rng.IntN(len(words))] + fmt.Sprint(rng.IntN(1000)),
			Score:  float64(rng.IntN(1_000_000)) / 1000,
			Tokens: map[string]int{"in": rng.IntN(100_000), "out": rng.IntN(10_000)},
			Nested: []any{rng.IntN(10), []any{true, nil, "x"}, map[string]any{"k": words[rng.IntN(len(words))]}},
		}
		for range rng.IntN(5) {
			r.Tags = append(r.Tags, words[rng.IntN(len(words))])
		}
		if rng.IntN(3) == 0 {
			r.Meta = map[string]string{"note": strings.Join(r.Tags, " ")}
		}
		b, _ := json.Marshal(r)
		total += len(b) + 1
		recs = append(recs, r)
	}
	b, _ := json.Marshal(recs)
	return string(b)
}

// longRuns returns text whose pieces are thousands of bytes long.
func longRuns() string {
	rng := rand.New(rand.NewPCG(3, 4))
	blob := make([]byte, 3000)
	for i := range blob {
		blob[i] = byte(rng.UintN(256))
	}
	var b strings.Builder
	b.WriteString("data:application/octet-stream;base64," + base64.StdEncoding.EncodeToString(blob) + "\n")
	b.WriteString(strings.Repeat("=", 5000) + "\n")
	b.WriteString(strings.Repeat("a", 3000) + " " + strings.Repeat("ab", 1500) + "\n")
	b.WriteString(strings.Repeat(" ", 3000) + "indented\n")
	b.WriteString(strings.Repeat("\n", 2000) + "after newlines\n")
	b.WriteString(strings.Repeat("\t \t", 500) + "\n")
	b.WriteString(strings.Repeat("ДлинноеСлово", 200) + "\n")
	b.WriteString(strings.Repeat("漢字", 1000) + "\n")
	b.WriteString(strings.Repeat("0123456789", 300) + "\n")
	hex := make([]byte, 2048)
	for i := range hex {
		hex[i] = "0123456789abcdef"[rng.IntN(16)]
	}
	b.Write(hex)
	return b.String()
}
