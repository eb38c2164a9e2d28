package gemini

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
	"github.com/tokenyield/tokenyield/internal/jsonfast"
)

// The fields of one message record, relative to the record.
const (
	mID = iota
	mType
	mModel
	mTime
	mTokens
	mInput
	mOutput
	mCached
	mThoughts
	mTool
	mTotal
	msgFields
)

var msgPaths = [msgFields]string{
	mID:       "id",
	mType:     "type",
	mModel:    "model",
	mTime:     "timestamp",
	mTokens:   "tokens",
	mInput:    "tokens.input",
	mOutput:   "tokens.output",
	mCached:   "tokens.cached",
	mThoughts: "tokens.thoughts",
	mTool:     "tokens.tool",
	mTotal:    "tokens.total",
}

// Line-level fields of a JSONL line: metadata, "$set" updates, then the
// message group (a message line is a message record).
const (
	lSession = iota
	lHash
	lStart
	lMessages
	lSetSession
	lSetHash
	lSetStart
	lSetMessages
	lMessage
	lineFields = lMessage + msgFields
)

var (
	messageFields = jsonfast.MustCompile(msgPaths[:]...)
	lineFieldSet  = func() *jsonfast.Fields {
		paths := make([]string, lineFields)
		paths[lSession] = "sessionId"
		paths[lHash] = "projectHash"
		paths[lStart] = "startTime"
		paths[lMessages] = "messages"
		paths[lSetSession] = "$set.sessionId"
		paths[lSetHash] = "$set.projectHash"
		paths[lSetStart] = "$set.startTime"
		paths[lSetMessages] = "$set.messages"
		for i, p := range msgPaths {
			paths[lMessage+i] = p
		}
		return jsonfast.MustCompile(paths...)
	}()
)

// Markers of the lines worth decoding: usage, or session metadata.
var (
	tokensMarker  = []byte(`"tokens"`)
	sessionMarker = []byte(`"sessionId"`)
)

// Errors for records that should carry usage but cannot be used.
var (
	errBadJSON  = errors.New("malformed JSON")
	errBadField = errors.New("field of the wrong type")
	errNoID     = errors.New("message with tokens but no id")
)

// state is what a parser remembers across lines, and across reads of a
// growing file.
type state struct {
	Session string `json:"s,omitempty"` // the first metadata sessionId
	Hash    string `json:"h,omitempty"` // its projectHash
	Start   string `json:"t,omitempty"` // its startTime: time of messages without one
	Model   string `json:"m,omitempty"` // last model named: model of messages without one
}

// parser reads one session file: the JSONL lines of a .jsonl file, or the
// messages of a legacy document (see parseDocument).
type parser struct {
	projects *projects
	dir      string // the project directory
	fallback string // session id when the file has no metadata
	st       state

	sessRaw string // raw session id of the events so far
	sess    string // its hash
	cwd     string
	cwdDone bool
}

var _ tail.Parser = (*parser)(nil)

func newParser(pr *projects, path string, saved []byte) (*parser, error) {
	p := &parser{projects: pr, dir: projectDir(path), fallback: fileSession(path)}
	if len(saved) > 0 {
		if err := json.Unmarshal(saved, &p.st); err != nil {
			return nil, fmt.Errorf("gemini-cli parser state: %w", err)
		}
	}
	return p, nil
}

// State returns the JSON-encoded state, nil when there is none.
func (p *parser) State() ([]byte, error) {
	if p.st == (state{}) {
		return nil, nil
	}
	return json.Marshal(&p.st)
}

// Line parses one JSONL line.
func (p *parser) Line(line []byte, emit func(attribution.Event)) error {
	if !bytes.Contains(line, tokensMarker) && !bytes.Contains(line, sessionMarker) {
		return nil
	}
	var v [lineFields]jsonfast.Value
	if err := lineFieldSet.Extract(line, v[:]); err != nil {
		return fmt.Errorf("gemini-cli: %w: %w", errBadJSON, err)
	}
	// Metadata: the first line, or a legacy record written on one line;
	// "$set" updates may carry the same fields.
	if err := p.metadata(v[lSession], v[lHash], v[lStart]); err != nil {
		return err
	}
	if err := p.metadata(v[lSetSession], v[lSetHash], v[lSetStart]); err != nil {
		return err
	}
	var errs []error
	for _, list := range []jsonfast.Value{v[lMessages], v[lSetMessages]} {
		if list.Kind() == jsonfast.Array {
			errs = append(errs, p.messages(list.Raw(), emit))
		}
	}
	if v[lMessage+mID].Exists() || v[lMessage+mTokens].Exists() {
		errs = append(errs, p.message(v[lMessage:lMessage+msgFields], emit))
	}
	return errors.Join(errs...)
}

// metadata records the session fields of a metadata record; the first
// values seen win, so that every copy of a message gets the same key.
func (p *parser) metadata(session, hash, start jsonfast.Value) error {
	for _, f := range []struct {
		v   jsonfast.Value
		dst *string
	}{{session, &p.st.Session}, {hash, &p.st.Hash}, {start, &p.st.Start}} {
		if *f.dst != "" || !f.v.Exists() || f.v.IsNull() {
			continue
		}
		s, err := p.text(f.v)
		if err != nil {
			return fmt.Errorf("gemini-cli: metadata: %w", err)
		}
		*f.dst = s
	}
	return nil
}

// messages parses a JSON array of message records (a checkpoint's, or a
// legacy record's). Every usable message is emitted; the error reports the
// others.
func (p *parser) messages(raw []byte, emit func(attribution.Event)) error {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return fmt.Errorf("gemini-cli: messages: %w: %w", errBadJSON, err)
	}
	bad := 0
	var first error
	for _, m := range list {
		var v [msgFields]jsonfast.Value
		err := messageFields.Extract(m, v[:])
		if err == nil && v[mID].Kind() == jsonfast.Missing && v[mTokens].Kind() == jsonfast.Missing {
			continue // not a message record
		}
		if err != nil {
			err = fmt.Errorf("gemini-cli: %w: %w", errBadJSON, err)
		} else {
			err = p.message(v[:], emit)
		}
		if err != nil {
			if bad == 0 {
				first = err
			}
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d messages unusable, first: %w", bad, len(list), first)
	}
	return nil
}

// message emits the usage of one message record, if it has any.
func (p *parser) message(m []jsonfast.Value, emit func(attribution.Event)) error {
	typ, err := p.text(m[mType])
	if err != nil {
		return fmt.Errorf("gemini-cli: type: %w", err)
	}
	model, err := p.text(m[mModel])
	if err != nil {
		return fmt.Errorf("gemini-cli: model: %w", err)
	}
	if strings.TrimSpace(model) != "" && typ == "gemini" {
		p.st.Model = attribution.ModelName(model)
	}
	if typ != "gemini" {
		return nil // only model responses carry tokens
	}
	switch m[mTokens].Kind() {
	case jsonfast.Object:
	case jsonfast.Missing, jsonfast.Null:
		return nil // tokens not arrived yet (or queued for the next message)
	default:
		return fmt.Errorf("gemini-cli: tokens: %w", errBadField)
	}
	c, err := readCounts(m)
	if err != nil {
		return err
	}
	u, err := c.Usage()
	if err != nil {
		return fmt.Errorf("gemini-cli: %w", err)
	}
	if u.IsZero() {
		return nil
	}
	id, err := p.text(m[mID])
	if err != nil || id == "" {
		return fmt.Errorf("gemini-cli: %w", errNoID)
	}
	ts, err := p.text(m[mTime])
	if err != nil {
		return fmt.Errorf("gemini-cli: timestamp: %w", err)
	}
	if ts == "" {
		ts = p.st.Start
	}
	t, err := ParseTime(ts)
	if err != nil {
		return fmt.Errorf("gemini-cli: %w", err)
	}
	model = attribution.ModelName(model, p.st.Model)
	session := p.session()
	emit(attribution.Event{
		Agent:   attribution.AgentGeminiCLI,
		Session: p.sess,
		Key:     session + "/" + id,
		Model:   model,
		Time:    t,
		Cwd:     p.workdir(),
		Usage:   u,
	})
	return nil
}

// readCounts reads the tokens object of message m.
func readCounts(m []jsonfast.Value) (Counts, error) {
	c, err := CountsOf(m[mInput], m[mOutput], m[mCached], m[mThoughts], m[mTool], m[mTotal])
	if err != nil {
		return Counts{}, fmt.Errorf("gemini-cli: %w", err)
	}
	return c, nil
}

// session returns the raw session id of the file's events and keeps its
// hash in p.sess.
func (p *parser) session() string {
	s := p.st.Session
	if s == "" {
		s = p.fallback
	}
	if p.sess == "" || p.sessRaw != s {
		p.sessRaw, p.sess = s, attribution.HashSession(attribution.AgentGeminiCLI, s)
	}
	return s
}

// workdir returns the project root of the file, resolved once per parser.
func (p *parser) workdir() string {
	if !p.cwdDone {
		p.cwd = p.projects.root(p.dir, p.st.Hash)
		p.cwdDone = true
	}
	return p.cwd
}

// text decodes a string field; missing and null read as "".
func (p *parser) text(v jsonfast.Value) (string, error) {
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
