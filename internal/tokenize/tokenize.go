package tokenize

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	loader "github.com/pkoukk/tiktoken-go-loader"
)

// The encodings this package counts with.
const (
	CL100K = "cl100k_base" // GPT-4, GPT-3.5 Turbo, text-embedding-3
	O200K  = "o200k_base"  // GPT-4o, GPT-4.1, GPT-5, o-series, Codex; the approximation for other vendors
)

// vocabulary is the number of ordinary tokens (ranks) of each encoding;
// load checks the embedded file against it.
var vocabulary = map[string]int{CL100K: 100256, O200K: 199998}

// Encoder counts tokens of one encoding. Get returns the shared instance;
// it holds read-only tables, so one Encoder serves any number of
// goroutines at once.
type Encoder struct {
	name  string
	o200k bool
	ranks map[string]int // token bytes -> rank, from the embedded .tiktoken file
	cls   *classTable
}

// slot loads one encoding at most once.
type slot struct {
	once sync.Once
	enc  *Encoder
	err  error
}

var slots = map[string]*slot{CL100K: {}, O200K: {}}

// Get returns the Encoder of encoding (CL100K or O200K). The first call for
// an encoding loads it from the ranks embedded in the binary (about 0.1 s
// for cl100k_base, 0.2 s for o200k_base, and 20-40 MB of memory); later
// calls return the same Encoder at once. Concurrent first calls wait for
// one load.
func Get(encoding string) (*Encoder, error) {
	s, ok := slots[encoding]
	if !ok {
		return nil, fmt.Errorf("tokenize: unknown encoding %q (known: %s, %s)", encoding, CL100K, O200K)
	}
	s.once.Do(func() { s.enc, s.err = load(encoding) })
	return s.enc, s.err
}

// load reads the ranks of name from the files that
// github.com/pkoukk/tiktoken-go-loader embeds; nothing is downloaded.
func load(name string) (*Encoder, error) {
	ranks, err := loader.NewOfflineLoader().LoadTiktokenBpe(name + ".tiktoken")
	if err != nil {
		return nil, fmt.Errorf("tokenize: load the embedded %s ranks: %w", name, err)
	}
	if want := vocabulary[name]; len(ranks) != want {
		return nil, fmt.Errorf("tokenize: the embedded %s ranks have %d tokens, want %d", name, len(ranks), want)
	}
	return &Encoder{name: name, o200k: name == O200K, ranks: ranks, cls: classes()}, nil
}

// Name returns the encoding's name, e.g. "o200k_base".
func (e *Encoder) Name() string { return e.name }

// Count returns the number of tokens of text, counted as OpenAI's tiktoken
// counts it with encode_ordinary: special-token text such as
// "<|endoftext|>" is ordinary text. Invalid UTF-8 is counted as if each
// invalid byte were U+FFFD, as Go's []rune conversion reads it.
func (e *Encoder) Count(text string) int {
	text = sanitize(text)
	sp := splitter{s: text, cls: e.cls, o200k: e.o200k}
	n := 0
	for i := 0; i < len(text); {
		j := sp.next(i)
		n += e.pieceTokens(text[i:j])
		i = j
	}
	return n
}

// Count returns the number of tokens of text in encoding (CL100K or O200K),
// loading the encoding on first use.
func Count(encoding, text string) (int, error) {
	e, err := Get(encoding)
	if err != nil {
		return 0, err
	}
	return e.Count(text), nil
}

// sanitize replaces each byte that is not part of valid UTF-8 with U+FFFD.
func sanitize(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for _, r := range s { // yields utf8.RuneError for each invalid byte
		b.WriteRune(r)
	}
	return b.String()
}
