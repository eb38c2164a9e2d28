// Package custom reads tokenyield's open usage format: JSON lines that any
// agent, SDK script or in-house tool appends to a file under
// $TOKENYIELD_HOME/usage/ (or writes with `tokenyield record`), so usage that
// no built-in reader sees still reaches `tokenyield usage` and the commit
// notes.
//
// Where: every *.jsonl file at any depth below $TOKENYIELD_HOME/usage, where
// $TOKENYIELD_HOME defaults to $XDG_CONFIG_HOME/tokenyield (an absolute
// XDG_CONFIG_HOME only) and then ~/.config/tokenyield, on every platform: the
// same directory as the price override file.
//
// What: one JSON object per line (format version 1):
//
//	{"v":1, "agent":"my-agent", "model":"claude-sonnet-4-6",
//	 "time":"2026-11-27T10:04:05Z", "input":1200, "cache_read":30000,
//	 "cache_write":0, "output":850, "reasoning":0,
//	 "cwd":"/home/me/src/app", "session":"run-42", "id":"msg_01ABC",
//	 "estimated":false}
//
// time (RFC 3339) and model are required; the token fields are non-negative
// integers, absent meaning 0, with Anthropic's semantics: input excludes
// cache reads and writes, output includes reasoning, and reasoning is the part
// of output spent thinking. agent defaults to "custom"; a name must be 1–64
// characters of a–z, 0–9, '.', '_' and '-', and may not be a built-in
// reader's (those logs are read directly). cwd, the absolute working
// directory of the call, is what attributes it to a repository; without it
// the usage shows in `tokenyield usage` but on no commit. session is hashed
// before it reaches a note. estimated marks counts that were estimated.
//
// Identity: id is the call's identity (an API response or request id): a
// line repeated, in the same or another file, counts once. A line without id
// is identified by its whole content.
//
// Bad lines (not JSON, a wrong version, a missing time or model, a negative
// or absurd count, a bad agent name) are skipped and counted, never fatal.
package custom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Version is the format version this package reads and writes.
const Version = 1

// Record is one line of the open format.
type Record struct {
	V          int       `json:"v"`
	Agent      string    `json:"agent,omitempty"`
	Model      string    `json:"model"`
	Time       time.Time `json:"time"`
	Input      int64     `json:"input"`
	CacheRead  int64     `json:"cache_read"`
	CacheWrite int64     `json:"cache_write"`
	Output     int64     `json:"output"`
	Reasoning  int64     `json:"reasoning"`
	Cwd        string    `json:"cwd,omitempty"`
	Session    string    `json:"session,omitempty"`
	ID         string    `json:"id,omitempty"`
	Estimated  bool      `json:"estimated,omitempty"`
}

// reserved are the agent names of the built-in readers.
var reserved = map[string]bool{
	attribution.AgentClaudeCode: true, attribution.AgentCodex: true, attribution.AgentGeminiCLI: true,
	attribution.AgentQwenCode: true, attribution.AgentOpenCode: true, attribution.AgentKiloCLI: true, attribution.AgentAider: true,
	attribution.AgentCline: true, attribution.AgentRooCode: true, attribution.AgentKiloCode: true,
	attribution.AgentAmp: true, attribution.AgentCopilotCLI: true, attribution.AgentGoose: true,
}

// validAgentName reports whether name is 1–64 characters of a–z, 0–9, '.',
// '_' and '-', starting with a letter or digit. (Written out: a package-level
// regexp would be compiled on every start of the hooks' process.)
func validAgentName(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case (c == '.' || c == '_' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// Validate checks a record and fills in its defaults (agent "custom").
func (r *Record) Validate() error {
	if r.V != Version {
		return fmt.Errorf("format version %d, want %d", r.V, Version)
	}
	if r.Agent == "" {
		r.Agent = attribution.AgentCustom
	}
	if !validAgentName(r.Agent) {
		return fmt.Errorf("agent %q: use 1-64 characters of a-z, 0-9, '.', '_' and '-'", r.Agent)
	}
	if reserved[r.Agent] {
		return fmt.Errorf("agent %q is read from its own logs; give the records another name", r.Agent)
	}
	if strings.TrimSpace(r.Model) == "" {
		return errors.New("model is required")
	}
	if r.Time.IsZero() {
		return errors.New("time is required")
	}
	if r.Cwd != "" && !filepath.IsAbs(r.Cwd) && !path.IsAbs(r.Cwd) {
		return fmt.Errorf("cwd %q is not absolute", r.Cwd)
	}
	return r.Usage().Validate()
}

// Usage returns the record's token vector.
func (r *Record) Usage() attribution.Usage {
	return attribution.Usage{Input: r.Input, CacheRead: r.CacheRead, CacheWrite: r.CacheWrite, Output: r.Output, Reasoning: r.Reasoning}
}

// Home returns tokenyield's home directory for env (see the package
// documentation), or "" when there is none.
func Home(env tail.Env) string {
	if d := env.Get("TOKENYIELD_HOME"); d != "" {
		return filepath.Clean(d)
	}
	if d := env.Get("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "tokenyield")
	}
	return env.InHome(".config", "tokenyield")
}

// Dir returns the directory the open format is read from.
func Dir(env tail.Env) string {
	h := Home(env)
	if h == "" {
		return ""
	}
	return filepath.Join(h, "usage")
}

// Source returns the open format's source. Its events carry the agent name
// each record gives.
func Source() tail.Source {
	return tail.Source{
		Agent: attribution.AgentCustom,
		Roots: func(env tail.Env) []string { return []string{Dir(env)} },
		Match: func(rel string) bool { return strings.HasSuffix(rel, ".jsonl") },
		NewParser: func(string, []byte) (tail.Parser, error) {
			return parser{}, nil
		},
	}
}

type parser struct{}

func (parser) State() ([]byte, error) { return nil, nil }

// Line parses one record.
func (parser) Line(line []byte, emit func(attribution.Event)) error {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil
	}
	e, err := Parse(line)
	if err != nil {
		return err
	}
	emit(e)
	return nil
}

// Parse turns one line of the open format into an event.
func Parse(line []byte) (attribution.Event, error) {
	var r Record
	if err := json.Unmarshal(line, &r); err != nil {
		return attribution.Event{}, fmt.Errorf("not a usage record: %w", err)
	}
	if err := r.Validate(); err != nil {
		return attribution.Event{}, fmt.Errorf("usage record: %w", err)
	}
	key := r.ID
	if key == "" {
		h := fnv.New64a()
		_, _ = h.Write(line)
		key = "line:" + strconv.FormatUint(h.Sum64(), 16)
	}
	cwd := r.Cwd
	if cwd != "" {
		cwd = filepath.Clean(cwd)
	}
	return attribution.Event{
		Agent:     r.Agent,
		Session:   attribution.HashSession(r.Agent, r.Session),
		Key:       key,
		Model:     r.Model,
		Time:      r.Time.UTC(),
		Cwd:       cwd,
		Usage:     r.Usage(),
		Estimated: r.Estimated,
	}, nil
}

// RecordFile is the file `tokenyield record` appends to, in Dir.
const RecordFile = "records.jsonl"

// Append validates r and appends it as one line to the file at path,
// creating the file and its directory. A line is written with one append,
// so concurrent writers never interleave within a line.
func Append(path string, r Record) error {
	if err := r.Validate(); err != nil {
		return err
	}
	r.Time = r.Time.UTC()
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode usage record: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("usage records: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("usage records: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		_ = f.Close()
		return fmt.Errorf("usage records: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("usage records: %w", err)
	}
	return nil
}
