package copilot

import (
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Environment variables the reader honours.
const (
	// envHome relocates Copilot's whole data directory (default ~/.copilot).
	envHome = "COPILOT_HOME"
	// envOTelFile names the file the OpenTelemetry file exporter writes.
	envOTelFile = "COPILOT_OTEL_FILE_EXPORTER_PATH"
	// envXDGState is where Copilot CLI versions before the move to
	// ~/.copilot kept their state ($XDG_STATE_HOME/.copilot).
	envXDGState = "XDG_STATE_HOME"
)

// Folder names below the Copilot home.
const (
	dirSessions = "session-state"
	dirHistory  = "history-session-state"
	dirOTel     = "otel"
	eventsFile  = "events.jsonl"
)

// source is a Copilot source. Roots remembers the environment it was given
// so that the parsers created for the same scan (always after Roots) know
// the exporter file and the Copilot home; parsers created without a scan
// derive what they need from their file's path.
type source struct {
	env atomic.Pointer[tail.Env]
}

// Source returns the GitHub Copilot CLI log source: session event logs under
// session-state/ (and the older history-session-state/ and flat
// session-state/<id>.jsonl layouts) and OpenTelemetry file exports under
// otel/ or at $COPILOT_OTEL_FILE_EXPORTER_PATH. See the package
// documentation for how the two are kept from counting the same calls.
func Source() tail.Source {
	s := &source{}
	return tail.Source{
		Agent:     attribution.AgentCopilotCLI,
		Roots:     s.roots,
		Match:     match,
		Files:     s.files,
		NewParser: s.newParser,
	}
}

func (s *source) roots(env tail.Env) []string {
	e := env
	s.env.Store(&e)
	return roots(env)
}

func (s *source) files(env tail.Env) []string {
	if p := otelFile(env); p != "" {
		return []string{p}
	}
	return nil
}

// newParser picks the parser for a file from its place (see classify).
func (s *source) newParser(path string, state []byte) (tail.Parser, error) {
	var env *tail.Env
	if e := s.env.Load(); e != nil {
		env = e
	}
	switch classify(path) {
	case kindEvents:
		p, err := newEventsParser(path, state, env)
		if err != nil {
			return nil, err
		}
		return p, nil
	case kindOTel:
		p, err := newOTelParser(path, state, env)
		if err != nil {
			return nil, err
		}
		return p, nil
	default:
		return ignoreParser{}, nil
	}
}

// copilotHome returns $COPILOT_HOME (a leading "~" expanded), else
// ~/.copilot, else "".
func copilotHome(env tail.Env) string {
	if v := strings.TrimSpace(env.Get(envHome)); v != "" {
		return filepath.Clean(env.ExpandHome(v))
	}
	return env.InHome(".copilot")
}

// otelFile returns the exporter file named by the environment, or "".
func otelFile(env tail.Env) string {
	if v := strings.TrimSpace(env.Get(envOTelFile)); v != "" {
		return filepath.Clean(env.ExpandHome(v))
	}
	return ""
}

// roots lists, under the Copilot home, session-state/, history-session-state/
// and otel/; with XDG_STATE_HOME set and COPILOT_HOME unset, also the
// session folders of older versions under $XDG_STATE_HOME/.copilot (current
// versions move them to ~/.copilot at start-up; the copies have the same
// keys). Identical paths are listed once.
func roots(env tail.Env) []string {
	var out tail.PathList
	if home := copilotHome(env); home != "" {
		out.Add(filepath.Join(home, dirSessions))
		out.Add(filepath.Join(home, dirHistory))
		out.Add(filepath.Join(home, dirOTel))
	}
	if strings.TrimSpace(env.Get(envHome)) == "" {
		if x := env.Get(envXDGState); x != "" {
			out.Add(filepath.Join(x, ".copilot", dirSessions))
			out.Add(filepath.Join(x, ".copilot", dirHistory))
		}
	}
	return out
}

// match accepts *.jsonl files at any depth: session logs directly in a
// session folder (<id>/events.jsonl, <id>.jsonl) and exports anywhere below
// otel/. The roots do not tell Match which folder a file is in; classify
// does, from the full path.
func match(rel string) bool {
	return strings.HasSuffix(rel, ".jsonl") && !strings.HasSuffix(rel, "/.jsonl") && rel != ".jsonl"
}

// fileKind is what a file holds.
type fileKind uint8

const (
	kindIgnore fileKind = iota // a .jsonl file of a session's own artifacts
	kindEvents                 // a session event log
	kindOTel                   // an OpenTelemetry export
)

// classify tells a file's kind from its nearest ancestor folder named
// session-state, history-session-state or otel: below a session folder only
// <id>/events.jsonl and <id>.jsonl are session logs (other .jsonl files there
// are a session's artifacts); below otel/, or with none of these ancestors
// (the exporter file can be anywhere), a file is an OpenTelemetry export.
func classify(path string) fileKind {
	parts := strings.FieldsFunc(filepath.ToSlash(path), func(r rune) bool { return r == '/' })
	for i := len(parts) - 2; i >= 0; i-- {
		switch parts[i] {
		case dirSessions, dirHistory:
			rest := parts[i+1:]
			if len(rest) == 1 || (len(rest) == 2 && rest[1] == eventsFile) {
				return kindEvents
			}
			return kindIgnore
		case dirOTel:
			return kindOTel
		}
	}
	return kindOTel
}

// homeOf returns the Copilot home a session log or export lies in (the
// parent of its session-state, history-session-state or otel ancestor), or
// "".
func homeOf(path string) string {
	dir := filepath.Dir(path)
	for dir != filepath.Dir(dir) {
		switch filepath.Base(dir) {
		case dirSessions, dirHistory, dirOTel:
			return filepath.Dir(dir)
		}
		dir = filepath.Dir(dir)
	}
	return ""
}

// ignoreParser reads a file without emitting anything.
type ignoreParser struct{}

func (ignoreParser) Line([]byte, func(attribution.Event)) error { return nil }
func (ignoreParser) State() ([]byte, error)                     { return nil, nil }
