package tail

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"

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
	// Repos are the worktree roots of the repositories the caller works on
	// (the committing worktree for the hooks, the current one for the usage
	// command): where per-repository logs such as Aider's chat history live.
	Repos []string
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

// ExpandHome resolves a leading "~" in a path taken from an environment
// variable, as ccusage does (a shell would have done it for an unquoted
// value): "~" and "~/x" (and "~\x" on Windows) are below Home; anything
// else, or any path without a Home, is returned as it is.
func (e Env) ExpandHome(p string) string {
	if e.Home == "" {
		return p
	}
	if p == "~" {
		return e.Home
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		return filepath.Join(e.Home, rest)
	}
	if e.GOOS == "windows" {
		if rest, ok := strings.CutPrefix(p, `~\`); ok {
			return filepath.Join(e.Home, rest)
		}
	}
	return p
}

// ListVar returns the entries of the comma-separated list variable name,
// trimmed, blank ones left out: nil when it names none (unset, or only
// commas and spaces), which callers take as unset, and for the name "".
func (e Env) ListVar(name string) []string {
	if name == "" {
		return nil
	}
	var out []string
	for _, entry := range strings.Split(e.Get(name), ",") {
		if entry = strings.TrimSpace(entry); entry != "" {
			out = append(out, entry)
		}
	}
	return out
}

// PathList collects log roots once each, in the order they are added (a
// reader lists the places a tool may write, which often coincide).
type PathList []string

// Add appends p, cleaned, unless it is "" or already listed.
func (l *PathList) Add(p string) {
	if p == "" {
		return
	}
	p = filepath.Clean(p)
	for _, q := range *l {
		if q == p {
			return
		}
	}
	*l = append(*l, p)
}

// IsAbsAnyOS reports whether p, a directory an agent logged, is absolute on
// any system agents run on: "/x", "C:\x", "C:/x" or `\\server\share`. The
// reader may run on another system than the one that wrote the log, so
// filepath.IsAbs is not enough. A path holding a NUL byte is no path.
func IsAbsAnyOS(p string) bool {
	switch {
	case strings.ContainsRune(p, 0):
		return false
	case strings.HasPrefix(p, "/"), strings.HasPrefix(p, `\\`):
		return true
	case len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/'):
		c := p[0] | 0x20
		return c >= 'a' && c <= 'z'
	}
	return false
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
	// Files, when set, returns single log files to read besides those found
	// under Roots: files the agent is told to write to (an environment
	// variable naming a file, a file in each of Env.Repos). Missing files
	// are fine. Match does not apply to them.
	Files func(Env) []string
	// Read, when set, reads this source's files instead of the line reader
	// (ReadFile): for documents the agent rewrites whole (see ReadWhole) and
	// for databases. Like ReadFile it must cost about one stat when nothing
	// changed, advance cur, count what it did in st, and never modify the
	// agent's files. NewParser is then unused.
	Read func(path string, cur *Cursor, emit func(attribution.Event), st *Stats) error
}

// Read reads path with src's own Read when it has one, else with ReadFile.
func Read(src Source, path string, cur *Cursor, emit func(attribution.Event), st *Stats) error {
	if src.Read != nil {
		return src.Read(path, cur, emit, st)
	}
	return ReadFile(src, path, cur, emit, st)
}
