package goose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// parseLegacy reads a session file of Goose before sessions.db
// (<session id>.jsonl, rewritten whole on every save): its first line is the
// session's metadata (working_dir, description, the token counters), the
// other lines its messages, each with its creation time in epoch seconds.
// The session is one event, like a database row: the id is the file name
// (Goose imports these files into sessions.db under that id, so both give
// the same key), the time the newest message's (else mtime()), and the model
// unknown (the metadata has none). A file whose first line is not metadata
// carries no usage.
func parseLegacy(path string, data []byte, mtime func() time.Time, emit func(attribution.Event)) error {
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	var meta map[string]any
	if json.Unmarshal(first, &meta) != nil {
		return nil // not metadata: a message, or a line being written
	}
	if _, ok := meta["working_dir"]; !ok {
		return nil
	}
	c := counters{}
	for _, f := range []struct {
		name  string
		value *int64
	}{{"input", &c.input}, {"output", &c.output}, {"total", &c.total}} {
		v, ok, err := count(meta["accumulated_"+f.name+"_tokens"])
		if err != nil {
			return fmt.Errorf("goose session file (unknown version): accumulated_%s_tokens: %w", f.name, err)
		}
		if !ok {
			if v, ok, err = count(meta[f.name+"_tokens"]); err != nil {
				return fmt.Errorf("goose session file (unknown version): %s_tokens: %w", f.name, err)
			}
			c.partial = c.partial || ok
		}
		*f.value = v
	}
	u := c.usage()
	if u.IsZero() {
		return nil
	}
	at := newestMessage(rest)
	if at.IsZero() {
		at = mtime()
	}
	if at.IsZero() {
		return fmt.Errorf("goose session file (unknown version): no time")
	}
	id := strings.TrimSuffix(filepath.Base(path), ".jsonl")
	wd, _ := meta["working_dir"].(string)
	emit(attribution.Event{
		Agent:      attribution.AgentGoose,
		Session:    attribution.HashSession(attribution.AgentGoose, id),
		Key:        id,
		Model:      attribution.UnknownName,
		Time:       at,
		Cwd:        wd,
		Usage:      u,
		LowerBound: c.partial,
	})
	return nil
}

// newestMessage returns the latest "created" time of the message lines.
func newestMessage(lines []byte) time.Time {
	var newest time.Time
	for len(lines) > 0 {
		var line []byte
		line, lines, _ = bytes.Cut(lines, []byte("\n"))
		if !bytes.Contains(line, []byte(`"created"`)) {
			continue
		}
		var m struct {
			Created any `json:"created"`
		}
		if json.Unmarshal(line, &m) != nil {
			continue
		}
		if t, ok := parseTime(m.Created); ok && t.After(newest) {
			newest = t
		}
	}
	return newest
}
