package opencode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Bounds of the legacy reader's look-ups.
const (
	// maxStepFile is the largest part file that may be a step-finish part
	// (they hold a few hundred bytes; tool parts can hold megabytes).
	maxStepFile = 64 << 10
	// maxScan bounds the files read when a message or session is not at the
	// path its id gives (files named otherwise than their id).
	maxScan = 2000
)

// storage reads OpenCode's legacy JSON files (storage/message/<session
// id>/<message id>.json and storage/part/<message id>/<part id>.json). It
// remembers sessions across files; the scanner's workers share it.
type storage struct {
	agent    string // the flavour's agent name
	mu       sync.Mutex
	sessions map[string]session // storage dir + "\x00" + session id
}

func newStorage(agent string) *storage {
	return &storage{agent: agent, sessions: map[string]session{}}
}

// storageRoot returns the storage directory of a message or part file.
func storageRoot(path string) string { return filepath.Dir(filepath.Dir(filepath.Dir(path))) }

// baseID returns a file's name without ".json": OpenCode names message and
// part files after their ids.
func baseID(path string) string { return strings.TrimSuffix(filepath.Base(path), ".json") }

// message handles a legacy message file: an assistant message with tokens
// and no step-finish part is one call. Messages with step-finish parts are
// counted by their parts.
func (s *storage) message(path string, data []byte, emit func(attribution.Event)) error {
	dir := storageRoot(path)
	info, err := parseMessage(data)
	if info.session == "" {
		info.session = filepath.Base(filepath.Dir(path))
	}
	ses, _ := s.session(dir, info.session)
	if err != nil {
		return fmt.Errorf("opencode storage (%s): %w", versionOr(ses.version), err)
	}
	if info.role == "user" || info.tokens == nil {
		return nil
	}
	u, err := info.tokens.usage(info.provider)
	if err != nil {
		return fmt.Errorf("opencode storage (%s): message: %w", versionOr(ses.version), err)
	}
	if u.IsZero() {
		return nil
	}
	base := baseID(path)
	if info.id == "" {
		info.id = base
	}
	if hasStepFiles(dir, info.id, base) {
		return nil
	}
	c := call{agent: s.agent, key: messageKey + info.id, session: info.session, msg: info, ses: ses, usage: u}
	if e, ok := c.event(); ok {
		emit(e)
	}
	return nil
}

// part handles a legacy part file: a step-finish part is one call, with the
// model, working directory and time of its message.
func (s *storage) part(path string, data []byte, emit func(attribution.Event)) error {
	if !bytes.Contains(data, []byte("step-finish")) {
		return nil
	}
	dir := storageRoot(path)
	parent := filepath.Base(filepath.Dir(path))
	p, ok, err := parseStep(data)
	if err != nil {
		ver := "unknown version"
		if msg, found := s.findMessage(dir, p.SessionID, parent); found {
			ses, _ := s.session(dir, msg.session)
			ver = versionOr(ses.version)
		}
		return fmt.Errorf("opencode storage (%s): %w", ver, err)
	}
	if !ok {
		return nil
	}
	mid := p.MessageID
	if mid == "" {
		mid = parent
	}
	if mid != parent {
		// Not in its message's part directory, where the message reader
		// looks for step-finish parts: counting it could count the call twice.
		return nil
	}
	msg, found := s.findMessage(dir, p.SessionID, mid)
	if !found {
		return fmt.Errorf("opencode storage: message %s of step-finish part not found", mid)
	}
	ses, _ := s.session(dir, msg.session)
	u, err := p.Tokens.usage(msg.provider)
	if err != nil {
		return fmt.Errorf("opencode storage (%s): %w", versionOr(ses.version), err)
	}
	id := p.ID
	if id == "" {
		id = baseID(path)
	}
	c := call{agent: s.agent, key: partKey + id, session: msg.session, msg: msg, ses: ses, usage: u}
	if e, ok := c.event(); ok {
		emit(e)
	}
	return nil
}

// hasStepFiles reports whether a message's part directory (named after its
// id, or after its file name where the two differ) holds a step-finish part.
func hasStepFiles(dir string, ids ...string) bool {
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] || !safeName(id) {
			continue
		}
		seen[id] = true
		entries, err := os.ReadDir(filepath.Join(dir, "part", id))
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".json") {
				continue
			}
			data, err := tail.ReadSmall(filepath.Join(dir, "part", id, e.Name()), maxStepFile)
			if err != nil || !bytes.Contains(data, []byte("step-finish")) {
				continue
			}
			if _, ok, err := parseStep(data); ok || err != nil {
				return true
			}
		}
	}
	return false
}

// findMessage finds and decodes a message file: storage/message/<session
// id>/<message id>.json, in any session directory when the session is not
// known, else (files not named after their ids) by reading a bounded number
// of message files.
func (s *storage) findMessage(dir, sid, mid string) (messageInfo, bool) {
	if !safeName(mid) || (sid != "" && !safeName(sid)) {
		return messageInfo{}, false
	}
	var candidates []string
	if sid != "" {
		candidates = append(candidates, filepath.Join(dir, "message", sid, mid+".json"))
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "message", "*", mid+".json")); len(m) > 0 {
		candidates = append(candidates, m...)
	}
	for _, c := range candidates {
		if info, ok := readMessage(c); ok {
			return info, true
		}
	}
	pattern := filepath.Join(dir, "message", "*", "*.json")
	if sid != "" {
		pattern = filepath.Join(dir, "message", sid, "*.json")
	}
	files, _ := filepath.Glob(pattern)
	for i, f := range files {
		if i >= maxScan {
			break
		}
		if info, ok := readMessage(f); ok && info.id == mid {
			return info, true
		}
	}
	return messageInfo{}, false
}

// readMessage decodes a message file, filling its id and session from its
// path when the data lacks them.
func readMessage(path string) (messageInfo, bool) {
	data, err := tail.ReadSmall(path, maxStepFile)
	if err != nil {
		return messageInfo{}, false
	}
	info, err := parseMessage(data)
	var typeErr *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &typeErr) {
		return messageInfo{}, false
	}
	if info.id == "" {
		info.id = baseID(path)
	}
	if info.session == "" {
		info.session = filepath.Base(filepath.Dir(path))
	}
	return info, true
}

// session returns what the reader uses of a session file
// (storage/session/<project id>/<session id>.json).
func (s *storage) session(dir, sid string) (session, bool) {
	if sid == "" || !safeName(sid) {
		return session{}, false
	}
	key := dir + "\x00" + sid
	s.mu.Lock()
	ses, ok := s.sessions[key]
	s.mu.Unlock()
	if ok {
		return ses, true
	}
	ses, ok = findSession(dir, sid)
	if !ok {
		return session{}, false // not remembered: it may appear later
	}
	s.mu.Lock()
	if len(s.sessions) >= maxCached {
		clear(s.sessions)
	}
	s.sessions[key] = ses
	s.mu.Unlock()
	return ses, true
}

// findSession reads a session file, found by name or, failing that, by id
// among a bounded number of session files.
func findSession(dir, sid string) (session, bool) {
	named, _ := filepath.Glob(filepath.Join(dir, "session", "*", sid+".json"))
	for _, f := range named {
		if ses, _, ok := readSession(f); ok {
			return ses, true
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "session", "*", "*.json"))
	for i, f := range files {
		if i >= maxScan {
			break
		}
		if ses, id, ok := readSession(f); ok && id == sid {
			return ses, true
		}
	}
	return session{}, false
}

// readSession decodes a session file and returns its id.
func readSession(path string) (session, string, bool) {
	data, err := tail.ReadSmall(path, maxStepFile)
	if err != nil {
		return session{}, "", false
	}
	var v struct {
		ID        json.RawMessage `json:"id"`
		Directory json.RawMessage `json:"directory"`
		Version   json.RawMessage `json:"version"`
		Time      struct {
			Created json.RawMessage `json:"created"`
		} `json:"time"`
	}
	if json.Unmarshal(data, &v) != nil {
		return session{}, "", false
	}
	id := jsonString(v.ID)
	if id == "" {
		id = baseID(path)
	}
	return session{directory: jsonString(v.Directory), created: millis(v.Time.Created), version: jsonString(v.Version)}, id, true
}

// safeName reports whether an id can be used as a file name and in a glob
// pattern.
func safeName(id string) bool {
	return id != "" && id != "." && id != ".." && !strings.ContainsAny(id, `/\*?[]`) && !strings.ContainsRune(id, 0)
}
