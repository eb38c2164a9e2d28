// Package sessionlog reads the usage of one agent run from a single file, as
// a CI job has it after running an agent: a Claude Code or Codex session
// transcript (JSONL), the result of `claude -p --output-format json`, or the
// events of `codex exec --json`. The Action's tag mode attaches that usage to
// the commits the job made.
package sessionlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/claudecode"
	"github.com/tokenyield/tokenyield/internal/agents/codex"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// MaxBytes bounds the file read.
const MaxBytes = 512 << 20

// Format names what Read found.
type Format string

// The formats Read understands.
const (
	ClaudeTranscript Format = "claude-code transcript"
	CodexRollout     Format = "codex rollout"
	ClaudeResult     Format = "claude -p result"
	CodexExec        Format = "codex exec events"
)

// Read returns the de-duplicated events of the run in path, and its format.
// now dates results that carry no time of their own.
func Read(path string, now time.Time) ([]attribution.Event, Format, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", fmt.Errorf("session log: %w", err)
	}
	if fi.Size() > MaxBytes {
		return nil, "", fmt.Errorf("session log %s: %d bytes, over %d", path, fi.Size(), MaxBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("session log: %w", err)
	}
	trimmed := bytes.TrimSpace(data)
	if looksLikeResult(trimmed) {
		evs, err := claudeResult(trimmed, now)
		return evs, ClaudeResult, err
	}
	kind := sniff(data)
	var src tail.Source
	switch kind {
	case ClaudeTranscript:
		src = claudecode.Source()
	case CodexRollout:
		src = codex.Source()
	case CodexExec:
		evs, err := codexExec(data, now)
		return evs, kind, err
	default:
		return nil, "", fmt.Errorf("session log %s: not a Claude Code or Codex transcript, a claude -p result or codex exec events", path)
	}
	p, err := src.NewParser(path, nil)
	if err != nil {
		return nil, kind, err
	}
	d := attribution.NewDedup()
	var out []attribution.Event
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), tail.MaxLineBytes)
	for sc.Scan() {
		_ = p.Line(sc.Bytes(), func(e attribution.Event) {
			if ev, ok := d.Observe(e); ok {
				out = append(out, ev)
			}
		})
	}
	if err := sc.Err(); err != nil {
		return nil, kind, fmt.Errorf("session log %s: %w", path, err)
	}
	return out, kind, nil
}

// looksLikeResult reports a pretty-printed claude -p result object.
func looksLikeResult(b []byte) bool {
	var probe struct {
		Type string `json:"type"`
	}
	return bytes.HasPrefix(b, []byte("{")) && json.Unmarshal(b, &probe) == nil && probe.Type == "result"
}

// sniff tells the JSONL formats apart by their first recognisable line.
func sniff(data []byte) Format {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), tail.MaxLineBytes)
	for i := 0; sc.Scan() && i < 50; i++ {
		var probe struct {
			Type      string          `json:"type"`
			SessionID string          `json:"sessionId"`
			Message   json.RawMessage `json:"message"`
			Payload   json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(sc.Bytes(), &probe) != nil {
			continue
		}
		switch {
		case probe.Type == "session_meta" || probe.Type == "event_msg" || probe.Type == "turn_context" || probe.Type == "response_item":
			return CodexRollout
		case probe.Type == "thread.started" || probe.Type == "turn.completed" || probe.Type == "turn.started" || probe.Type == "item.completed":
			return CodexExec
		case probe.SessionID != "" || len(probe.Message) > 0:
			return ClaudeTranscript
		}
	}
	return ""
}

// claudeResult reads `claude -p --output-format json`: per model from
// modelUsage when present, else the overall usage.
func claudeResult(b []byte, now time.Time) ([]attribution.Event, error) {
	var r struct {
		Type      string `json:"type"`
		SessionID string `json:"session_id"`
		Usage     *struct {
			Input      int64 `json:"input_tokens"`
			Output     int64 `json:"output_tokens"`
			CacheRead  int64 `json:"cache_read_input_tokens"`
			CacheWrite int64 `json:"cache_creation_input_tokens"`
		} `json:"usage"`
		ModelUsage map[string]struct {
			Input      int64 `json:"inputTokens"`
			Output     int64 `json:"outputTokens"`
			CacheRead  int64 `json:"cacheReadInputTokens"`
			CacheWrite int64 `json:"cacheCreationInputTokens"`
		} `json:"modelUsage"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("claude -p result: %w", err)
	}
	session := attribution.HashSession(attribution.AgentClaudeCode, r.SessionID)
	var out []attribution.Event
	add := func(model string, u attribution.Usage) error {
		if err := u.Validate(); err != nil {
			return fmt.Errorf("claude -p result: %w", err)
		}
		if !u.IsZero() {
			out = append(out, attribution.Event{Agent: attribution.AgentClaudeCode, Session: session, Model: model, Time: now.UTC(), Usage: u})
		}
		return nil
	}
	if len(r.ModelUsage) > 0 {
		for model, m := range r.ModelUsage {
			if err := add(model, attribution.FromAnthropic(m.Input, m.CacheRead, m.CacheWrite, m.Output)); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if r.Usage == nil {
		return nil, errors.New("claude -p result: no usage")
	}
	return out, add(attribution.UnknownName, attribution.FromAnthropic(r.Usage.Input, r.Usage.CacheRead, r.Usage.CacheWrite, r.Usage.Output))
}

// codexExec reads `codex exec --json` events: each turn.completed carries
// the turn's usage (OpenAI-style: input includes cached).
func codexExec(data []byte, now time.Time) ([]attribution.Event, error) {
	var out []attribution.Event
	var thread string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), tail.MaxLineBytes)
	for sc.Scan() {
		var ev struct {
			Type     string `json:"type"`
			ThreadID string `json:"thread_id"`
			Usage    *struct {
				Input     int64 `json:"input_tokens"`
				Cached    int64 `json:"cached_input_tokens"`
				Output    int64 `json:"output_tokens"`
				Reasoning int64 `json:"reasoning_output_tokens"`
			} `json:"usage"`
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		if ev.Type == "thread.started" {
			thread = ev.ThreadID
		}
		if ev.Type != "turn.completed" || ev.Usage == nil {
			continue
		}
		u := attribution.FromOpenAI(ev.Usage.Input, ev.Usage.Cached, 0, ev.Usage.Output, ev.Usage.Reasoning)
		if err := u.Validate(); err != nil {
			return nil, fmt.Errorf("codex exec events: %w", err)
		}
		out = append(out, attribution.Event{Agent: attribution.AgentCodex, Session: attribution.HashSession(attribution.AgentCodex, thread),
			Model: attribution.UnknownName, Time: now.UTC(), Usage: u})
	}
	return out, sc.Err()
}
