package codex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// defaultModel is the model assumed when a rollout names none (early
// September 2025 builds), as ccusage does.
const defaultModel = "gpt-5"

// maxPending bounds how many token_count deltas are remembered for the
// hand-over to token_usage_record (see the package documentation).
const maxPending = 4

// Which usage kind a file counts; the first one seen wins, except that
// token_usage_record always takes over.
const (
	modeNone    uint8 = iota
	modeDeltas        // token_count deltas
	modeLegacy        // turn.completed records
	modeRecords       // token_usage_record
)

// state is everything a Parser needs to resume after its last line. It is
// JSON-encoded into the tail cursor, so it stays small: a few strings, two
// vectors and at most maxPending short vectors.
type state struct {
	// Thread is the file's own thread id, fixed by the first session_meta or,
	// when usage comes first, by the file name.
	Thread string `json:"thread,omitempty"`
	// Model and Cwd are the current turn's model and working directory.
	Model string `json:"model,omitempty"`
	Cwd   string `json:"cwd,omitempty"`
	// Meta is set once the first session_meta was handled.
	Meta bool `json:"meta,omitempty"`
	// Replay is set while a fork's or subagent's copied history is read:
	// usage only moves the baseline (Prev).
	Replay bool `json:"replay,omitempty"`
	// ThreadMS and StartMS are the thread's creation time, from its UUIDv7
	// id and from session_meta (Unix ms); HistOrd is
	// session_meta.subagent_history_start_ordinal. They decide which turn ends
	// the replay.
	ThreadMS int64  `json:"thread_ms,omitempty"`
	StartMS  int64  `json:"start_ms,omitempty"`
	HistOrd  *int64 `json:"hist_ord,omitempty"`
	// Mode is the usage kind this file counts (modeNone…modeRecords).
	Mode uint8 `json:"mode,omitempty"`
	// Prev is the last cumulative total_token_usage (the baseline after a
	// replay).
	Prev vec `json:"prev"`
	// LastOnly is the last last_token_usage of a token_count without totals,
	// to skip its re-emits.
	LastOnly *vec `json:"last_only,omitempty"`
	// Keyed, KeyTot and Epoch make token_count keys unique: Epoch grows when
	// the cumulative total is reset or does not grow.
	Keyed  bool  `json:"keyed,omitempty"`
	KeyTot int64 `json:"key_tot,omitempty"`
	Epoch  int   `json:"epoch,omitempty"`
	// Pending holds the last token_count deltas emitted before the file's
	// first token_usage_record, to recognise a record of the same response.
	Pending []vec `json:"pending,omitempty"`
	// Legacy counts the turn.completed records counted.
	Legacy int64 `json:"legacy,omitempty"`
	// LastMS is the last timestamp seen (Unix ms), used for records without
	// one.
	LastMS int64 `json:"last_ms,omitempty"`
}

// Parser turns the lines of one Codex rollout into usage events. It
// implements tail.Parser; create it with NewParser.
type Parser struct {
	st       state
	fallback string // thread id from the file name
	session  string // HashSession of st.Thread
}

// NewParser starts parsing the rollout at path. state is nil for a read
// from the beginning of the file, or what State returned after the last
// line parsed.
func NewParser(path string, state []byte) (*Parser, error) {
	p := &Parser{fallback: fallbackThread(path)}
	if len(state) > 0 {
		if err := json.Unmarshal(state, &p.st); err != nil {
			return nil, fmt.Errorf("codex parser state: %w", err)
		}
	}
	p.session = attribution.HashSession(attribution.AgentCodex, p.st.Thread)
	return p, nil
}

// State returns the JSON-encoded resumable state after the last line.
func (p *Parser) State() ([]byte, error) { return json.Marshal(&p.st) }

// Markers that select the lines worth decoding.
var (
	usageMarkers = [][]byte{
		[]byte(`"token_count"`),
		[]byte(`"token_usage_record"`),
		[]byte(`"turn.completed"`),
	}
	contextMarkers = [][]byte{
		[]byte(`"session_meta"`),
		[]byte(`"turn_context"`),
		[]byte(`"task_started"`),
		[]byte(`"thread.started"`),
		[]byte(`"thread_settings_applied"`),
	}
	typeKey = []byte(`"type":"`)
	// Top-level types whose lines never carry usage and can be large.
	bulkTypes = [][]byte{[]byte(`response_item"`), []byte(`compacted"`)}
)

// sniff classifies a line without decoding it: usage reports a line that
// may carry usage, context one that may carry thread, model or cwd.
func sniff(line []byte) (usage, context bool) {
	// Codex writes the top-level "type" before "payload": when the first
	// "type" is a bulk kind, the line is irrelevant however large it is.
	if i := bytes.Index(line, typeKey); i >= 0 {
		rest := line[i+len(typeKey):]
		for _, b := range bulkTypes {
			if bytes.HasPrefix(rest, b) {
				return false, false
			}
		}
	}
	for _, m := range usageMarkers {
		if bytes.Contains(line, m) {
			return true, true
		}
	}
	for _, m := range contextMarkers {
		if bytes.Contains(line, m) {
			return false, true
		}
	}
	return false, false
}

// wire is one rollout line, decoded in a single pass. Every field that is
// not a token count is a json.RawMessage, so that an unexpected type in an
// irrelevant field cannot fail the decoding, and large fields
// (base_instructions, user_instructions, rate_limits…) are skipped without
// being kept. Usage and ThreadID are the top-level fields of saved `codex
// exec --json` output.
type wire struct {
	Timestamp json.RawMessage `json:"timestamp"`
	Type      string          `json:"type"`
	Ordinal   json.RawMessage `json:"ordinal"`
	Usage     *tokenUsage     `json:"usage"`
	ThreadID  json.RawMessage `json:"thread_id"`
	Payload   payload         `json:"payload"`
}

// payload is the union of the payload fields the parser reads.
type payload struct {
	Type string `json:"type"`
	// session_meta
	ID           json.RawMessage `json:"id"`
	ForkedFromID json.RawMessage `json:"forked_from_id"`
	ParentThread json.RawMessage `json:"parent_thread_id"`
	Source       json.RawMessage `json:"source"`
	Timestamp    json.RawMessage `json:"timestamp"`
	Cwd          json.RawMessage `json:"cwd"`
	HistoryStart json.RawMessage `json:"subagent_history_start_ordinal"`
	// turn_context, task_started, thread_settings_applied
	TurnID         json.RawMessage `json:"turn_id"`
	Model          json.RawMessage `json:"model"`
	ThreadSettings *struct {
		Cwd   json.RawMessage `json:"cwd"`
		Model json.RawMessage `json:"model"`
	} `json:"thread_settings"`
	// token_count
	Info *tokenInfo `json:"info"`
	// token_usage_record and legacy turn.completed
	ThreadID   json.RawMessage `json:"thread_id"`
	ResponseID json.RawMessage `json:"response_id"`
	Usage      *tokenUsage     `json:"usage"`
}

type tokenInfo struct {
	Total *tokenUsage     `json:"total_token_usage"`
	Last  *tokenUsage     `json:"last_token_usage"`
	Model json.RawMessage `json:"model"`
}

// line is a decoded line with its resolved time.
type line struct {
	wire
	time  time.Time
	hasTS bool
}

// errMalformed marks usage lines that could not be used.
var errMalformed = errors.New("codex: malformed usage record")

func malformed(what string, err error) error {
	if err == nil {
		return fmt.Errorf("%w: %s", errMalformed, what)
	}
	return fmt.Errorf("%w: %s: %w", errMalformed, what, err)
}

// Line handles one rollout line. It returns an error only for a line that
// should have carried usage and could not be used (invalid JSON, a count
// that is not a non-negative integer up to attribution.MaxTokensPerEvent, a
// record without its usage); other lines, including unknown kinds, are
// ignored.
func (p *Parser) Line(raw []byte, emit func(attribution.Event)) error {
	usage, context := sniff(raw)
	if !usage && !context {
		return nil
	}
	var l line
	if err := json.Unmarshal(raw, &l.wire); err != nil {
		if usage {
			return malformed("line", err)
		}
		return nil
	}
	if l.time, l.hasTS = parseTime(l.Timestamp); l.hasTS {
		p.st.LastMS = l.time.UnixMilli()
	}
	switch l.Type {
	case "session_meta":
		p.sessionMeta(&l)
	case "turn_context":
		p.setModelCwd(l.Payload.Model, l.Payload.Cwd)
		p.turnStarts(&l)
	case "event_msg":
		switch l.Payload.Type {
		case "token_count":
			return p.tokenCount(&l, emit)
		case "turn.completed":
			return p.legacy(&l, l.Payload.Usage, emit)
		case "task_started":
			p.turnStarts(&l)
		case "thread_settings_applied":
			if s := l.Payload.ThreadSettings; s != nil {
				p.setModelCwd(s.Model, s.Cwd)
			}
		}
	case "token_usage_record":
		return p.record(&l, emit)
	case "turn.completed":
		return p.legacy(&l, l.Usage, emit)
	case "thread.started":
		if p.st.Thread == "" {
			p.setThread(str(l.ThreadID))
		}
	}
	return nil
}

func (p *Parser) setThread(id string) {
	if id == "" {
		return
	}
	p.st.Thread = id
	p.session = attribution.HashSession(attribution.AgentCodex, id)
}

// thread returns the file's thread id, fixing it from the file name when no
// session_meta came first.
func (p *Parser) thread() string {
	if p.st.Thread == "" {
		p.setThread(p.fallback)
	}
	return p.st.Thread
}

func (p *Parser) setModelCwd(model, cwd json.RawMessage) {
	if m := str(model); m != "" {
		p.st.Model = m
	}
	if d := str(cwd); d != "" {
		p.st.Cwd = d
	}
}

// sessionMeta handles the first session_meta; later ones (a subagent file
// repeats its parent's, resumed files may repeat their own) are ignored.
func (p *Parser) sessionMeta(l *line) {
	if p.st.Meta {
		return
	}
	m := &l.Payload
	p.st.Meta = true
	if p.st.Thread == "" {
		p.setThread(str(m.ID))
	}
	if p.st.Cwd == "" {
		p.st.Cwd = str(m.Cwd)
	}
	if p.st.Mode == modeNone && (str(m.ForkedFromID) != "" || str(m.ParentThread) != "" || isSubagent(m.Source)) {
		p.st.Replay = true
	}
	if ms, ok := uuidV7Millis(p.thread()); ok {
		p.st.ThreadMS = ms
	}
	if t, ok := parseTime(m.Timestamp); ok {
		p.st.StartMS = t.UnixMilli()
	} else if p.st.ThreadMS != 0 {
		p.st.StartMS = p.st.ThreadMS
	} else if l.hasTS {
		p.st.StartMS = l.time.UnixMilli()
	}
	if v, ok := integer(m.HistoryStart); ok {
		p.st.HistOrd = &v
	}
}

// isSubagent reports a session_meta source naming a subagent:
// {"subagent": …} or the bare string "subagent".
func isSubagent(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	if raw[0] == '"' {
		return str(raw) == "subagent"
	}
	if raw[0] != '{' {
		return false
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return false
	}
	_, ok := obj["subagent"]
	return ok
}

// turnStarts ends a replay when the turn belongs to this thread.
func (p *Parser) turnStarts(l *line) {
	if p.st.Replay && p.ownTurn(l, str(l.Payload.TurnID)) {
		p.st.Replay = false
	}
}

// ownTurn decides whether a turn_context or task_started line is the
// thread's own rather than copied from its parent.
func (p *Parser) ownTurn(l *line, turnID string) bool {
	if p.st.HistOrd != nil {
		if ord, ok := integer(l.Ordinal); ok {
			return ord >= *p.st.HistOrd
		}
	}
	if ms, ok := uuidV7Millis(turnID); ok && p.st.ThreadMS != 0 {
		return ms >= p.st.ThreadMS
	}
	if l.hasTS && p.st.StartMS != 0 {
		return l.time.UnixMilli() >= p.st.StartMS
	}
	return true
}

// tokenCount applies the cumulative-delta rule to one token_count event.
func (p *Parser) tokenCount(l *line, emit func(attribution.Event)) error {
	info := l.Payload.Info
	if info == nil {
		return nil // info:null, a rate-limit refresh only
	}
	var cur vec
	switch {
	case info.Total != nil:
		cur = info.Total.vec()
	case info.Last != nil:
		// Builds that log only the per-call vector: rebuild the cumulative
		// total, skipping a repeat of the previous vector (a re-emit).
		last := info.Last.vec()
		if p.st.LastOnly != nil && p.st.LastOnly.sameParts(last) {
			return nil
		}
		p.st.LastOnly = &last
		cur = p.st.Prev.plus(last)
	default:
		return malformed("token_count without usage", nil)
	}
	if p.st.Replay {
		p.st.Prev = cur // copied history: only move the baseline
		return nil
	}
	var delta vec
	reset := false
	switch {
	case cur.sameParts(p.st.Prev):
		return nil // re-emit: the total did not advance
	case cur.covers(p.st.Prev):
		delta = cur.minus(p.st.Prev)
	default:
		// The total went backwards: a counter reset.
		reset = true
		if info.Last != nil {
			delta = info.Last.vec()
		} else {
			delta = cur
		}
	}
	p.st.Prev = cur
	if reset || (p.st.Keyed && cur.Tot <= p.st.KeyTot) {
		p.st.Epoch++
	}
	p.st.Keyed, p.st.KeyTot = true, cur.Tot
	switch p.st.Mode {
	case modeNone:
		p.st.Mode = modeDeltas
	case modeDeltas:
	default:
		return nil // legacy records or token_usage_record are counted instead
	}
	u := delta.usage()
	if u.IsZero() {
		return nil
	}
	if len(p.st.Pending) == maxPending {
		p.st.Pending = append(p.st.Pending[:0], p.st.Pending[1:]...)
	}
	p.st.Pending = append(p.st.Pending, delta)
	key := p.thread() + ":" + strconv.FormatInt(cur.Tot, 10)
	if p.st.Epoch > 0 {
		key = p.thread() + ":e" + strconv.Itoa(p.st.Epoch) + ":" + strconv.FormatInt(cur.Tot, 10)
	}
	return p.event(l, emit, key, u, str(info.Model), str(l.Payload.Model))
}

// record handles a token_usage_record: one model response.
func (p *Parser) record(l *line, emit func(attribution.Event)) error {
	r := &l.Payload
	if r.Usage == nil {
		return malformed("token_usage_record without usage", nil)
	}
	v := r.Usage.vec()
	resp := str(r.ResponseID)
	if resp == "" {
		return malformed("token_usage_record without response_id", nil)
	}
	tid := str(r.ThreadID)
	if tid != p.thread() && (tid != "" || p.st.Replay) {
		return nil // another thread's record, copied into this file
	}
	p.st.Mode = modeRecords
	for i, d := range p.st.Pending {
		if d.sameParts(v) {
			// Already counted as the token_count delta of the same response.
			p.st.Pending = append(p.st.Pending[:i], p.st.Pending[i+1:]...)
			return nil
		}
	}
	u := v.usage()
	if u.IsZero() {
		return nil
	}
	return p.event(l, emit, "resp:"+resp, u, str(r.Model))
}

// legacy handles a turn.completed usage record.
func (p *Parser) legacy(l *line, usage *tokenUsage, emit func(attribution.Event)) error {
	if usage == nil {
		return malformed("turn.completed without usage", nil)
	}
	v := usage.vec()
	if p.st.Replay {
		return nil
	}
	switch p.st.Mode {
	case modeNone:
		p.st.Mode = modeLegacy
	case modeLegacy:
	default:
		return nil
	}
	p.st.Legacy++
	u := v.usage()
	if u.IsZero() {
		return nil
	}
	return p.event(l, emit, p.thread()+":turn:"+strconv.FormatInt(p.st.Legacy, 10), u)
}

// event emits one event; fallbacks are the record's own model fields, used
// when no turn_context named the model.
func (p *Parser) event(l *line, emit func(attribution.Event), key string, u attribution.Usage, fallbacks ...string) error {
	if err := u.Validate(); err != nil {
		return malformed("usage", err)
	}
	model := p.st.Model
	for _, f := range fallbacks {
		if model == "" {
			model = f
		}
	}
	t := l.time
	if !l.hasTS && p.st.LastMS != 0 {
		t = time.UnixMilli(p.st.LastMS).UTC()
	}
	p.thread() // fixes the thread, and so p.session, if still unknown
	ev := attribution.Event{
		Agent:   attribution.AgentCodex,
		Session: p.session,
		Key:     key,
		Model:   cleanModel(model),
		Time:    t,
		Cwd:     p.st.Cwd,
		Usage:   u,
	}
	emit(ev)
	return nil
}

// cleanModel drops a reasoning-effort suffix some proxies append
// ("gpt-5.5(xhigh)"), defaults to "gpt-5", then is attribution.ModelName.
func cleanModel(m string) string {
	m = strings.TrimSpace(m)
	if i := strings.IndexByte(m, '('); i > 0 && strings.HasSuffix(m, ")") {
		m = m[:i]
	}
	return attribution.ModelName(m, defaultModel)
}
