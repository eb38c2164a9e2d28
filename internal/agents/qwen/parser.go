package qwen

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/gemini"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
	"github.com/tokenyield/tokenyield/internal/jsonfast"
)

// The fields of a record read by the parser.
const (
	fType = iota
	fUUID
	fSession
	fForkedFrom
	fTime
	fCwd
	fModel
	fUsage
	fPrompt
	fCandidates
	fCached
	fThoughts
	fTool
	fTotal
	nFields
)

var paths = [nFields]string{
	fType:       "type",
	fUUID:       "uuid",
	fSession:    "sessionId",
	fForkedFrom: "forkedFrom.sessionId",
	fTime:       "timestamp",
	fCwd:        "cwd",
	fModel:      "model",
	fUsage:      "usageMetadata",
	fPrompt:     "usageMetadata.promptTokenCount",
	fCandidates: "usageMetadata.candidatesTokenCount",
	fCached:     "usageMetadata.cachedContentTokenCount",
	fThoughts:   "usageMetadata.thoughtsTokenCount",
	fTool:       "usageMetadata.toolUsePromptTokenCount",
	fTotal:      "usageMetadata.totalTokenCount",
}

var fields = jsonfast.MustCompile(paths[:]...)

// usageMarker is the prefilter: a line without it carries no usage.
var usageMarker = []byte(`"usageMetadata"`)

// Errors for records that should carry usage but cannot be used.
var (
	errBadJSON  = errors.New("malformed JSON")
	errBadField = errors.New("field of the wrong type")
)

// parser reads one transcript. Every record stands alone, so it keeps no
// state, only the file's fallbacks and caches of repeated strings.
type parser struct {
	fallback string // session of records that name none
	model    string // a subagent's model (sidecar), "" elsewhere

	sessRaw, sess string // last raw session id and its hash
}

var _ tail.Parser = (*parser)(nil)

func newParser(path string) *parser {
	return &parser{fallback: fileSession(path), model: sidecarModel(path)}
}

// State is nil: no record depends on an earlier one.
func (p *parser) State() ([]byte, error) { return nil, nil }

// Line parses one transcript record.
func (p *parser) Line(line []byte, emit func(attribution.Event)) error {
	if !bytes.Contains(line, usageMarker) {
		return nil
	}
	var v [nFields]jsonfast.Value
	if err := fields.Extract(line, v[:]); err != nil {
		return fmt.Errorf("qwen-code: %w: %w", errBadJSON, err)
	}
	typ, err := text(v[fType])
	if err != nil {
		return fmt.Errorf("qwen-code: type: %w", err)
	}
	if typ != "assistant" {
		return nil // ui_telemetry copies and other records are not counted
	}
	switch v[fUsage].Kind() {
	case jsonfast.Object:
	case jsonfast.Missing, jsonfast.Null:
		return nil
	default:
		return fmt.Errorf("qwen-code: usageMetadata: %w", errBadField)
	}
	c, err := readCounts(v[:])
	if err != nil {
		return err
	}
	u, err := c.Usage()
	if err != nil {
		return fmt.Errorf("qwen-code: %w", err)
	}
	if u.IsZero() {
		return nil // written before the response completed, or empty
	}
	ts, err := text(v[fTime])
	if err != nil {
		return fmt.Errorf("qwen-code: timestamp: %w", err)
	}
	t, err := gemini.ParseTime(ts)
	if err != nil {
		return fmt.Errorf("qwen-code: %w", err)
	}
	session, err := p.session(v[fForkedFrom], v[fSession])
	if err != nil {
		return err
	}
	key, err := text(v[fUUID])
	if err != nil {
		return fmt.Errorf("qwen-code: uuid: %w", err)
	}
	if key == "" {
		key = session + "/" + ts
	}
	model, err := text(v[fModel])
	if err != nil {
		return fmt.Errorf("qwen-code: model: %w", err)
	}
	model = attribution.ModelName(model, p.model)
	cwd, err := text(v[fCwd])
	if err != nil {
		return fmt.Errorf("qwen-code: cwd: %w", err)
	}
	if !tail.IsAbsAnyOS(cwd) {
		cwd = ""
	}
	emit(attribution.Event{
		Agent:   attribution.AgentQwenCode,
		Session: p.sess,
		Key:     key,
		Model:   model,
		Time:    t,
		Cwd:     cwd,
		Usage:   u,
	})
	return nil
}

// readCounts reads usageMetadata (Gemini's counts: see gemini.CountsOf).
func readCounts(v []jsonfast.Value) (counts, error) {
	c, err := gemini.CountsOf(v[fPrompt], v[fCandidates], v[fCached], v[fThoughts], v[fTool], v[fTotal])
	if err != nil {
		return counts{}, fmt.Errorf("qwen-code: %w", err)
	}
	return c, nil
}

// session returns the raw session the record belongs to (the origin of a
// /branch copy, else its own, else the file's) and keeps its hash in p.sess.
func (p *parser) session(forked, own jsonfast.Value) (string, error) {
	s, err := text(forked)
	if err != nil {
		return "", fmt.Errorf("qwen-code: forkedFrom.sessionId: %w", err)
	}
	if s == "" {
		if s, err = text(own); err != nil {
			return "", fmt.Errorf("qwen-code: sessionId: %w", err)
		}
	}
	if s == "" {
		s = p.fallback
	}
	if p.sess == "" || s != p.sessRaw {
		p.sessRaw, p.sess = s, attribution.HashSession(attribution.AgentQwenCode, s)
	}
	return s, nil
}

// text decodes a string field; missing and null read as "".
func text(v jsonfast.Value) (string, error) {
	switch v.Kind() {
	case jsonfast.Missing, jsonfast.Null:
		return "", nil
	case jsonfast.String:
	default:
		return "", errBadField
	}
	if raw, err := v.StringRaw(); err == nil && bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw), nil // nothing to decode
	}
	b, err := v.AppendString(nil)
	return string(b), err
}
