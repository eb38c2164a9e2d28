package gemini

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tokenyield/tokenyield/attribution"
)

var errNotConversation = errors.New("not a Gemini CLI conversation record (no sessionId, no messages)")

// document is the legacy session-*.json: one ConversationRecord.
type document struct {
	SessionID   string          `json:"sessionId"`
	ProjectHash string          `json:"projectHash"`
	StartTime   string          `json:"startTime"`
	Messages    json.RawMessage `json:"messages"`
}

// parseDocument emits the usage of every message of a legacy document at
// path. tail.ReadWhole calls it each time the file changed; the events'
// keys are those of the same messages in a .jsonl, so re-reads and
// migrated copies count once.
func parseDocument(pr *projects, path string, data []byte, emit func(attribution.Event)) error {
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] != '{' {
		return fmt.Errorf("gemini-cli: %w", errNotConversation) // e.g. an array
	}
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("gemini-cli: %w: %w", errBadJSON, err)
	}
	hasMessages := len(doc.Messages) > 0 && string(doc.Messages) != "null"
	if doc.SessionID == "" && !hasMessages {
		return fmt.Errorf("gemini-cli: %w", errNotConversation)
	}
	p, err := newParser(pr, path, nil)
	if err != nil {
		return err
	}
	p.st = state{Session: doc.SessionID, Hash: doc.ProjectHash, Start: doc.StartTime}
	if !hasMessages {
		return nil // a session that recorded nothing yet
	}
	return p.messages(doc.Messages, emit)
}
