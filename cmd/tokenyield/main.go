// Command tokenyield measures what AI coding tokens buy: it tags commits with
// the AI session usage that produced them and reports tokens and cost next to
// lines changed and review outcomes. See README.md.
//
// Setting TOKENYIELD_CPUPROFILE=FILE writes a CPU profile of the run, for
// performance work.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/tokenyield/tokenyield/internal/cli"
)

func main() {
	if path := os.Getenv("TOKENYIELD_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			code := cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
			pprof.StopCPUProfile()
			_ = f.Close()
			os.Exit(code)
		}
		fmt.Fprintf(os.Stderr, "tokenyield: cannot profile to %s\n", path)
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
