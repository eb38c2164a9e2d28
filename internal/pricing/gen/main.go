// Command gen converts a LiteLLM model_prices_and_context_window.json (or a
// slice of it) into tokenyield's price-file format. It is run by
// `go generate ./internal/pricing` to produce the embedded prices.json:
//
//	go run ./gen -in ../../testdata/pricing/litellm_model_prices_slice.json \
//	    -out prices.json -as-of 2026-08-01 -source "..."
//
// The conversion rules are those of pricing.FromLiteLLM.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tokenyield/tokenyield/internal/pricing"
)

func main() {
	in := flag.String("in", "", "LiteLLM price JSON to read")
	out := flag.String("out", "", "price file to write (- for standard output)")
	asOf := flag.String("as-of", "", "date the prices were taken, YYYY-MM-DD")
	source := flag.String("source", "", "where the prices come from, recorded in the file")
	flag.Parse()
	if *in == "" || *out == "" || *asOf == "" || *source == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -in litellm.json -out prices.json -as-of YYYY-MM-DD -source TEXT")
		os.Exit(2)
	}
	if err := run(*in, *out, *source, *asOf); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out, source, asOf string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read-only: a close error loses nothing
	t, err := pricing.FromLiteLLM(f, source, asOf)
	if err != nil {
		return fmt.Errorf("convert %s: %w", in, err)
	}
	data := t.Encode()
	if out == "-" {
		_, err = os.Stdout.Write(data)
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}
