package gen

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
)

// The text of generated messages is assembled from the fragments below. Each
// fragment is JSON-escaped once, at start-up, with encoding/json (HTML
// escaping off, as Claude Code's own JSON.stringify does not escape <, > or
// &); appending whole escaped fragments always gives valid JSON string
// content, so lines are built without re-escaping.

var words = strings.Fields(`
the a an and or but if then else when while for with without into onto from to of in on at by
is are was were be been being has have had do does did can could should would will may might must
function method handler request response server client cache buffer stream token session commit
branch merge rebase review test tests fixture error errors panic retry timeout context deadline
config settings option flag value values field fields struct type interface module package import
build compile linker binary release version changelog migration schema table index query row column
file files path directory folder symlink permission owner user users account login logout password
parse parser decode encode marshal unmarshal json yaml toml line lines byte bytes offset cursor
read write append flush sync close open create delete update insert select join group order limit
worker pool queue channel mutex lock atomic goroutine thread process signal exit status code
update the handler so it returns early when the context is cancelled instead of blocking forever
check whether this works now let me run the tests again and look at the failing assertion
I will read the file first then make the smallest change that fixes the bug without touching the API
this looks like an off by one in the loop bound the last element is never visited
the benchmark shows most of the time is spent decoding JSON so a prefilter should help
`)

var snippets = []string{
	"```go\nfunc (s *Server) Handle(w http.ResponseWriter, r *http.Request) {\n\tctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)\n\tdefer cancel()\n\tif err := s.store.Put(ctx, r.URL.Path); err != nil {\n\t\thttp.Error(w, err.Error(), http.StatusInternalServerError)\n\t\treturn\n\t}\n\tw.WriteHeader(http.StatusNoContent)\n}\n```\n",
	"```ts\nexport async function loadConfig(path: string): Promise<Config> {\n  const raw = await fs.readFile(path, \"utf8\");\n  const cfg = JSON.parse(raw) as Partial<Config>;\n  return { ...defaults, ...cfg, name: cfg.name ?? \"default\" };\n}\n```\n",
	"```python\ndef summarize(rows):\n    totals = {\"input\": 0, \"output\": 0}\n    for row in rows:\n        for key in totals:\n            totals[key] += row.get(key, 0)\n    return totals\n```\n",
	"```bash\nset -euo pipefail\nfor f in \"$@\"; do\n  grep -c '\"usage\":{' \"$f\" || true\ndone | awk '{s+=$1} END {print s}'\n```\n",
	"```rust\nfn parse_line(line: &[u8]) -> Option<Usage> {\n    if memchr::memmem::find(line, b\"\\\"usage\\\":{\").is_none() {\n        return None;\n    }\n    serde_json::from_slice(line).ok()\n}\n```\n",
	"```diff\n-\tfor i := 0; i <= len(xs); i++ {\n+\tfor i := 0; i < len(xs); i++ {\n \t\tsum += xs[i]\n \t}\n```\n",
	"```sql\nSELECT date(ts) AS day, sum(input_tokens) AS input, sum(output_tokens) AS output\nFROM usage WHERE ts >= '2026-01-01' GROUP BY day ORDER BY day;\n```\n",
	"```json\n{\"name\": \"web-app\", \"version\": \"1.4.2\", \"scripts\": {\"test\": \"vitest run\", \"build\": \"tsc -p .\"}}\n```\n",
	"=== RUN   TestParseLine\n--- PASS: TestParseLine (0.00s)\n=== RUN   TestCursorResume\n    cursor_test.go:88: offset = 4096, want 4095\n--- FAIL: TestCursorResume (0.01s)\nFAIL\n",
	"src/components/Table.tsx:42:7 - error TS2322: Type 'string | undefined' is not assignable to type 'string'.\n\n42       title={props.title}\n         ~~~~~\n",
	"Traceback (most recent call last):\n  File \"app/main.py\", line 17, in <module>\n    main()\n  File \"app/main.py\", line 12, in main\n    raise ValueError(f\"bad value: {x!r}\")\nValueError: bad value: 'C:\\\\tmp\\\\x'\n",
	"     1\tpackage store\n     2\t\n     3\timport (\n     4\t\t\"errors\"\n     5\t\t\"sync\"\n     6\t)\n     7\t\n     8\tvar ErrNotFound = errors.New(\"not found\")\n",
	"<div class=\"row\" data-id=\"42\">\n  <span>{{ .Title }}</span> &amp; <a href=\"/edit?id=42&tab=main\">edit</a>\n</div>\n",
	"M  internal/scan/scan.go\n M internal/scan/state.go\n?? internal/scan/bench_test.go\n",
	"ok  \tgithub.com/example/app/internal/store\t0.412s\nok  \tgithub.com/example/app/internal/api\t1.093s\n--- FAIL: TestMigrate (0.02s)\n",
	"Caf\u00e9 r\u00e9sum\u00e9 na\u00efve \u2014 \u201cquoted\u201d \u2192 done \u2713 \u4f8b\u3048\u3070 \U0001F680\n",
}

var toolNames = []string{"Bash", "Read", "Edit", "Grep", "Glob", "Write", "TodoWrite"}

// Pre-escaped fragments (JSON string content, without the quotes).
var (
	escWords     [][]byte // lower case, each followed by a space
	escCapWords  [][]byte // capitalised, each followed by a space
	escSnippets  [][]byte
	escPeriod    = []byte(`.\n\n`)
	escSentEnd   = []byte(`. `)
	escFileNames [][]byte
)

func escape(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return append([]byte(nil), out[1:len(out)-1]...)
}

func init() {
	for _, w := range words {
		escWords = append(escWords, escape(w+" "))
		escCapWords = append(escCapWords, escape(strings.ToUpper(w[:1])+w[1:]+" "))
	}
	for _, s := range snippets {
		escSnippets = append(escSnippets, escape(s))
	}
	for _, f := range []string{
		"internal/scan/scan.go", "internal/store/store.go", "cmd/app/main.go", "src/index.ts",
		"src/components/Table.tsx", "app/main.py", "README.md", "Makefile", "lib/parser.rb",
		"pkg/api/handler_test.go", "web/static/app.js", "docs/design.md",
	} {
		escFileNames = append(escFileNames, escape(f))
	}
}

// appendText appends about n bytes of escaped prose mixed with code.
func appendText(b []byte, r *rand.Rand, n int) []byte {
	start := len(b)
	for len(b)-start < n {
		left := n - (len(b) - start)
		if left > 250 && r.IntN(6) == 0 {
			b = append(b, escSnippets[r.IntN(len(escSnippets))]...)
			continue
		}
		k := 5 + r.IntN(14)
		b = append(b, escCapWords[r.IntN(len(escCapWords))]...)
		for i := 1; i < k && len(b)-start < n; i++ {
			b = append(b, escWords[r.IntN(len(escWords))]...)
		}
		b = b[:len(b)-1] // drop the trailing space
		if r.IntN(4) == 0 {
			b = append(b, escPeriod...)
		} else {
			b = append(b, escSentEnd...)
		}
	}
	return b
}

// appendWords appends a short phrase of k words (escaped, no trailing space).
func appendWords(b []byte, r *rand.Rand, k int) []byte {
	b = append(b, escCapWords[r.IntN(len(escCapWords))]...)
	for i := 1; i < k; i++ {
		b = append(b, escWords[r.IntN(len(escWords))]...)
	}
	return b[:len(b)-1]
}
