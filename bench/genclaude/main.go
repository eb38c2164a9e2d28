// Command genclaude writes a deterministic synthetic Claude Code log tree for
// benchmarks:
//
//	genclaude -out DIR [-bytes N] [-seed S]
//
// It creates DIR/projects/<encoded cwd>/<session uuid>.jsonl files (and a few
// <session>/subagents/agent-<id>.jsonl subagent transcripts) totalling about
// N bytes, shaped like real Claude Code 2.x transcripts (see package
// bench/genclaude/gen and shared/reference/performance.md §1), then prints
// to stdout, as JSON, what it wrote: file and line counts and the expected
// de-duplicated totals (input, output, cache_read, cache_write, responses).
// The same JSON is saved as DIR/genclaude.json. The same (N, S) always gives
// byte-identical files. N accepts the suffixes K, M and G (powers of 1000)
// and KiB, MiB, GiB.
//
// genclaude refuses to write into an existing DIR/projects, so it can never
// mix its output with (or overwrite) a real Claude Code folder.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/bench/genclaude/gen"
)

func main() {
	out := flag.String("out", "", "directory to create the tree in (required)")
	size := flag.String("bytes", "1G", "approximate tree size (suffixes K, M, G, KiB, MiB, GiB)")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: genclaude -out DIR [-bytes N] [-seed S]")
		os.Exit(2)
	}
	n, err := parseSize(*size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genclaude: -bytes:", err)
		os.Exit(2)
	}
	start := time.Now()
	tree, err := gen.Generate(*out, n, *seed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genclaude:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(tree); err != nil {
		fmt.Fprintln(os.Stderr, "genclaude:", err)
		os.Exit(1)
	}
	d := time.Since(start)
	fmt.Fprintf(os.Stderr, "genclaude: %d bytes in %d+%d files in %.1fs (%.0f MB/s)\n",
		tree.Bytes, tree.Files, tree.Subagents, d.Seconds(), float64(tree.Bytes)/1e6/d.Seconds())
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return v * mult, nil
}
