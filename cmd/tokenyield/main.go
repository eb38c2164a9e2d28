// Command tokenyield measures what AI coding tokens buy: it tags commits with
// the AI session usage that produced them and reports tokens and cost next to
// lines changed and review outcomes. See README.md.
package main

import (
	"os"

	"github.com/tokenyield/tokenyield/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
