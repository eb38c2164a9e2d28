package aider

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// state is what a parser remembers between reads of one file, stored in the
// file's cursor as JSON. Each format uses its own fields.
type state struct {
	// Launch is the Unix time of the analytics log's last "launched" event
	// (0 before the first).
	Launch int64 `json:"launch,omitempty"`
	// Start is the chat history's current session start as written in its
	// header ("" before the first valid header); Seq counts the earlier
	// consecutive sessions with the same start.
	Start string `json:"start,omitempty"`
	Seq   int    `json:"seq,omitempty"`
	// Model is the chat session's model so far ("" when not announced).
	Model string `json:"model,omitempty"`
	// Next is the rank the session's next Tokens line gets.
	Next int `json:"next,omitempty"`
}

// newParser returns the parser for a file of the given role, resuming from
// a state a previous parser of the same file returned.
func newParser(path string, ro role, raw []byte) (tail.Parser, error) {
	var st state
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, fmt.Errorf("aider parser state for %s: %w", path, err)
		}
	}
	if ro.kind == kindHistory {
		p, err := newHistoryParser(ro.cwd, st)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err) // not a typed nil inside the interface
		}
		return p, nil
	}
	return &analyticsParser{cwd: ro.cwd, launch: st.Launch}, nil
}

// marshalState encodes st, or returns nil when it holds nothing.
func marshalState(st state) ([]byte, error) {
	if st == (state{}) {
		return nil, nil
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("aider parser state: %w", err)
	}
	return b, nil
}

// cleanModel drops the "⚡" aider appends to models it considers fast and
// its "None" (no model), then is attribution.ModelName.
func cleanModel(m string) string {
	if m = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(m), "⚡")); m == "None" {
		m = ""
	}
	return attribution.ModelName(m)
}
