// Package tokenize counts tokens offline, the way OpenAI's tiktoken counts
// them, with the cl100k_base and o200k_base encodings.
//
// # What it is for
//
// Agents' logs report the tokens the model spent; some do not, or report
// only part (a tool that logs the text of a reply but no usage). For those,
// tokenyield estimates tokens from the text: ForModel picks the encoding for
// a model, Count counts, and the caller marks the figures Estimated. The
// other use is DiffTokens: the tokens of the lines a commit adds ("output
// tokens of code"), so that a report can set the code that landed next to
// the tokens the agents spent on it.
//
// # How the encodings are loaded, offline
//
// The token ranks come from the .tiktoken files that
// github.com/pkoukk/tiktoken-go-loader embeds in the binary (v0.0.2 embeds
// cl100k_base, o200k_base, p50k_base and r50k_base, byte-identical to
// OpenAI's published files: see testdata/SOURCES.md). Nothing is downloaded
// or read from disk at run time, and nothing happens when the program
// starts: the first Get of an encoding parses its ranks, 35-60 ms for
// cl100k_base and 70-110 ms for o200k_base on the project's 2-vCPU machine
// (npm tiktoken's get_encoding: 190 and 280 ms), after which its tables hold
// about 5 and 10 MB; later calls share them. An Encoder is read-only, so one
// serves any number of goroutines.
//
// Counting does not go through github.com/pkoukk/tiktoken-go's encoder,
// which runs the pre-tokenizer patterns with a backtracking regular
// expression engine over a []rune copy of the text at 0.5-3 MB/s. The
// pre-tokenizer here is a hand-written scanner that follows each
// alternative of the two patterns (see split.go), and the byte-pair merge
// counts parts instead of building token ids. On one core of the project's
// machine it counts code at 55-60 MB/s, prose at 30-35 MB/s and CJK at
// 20 MB/s, where npm tiktoken (OpenAI's Rust code compiled to WebAssembly)
// manages 2.5-5.7 MB/s on the same texts (bench/tokenize.sh). tiktoken-go
// remains in the tests, with its loader set to the offline one, as an
// independent implementation every count is checked against.
//
// # Accuracy
//
// For OpenAI models Count equals tiktoken's encode_ordinary exactly:
// TestExactAgainstNpmTiktoken requires equality with npm tiktoken 1.0.22 on
// a corpus of code in seven languages, prose, CJK, emoji, combining marks,
// right-to-left text, whitespace and CRLF, a 200 KB single-line JSON
// document and pieces thousands of bytes long, for both encodings; the
// tests and a fuzz target also compare with tiktoken-go on random text. The
// text of a request is not the whole request, though: chat framing, tool
// definitions and images add tokens that a count of text cannot see.
// Special-token text such as "<|endoftext|>" counts as ordinary text (npm
// tiktoken's default encode refuses such text instead). Invalid UTF-8
// counts as if each bad byte were U+FFFD, as tiktoken-go reads it. Letters
// and digits follow Go's Unicode tables (Unicode 15.0); characters assigned
// in later versions may split differently from a tokenizer built on newer
// tables.
//
// For other vendors' models (Claude, Gemini, ...) the count is an
// approximation with o200k_base: ForModel reports native == false and the
// figures must be shown as Estimated. Their real counts can differ by tens
// of percent.
//
// DiffTokens counts each run of added lines as one text; in a run of more
// than 1 MiB with no point where the count splits exactly (a single huge
// minified line), it cuts anyway and the count may be off by a token or
// two per cut (DiffStats.Cuts says how many).
package tokenize
