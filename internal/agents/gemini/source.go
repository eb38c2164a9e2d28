package gemini

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Source returns the Gemini CLI log source. Its roots are
// $GEMINI_CLI_HOME/.gemini/tmp (~/.gemini/tmp without the variable) and the
// directories listed in GEMINI_DATA_DIR; see the package documentation for
// the files read and how.
//
// The Source remembers the Env.Repos of its last Roots call to resolve
// legacy project hashes, so one Source value should serve one scan at a time.
func Source() tail.Source {
	pr := newProjects()
	src := tail.Source{
		Agent: attribution.AgentGeminiCLI,
		Roots: func(env tail.Env) []string {
			pr.setRepos(env.Repos)
			return roots(env)
		},
		Match: match,
		NewParser: func(path string, state []byte) (tail.Parser, error) {
			p, err := newParser(pr, path, state)
			if err != nil {
				return nil, err // not a typed nil inside the interface
			}
			return p, nil
		},
	}
	lines := src // the line reader of .jsonl files (Read unset)
	src.Read = func(path string, cur *tail.Cursor, emit func(attribution.Event), st *tail.Stats) error {
		if strings.HasSuffix(path, ".json") {
			parse := func(data []byte, emit func(attribution.Event)) error {
				return parseDocument(pr, path, data, emit)
			}
			return tail.ReadWhole(path, cur, parse, emit, st)
		}
		return tail.ReadFile(lines, path, cur, emit, st)
	}
	return src
}

// roots lists $GEMINI_CLI_HOME/.gemini/tmp (or <home>/.gemini/tmp), then
// each entry of GEMINI_DATA_DIR (trimmed, "~" expanded), without repeats.
func roots(env tail.Env) []string {
	var out tail.PathList
	if h := env.Get("GEMINI_CLI_HOME"); h != "" {
		out.Add(filepath.Join(env.ExpandHome(h), ".gemini", "tmp"))
	} else {
		out.Add(env.InHome(".gemini", "tmp"))
	}
	for _, entry := range env.ListVar("GEMINI_DATA_DIR") {
		out.Add(env.ExpandHome(entry))
	}
	return out
}

// match accepts <project>/chats/<name>.json[l] and
// <project>/chats/<parent>/<name>.json[l].
func match(rel string) bool {
	parts := strings.Split(rel, "/")
	if (len(parts) != 3 && len(parts) != 4) || parts[1] != "chats" {
		return false
	}
	base := parts[len(parts)-1]
	stem := strings.TrimSuffix(strings.TrimSuffix(base, ".jsonl"), ".json")
	return stem != base && stem != "" && !strings.HasPrefix(base, ".")
}

// fileSession is the session id of a file without metadata: its name
// without the extension (the same for a legacy .json and its .jsonl).
func fileSession(p string) string {
	base := path.Base(filepath.ToSlash(p))
	return strings.TrimSuffix(strings.TrimSuffix(base, ".jsonl"), ".json")
}

// projectDir returns the project directory of a session file: the parent
// of its chats directory, or "" when the path has no such layout.
func projectDir(p string) string {
	dir := filepath.Dir(p)
	if filepath.Base(dir) != "chats" {
		dir = filepath.Dir(dir) // a subagent file: chats/<parent>/<id>.jsonl
	}
	if filepath.Base(dir) != "chats" {
		return ""
	}
	return filepath.Dir(dir)
}
