// Package cli implements tokenyield's commands. Main parses the command line
// and runs one command with explicit streams and environment, so tests call
// it directly with a fake home directory.
package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Version is the tool version, set at build time with
// -ldflags "-X github.com/tokenyield/tokenyield/internal/cli.Version=...".
var Version = "0.1.0-dev"

// Env is what a command may touch: its streams, the environment the agents'
// logs are found with, and the clock.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Agents         tail.Env
	Now            func() time.Time
}

type command struct {
	summary string
	run     func(env *Env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"usage":     {"AI token usage on this machine, grouped by day, session, model, agent or repo", runUsage},
		"version":   {"print the version", runVersion},
		"install":   {"install the git hooks in this repository (--global: for all)", runInstall},
		"uninstall": {"remove the git hooks, restoring what was there", runUninstall},
		"hook":      {"run a hook (called by the installed hook scripts)", runHook},
		"show":      {"the AI usage recorded on a commit", runShow},
		"log":       {"commits with their AI tokens, cost and lines changed", runLog},
		"status":    {"what the next commit would get, unattributed usage, hook health", runStatus},
		"doctor":    {"check the installation and say how to fix problems", runDoctor},
		"push":      {"push the notes to a remote (merging, never forcing)", runPush},
		"fetch":     {"fetch the notes from a remote and merge them", runFetch},
		"demo":      {"see it work: a throwaway repository, real session logs, commits through the hooks", runDemo},
		"record":    {"record usage of a tool tokenyield does not read (the open format)", runRecord},
		"agents":    {"which agents' logs are on this machine, where, how much, and what is unreadable", runAgents},
		"pr":        {"the pull request report of a range of this clone (tokens, cost, lines, coverage)", runPR},
		"action":    {"the GitHub Action's entry point (see action.yml)", runAction},
		"review":    {"engineering-metrics review of the history: tokens, cost, lines, review outcomes per PR, author, agent, week", runReview},
	}
}

// errUsage marks a command-line mistake (exit code 2).
var errUsage = errors.New("usage error")

// Main runs the command line args and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Agents: tail.FromOS(), Now: time.Now}
	return Run(env, args)
}

// Run runs one command line with env and returns the exit code.
func Run(env *Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(env.Stdout)
		return 0
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "tokenyield: unknown command %q\n\n", args[0])
		printHelp(env.Stderr)
		return 2
	}
	err := cmd.run(env, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(env.Stderr, "tokenyield %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(env.Stderr, "tokenyield %s: %v\n", args[0], err)
		return 1
	}
}

func newJSONEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "tokenyield measures what AI coding tokens buy.")
	fmt.Fprintln(w, "\nUsage: tokenyield <command> [flags]\n\nCommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'tokenyield <command> -h' for a command's flags.")
}

func runVersion(env *Env, _ []string) error {
	fmt.Fprintf(env.Stdout, "tokenyield %s\n", Version)
	return nil
}

// newFlags returns a FlagSet that reports errors instead of exiting.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: tokenyield %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, mapping flag errors to errUsage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, strings.Join(fs.Args(), " "))
	}
	return nil
}

// homeOf returns the home directory used for tokenyield's own files.
func (e *Env) homeOf() string {
	if e.Agents.Home != "" {
		return e.Agents.Home
	}
	h, _ := os.UserHomeDir()
	return h
}
