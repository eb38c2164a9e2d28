package tail

import (
	"os"
	"path/filepath"
	"runtime"

	"github.com/tokenyield/tokenyield/attribution"
)

// Env is everything a reader may use to find logs: the home directory and
// environment variables, exactly like the agents themselves. Tests point it at
// a temporary directory.
type Env struct {
	// Home is the user's home directory.
	Home string
	// GOOS is the operating system whose conventions apply.
	GOOS string
	// Getenv returns an environment variable ("" when unset).
	Getenv func(string) string
}

// FromOS returns the Env of the running process.
func FromOS() Env {
	home, err := os.UserHomeDir()
	if err != nil {
		home = ""
	}
	return Env{Home: home, GOOS: runtime.GOOS, Getenv: os.Getenv}
}

// Get returns the environment variable name, or "" when Getenv is nil.
func (e Env) Get(name string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(name)
}

// InHome joins elem below the home directory, or returns "" without a home.
func (e Env) InHome(elem ...string) string {
	if e.Home == "" {
		return ""
	}
	return filepath.Join(append([]string{e.Home}, elem...)...)
}

// Parser turns the lines of one log file into events. A Parser is used by
// one goroutine at a time.
type Parser interface {
	// Line handles one complete line, without its newline. The slice is only
	// valid during the call. It returns an error for a line that should have
	// carried usage but could not be used; such lines are counted as skipped.
	// Lines of unknown or irrelevant kinds are ignored without error.
	Line(line []byte, emit func(attribution.Event)) error
	// State returns what the parser must remember to resume after the last
	// line it was given (nil when it needs nothing).
	State() ([]byte, error)
}

// Source describes one agent's logs.
type Source struct {
	// Agent is the stable agent identifier.
	Agent string
	// Roots returns the directories the agent writes logs under, in the order
	// the agent itself looks; missing directories are fine.
	Roots func(Env) []string
	// Match reports whether a file (path relative to its root, slash
	// separated) is one of the agent's usage logs.
	Match func(rel string) bool
	// NewParser starts parsing the file at path. state is nil when the file is
	// read from its beginning, or what the previous parser's State returned.
	NewParser func(path string, state []byte) (Parser, error)
}
