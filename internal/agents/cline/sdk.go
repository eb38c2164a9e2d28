package cline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// Cline 4.1 and later (the extension and the CLI, both built on the Cline
// SDK) no longer write ui_messages.json. Each session is a folder
// <sessions>/<sessionId>/ holding:
//
//	<sessionId>.json            manifest: {session_id, provider, model, cwd, workspace_root, ...}
//	<sessionId>.messages.json   {version:1, sessionId, agent, messages:[...]} (or a bare array)
//	<agentId>.messages.json     one per subagent or teammate of the session
//
// Every file is rewritten whole. An assistant message's metrics
// {inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, cost} are
// the usage of the model call that produced it (the SDK stores the change of
// its running totals over the call); inputTokens is the whole prompt, cache
// reads and writes included (Cline apps/vscode/src/sdk/message-translator.ts).

// sdkSession is what a messages file needs from around it.
type sdkSession struct {
	dir, stem  string // the session folder's name and the file's stem
	cwd, model string // from the manifest
}

// sdkContext reads the manifest of the session folder holding the messages
// file at p.
func sdkContext(p string) sdkSession {
	dir := filepath.Dir(p)
	s := sdkSession{
		dir:  filepath.Base(dir),
		stem: strings.TrimSuffix(filepath.Base(p), sdkMessagesSuffix),
	}
	var manifest struct {
		Model         json.RawMessage `json:"model"`
		Cwd           json.RawMessage `json:"cwd"`
		WorkspaceRoot json.RawMessage `json:"workspace_root"`
	}
	if readSmallJSON(filepath.Join(dir, s.dir+sdkManifestSuffix), &manifest) {
		s.model, _ = jsonString(manifest.Model)
		cwd, _ := jsonString(manifest.Cwd)
		if s.cwd = cleanCwd(cwd); s.cwd == "" {
			root, _ := jsonString(manifest.WorkspaceRoot)
			s.cwd = cleanCwd(root)
		}
	}
	return s
}

// sdkMessage is one stored message, decoded leniently.
type sdkMessage struct {
	ID        json.RawMessage `json:"id"`
	Role      json.RawMessage `json:"role"`
	Ts        json.RawMessage `json:"ts"`
	ModelInfo json.RawMessage `json:"modelInfo"`
	Metrics   json.RawMessage `json:"metrics"`
	Metadata  json.RawMessage `json:"metadata"`
}

type sdkMetrics struct {
	InputTokens      json.RawMessage `json:"inputTokens"`
	OutputTokens     json.RawMessage `json:"outputTokens"`
	CacheReadTokens  json.RawMessage `json:"cacheReadTokens"`
	CacheWriteTokens json.RawMessage `json:"cacheWriteTokens"`
}

// parseSDKSession reads one SDK messages file and emits an event for every
// assistant message with metrics, keyed by session folder, file stem and
// message id. The event's session is the file's sessionId: the session's id,
// or for a subagent file the sub-session id "<sessionId>__<agentId>".
func parseSDKSession(data []byte, s sdkSession, emit func(attribution.Event)) error {
	var doc struct {
		SessionID json.RawMessage   `json:"sessionId"`
		Messages  []json.RawMessage `json:"messages"`
	}
	trimmed := bytes.TrimSpace(data)
	var err error
	if len(trimmed) > 0 && trimmed[0] == '[' {
		err = json.Unmarshal(trimmed, &doc.Messages) // an older bare array
	} else {
		err = json.Unmarshal(trimmed, &doc)
	}
	if err != nil {
		return fmt.Errorf("session messages: %w", err)
	}
	session, _ := jsonString(doc.SessionID)
	if strings.TrimSpace(session) == "" {
		session = s.dir
		if s.stem != s.dir {
			session = s.dir + "__" + s.stem // the SDK's own sub-session id
		}
	}
	p := &problems{}
	for _, raw := range doc.Messages {
		var m sdkMessage
		if json.Unmarshal(raw, &m) != nil || !isString(m.Role, "assistant") || isNull(m.Metrics) || displayOnly(m.Metadata) {
			continue
		}
		e, ok := sdkEvent(m, s, p)
		if !ok {
			continue
		}
		e.Session = attribution.HashSession(attribution.AgentCline, session)
		emit(e)
	}
	return p.err()
}

// sdkEvent turns one assistant message with metrics into an event.
func sdkEvent(m sdkMessage, s sdkSession, p *problems) (attribution.Event, bool) {
	var mt sdkMetrics
	if err := json.Unmarshal(m.Metrics, &mt); err != nil {
		p.add(m.Ts, "metrics is not an object: %v", err)
		return attribution.Event{}, false
	}
	var c counts
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *int64
	}{
		{"inputTokens", mt.InputTokens, &c.in},
		{"outputTokens", mt.OutputTokens, &c.out},
		{"cacheReadTokens", mt.CacheReadTokens, &c.cacheRead},
		{"cacheWriteTokens", mt.CacheWriteTokens, &c.cacheWrite},
	} {
		n, _, err := count(f.raw)
		if err != nil {
			p.add(m.Ts, "%s: %v", f.name, err)
			return attribution.Event{}, false
		}
		*f.dst = n
	}
	u := normalize(c, true)
	if u.IsZero() {
		return attribution.Event{}, false
	}
	id, _ := jsonString(m.ID)
	ts, err := millis(m.Ts)
	if err != nil || strings.TrimSpace(id) == "" {
		p.add(m.Ts, "assistant message without id or ts")
		return attribution.Event{}, false
	}
	model := ""
	if !isNull(m.ModelInfo) {
		var mi struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(m.ModelInfo, &mi) == nil {
			model, _ = jsonString(mi.ID)
		}
	}
	model = attribution.ModelName(model, s.model)
	return attribution.Event{
		Agent: attribution.AgentCline,
		Key:   "sdk:" + s.dir + "/" + s.stem + ":" + id,
		Model: model,
		Time:  time.UnixMilli(ts).UTC(),
		Cwd:   s.cwd,
		Usage: u,
	}, true
}

// displayOnly reports metadata.displayOnly: messages the SDK shows (error
// banners) that are not model calls.
func displayOnly(meta json.RawMessage) bool {
	if isNull(meta) {
		return false
	}
	var md struct {
		DisplayOnly json.RawMessage `json:"displayOnly"`
	}
	return json.Unmarshal(meta, &md) == nil && string(bytes.TrimSpace(md.DisplayOnly)) == "true"
}
