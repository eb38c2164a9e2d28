package copilot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
	"github.com/tokenyield/tokenyield/internal/tokenize"
)

// eventsState is what an events parser must remember to resume after its
// last line. It is JSON-encoded into the tail cursor.
type eventsState struct {
	// Session is the raw session id (session.start data.sessionId).
	Session string `json:"s,omitempty"`
	// Cwd and Model are the session's working directory and current model.
	Cwd   string `json:"c,omitempty"`
	Model string `json:"m,omitempty"`
	// Line counts the lines read, for records without an id.
	Line int64 `json:"n,omitempty"`
	// LastMS is the last valid timestamp (Unix ms), for records without one.
	LastMS int64 `json:"t,omitempty"`
	// Checkpoint is set once a session.usage_checkpoint was seen: the
	// versions that write them keep shutdown totals across resumes.
	Checkpoint bool `json:"k,omitempty"`
	// SegOut and AllOut sum the per-message output tokens by model (see
	// modelKey), since the last shutdown and since the start of the file.
	SegOut map[string]int64 `json:"so,omitempty"`
	AllOut map[string]int64 `json:"ao,omitempty"`
	// Prev holds each model's figures as the last shutdown reported them.
	Prev map[string]figures `json:"p,omitempty"`
}

// eventsParser reads one session event log (session-state/<id>/events.jsonl
// or the older flat <id>.jsonl).
type eventsParser struct {
	st       eventsState
	fallback string   // session id from the path
	otel     []string // export files and folders that would take the session over
	covered  *bool    // whether they mention the session (decided once per parser)
}

var _ tail.Parser = (*eventsParser)(nil)

// newEventsParser starts reading the event log at path; env, when known,
// names the exporter file.
func newEventsParser(path string, state []byte, env *tail.Env) (*eventsParser, error) {
	p := &eventsParser{fallback: sessionFromPath(path)}
	if len(state) > 0 {
		if err := json.Unmarshal(state, &p.st); err != nil {
			return nil, fmt.Errorf("copilot-cli: events parser state: %w", err)
		}
	}
	var otel tail.PathList // the log's home and the configured one are often the same
	if home := homeOf(path); home != "" {
		otel.Add(filepath.Join(home, dirOTel))
	}
	if env != nil {
		if home := copilotHome(*env); home != "" {
			otel.Add(filepath.Join(home, dirOTel))
		}
		otel.Add(otelFile(*env))
	}
	p.otel = otel
	return p, nil
}

// sessionFromPath is the session id a log's place gives: the folder of an
// events.jsonl, the name of a flat <id>.jsonl.
func sessionFromPath(path string) string {
	if filepath.Base(path) == eventsFile {
		return filepath.Base(filepath.Dir(path))
	}
	return strings.TrimSuffix(filepath.Base(path), ".jsonl")
}

// State returns the JSON-encoded resumable state.
func (p *eventsParser) State() ([]byte, error) { return json.Marshal(&p.st) }

// Record types the parser reads; lines mentioning none of them are skipped
// without decoding.
var eventMarkers = [][]byte{
	[]byte(`"assistant.message"`),
	[]byte(`"session.shutdown"`),
	[]byte(`"session.start"`),
	[]byte(`"session.resume"`),
	[]byte(`"session.model_change"`),
	[]byte(`"session.auto_mode_resolved"`),
	[]byte(`"session.usage_checkpoint"`),
	[]byte(`"assistant.turn_start"`),
}

// envelope is the part every record shares.
type envelope struct {
	Type      string          `json:"type"`
	ID        json.RawMessage `json:"id"`
	Timestamp json.RawMessage `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// sessionContext is session.start's and session.resume's data.context.
type sessionContext struct {
	Cwd     string `json:"cwd"`
	GitRoot string `json:"gitRoot"`
}

// dir returns the recorded working directory, else the git root, when
// absolute.
func (c sessionContext) dir() string {
	if tail.IsAbsAnyOS(c.Cwd) {
		return c.Cwd
	}
	if tail.IsAbsAnyOS(c.GitRoot) {
		return c.GitRoot
	}
	return ""
}

// Line handles one record.
func (p *eventsParser) Line(line []byte, emit func(attribution.Event)) error {
	p.st.Line++
	if !hasAny(line, eventMarkers) {
		return nil
	}
	var env envelope
	usageLine := bytes.Contains(line, []byte(`"assistant.message"`)) || bytes.Contains(line, []byte(`"session.shutdown"`))
	if err := json.Unmarshal(line, &env); err != nil {
		if usageLine {
			return fmt.Errorf("copilot-cli: %w: %w", errBadLine, err)
		}
		return nil
	}
	if t, ok := parseTime(text(env.Timestamp)); ok {
		p.st.LastMS = t.UnixMilli()
	}
	var err error
	switch env.Type {
	case "session.start", "session.resume":
		err = p.start(env)
	case "session.model_change":
		var d struct {
			NewModel string `json:"newModel"`
		}
		if json.Unmarshal(env.Data, &d) == nil && d.NewModel != "" {
			p.st.Model = d.NewModel
		}
	case "session.auto_mode_resolved":
		var d struct {
			ChosenModel string `json:"chosenModel"`
		}
		if json.Unmarshal(env.Data, &d) == nil && d.ChosenModel != "" {
			p.st.Model = d.ChosenModel
		}
	case "assistant.turn_start":
		var d struct {
			Model string `json:"model"`
		}
		if json.Unmarshal(env.Data, &d) == nil && d.Model != "" {
			p.st.Model = d.Model
		}
	case "session.usage_checkpoint":
		p.st.Checkpoint = true
	case "assistant.message":
		err = p.message(env, emit)
	case "session.shutdown":
		err = p.shutdown(env, emit)
	}
	if err != nil {
		return fmt.Errorf("copilot-cli: %s: %w", env.Type, err)
	}
	return nil
}

// start reads session.start and session.resume: session id, working
// directory, selected model.
func (p *eventsParser) start(env envelope) error {
	var d struct {
		SessionID     string         `json:"sessionId"`
		SelectedModel string         `json:"selectedModel"`
		Context       sessionContext `json:"context"`
	}
	if err := json.Unmarshal(env.Data, &d); err != nil {
		return nil // a start record of another shape: keep what is known
	}
	if d.SessionID != "" && env.Type == "session.start" && p.st.Session == "" {
		p.st.Session = d.SessionID
	}
	if dir := d.Context.dir(); dir != "" {
		p.st.Cwd = dir
	}
	if d.SelectedModel != "" {
		p.st.Model = d.SelectedModel
	}
	return nil
}

// message reads assistant.message: one model response and its output
// tokens. Input and cache counts are not logged per message; the event is a
// lower bound until the session's shutdown totals arrive.
func (p *eventsParser) message(env envelope, emit func(attribution.Event)) error {
	var d struct {
		MessageID    json.RawMessage `json:"messageId"`
		Model        string          `json:"model"`
		OutputTokens *count          `json:"outputTokens"`
		Content      string          `json:"content"`
		ToolRequests json.RawMessage `json:"toolRequests"`
	}
	if err := json.Unmarshal(env.Data, &d); err != nil {
		return fmt.Errorf("%w: %w", errBadLine, err)
	}
	model := d.Model
	if model == "" {
		model = p.st.Model
	}
	var out int64
	estimated := false
	if d.OutputTokens != nil {
		out = int64(*d.OutputTokens)
	} else {
		// Versions that log no count for a message: estimate its output
		// from what it said and the tool calls it made.
		out = estimateOutput(model, d.Content, d.ToolRequests)
		estimated = true
	}
	if out == 0 {
		return nil
	}
	mk := modelKey(model)
	p.st.SegOut = addTo(p.st.SegOut, mk, out)
	p.st.AllOut = addTo(p.st.AllOut, mk, out)
	when, err := p.when(env)
	if err != nil {
		return err
	}
	key := p.session() + "/" + p.recordID(env, d.MessageID)
	p.send(emit, attribution.Event{
		Key:        key,
		Model:      model,
		Time:       when,
		Usage:      attribution.Usage{Output: out},
		LowerBound: true,
		Estimated:  estimated,
	})
	return nil
}

// estimateOutput counts, with the tokenizer of model's family (o200k_base
// for non-OpenAI models, an approximation), the tokens of a message's text and
// of its tool requests as logged. Reasoning is not logged in the clear and
// is not counted: the estimate is a lower bound too.
func estimateOutput(model, content string, toolRequests json.RawMessage) int64 {
	if content == "" && (len(toolRequests) == 0 || string(toolRequests) == "null" || string(toolRequests) == "[]") {
		return 0
	}
	name, _ := tokenize.ForModel(model)
	enc, err := tokenize.Get(name)
	if err != nil {
		return 0
	}
	n := enc.Count(content)
	if len(toolRequests) > 0 && string(toolRequests) != "null" && string(toolRequests) != "[]" {
		n += enc.Count(string(toolRequests))
	}
	return int64(n)
}

// addTo adds n to m[k], allocating m when needed.
func addTo(m map[string]int64, k string, n int64) map[string]int64 {
	if m == nil {
		m = map[string]int64{}
	}
	m[k] += n
	return m
}

// when is a record's time: its timestamp, else the last one seen.
func (p *eventsParser) when(env envelope) (time.Time, error) {
	if t, ok := parseTime(text(env.Timestamp)); ok {
		return t, nil
	}
	if p.st.LastMS > 0 {
		return time.UnixMilli(p.st.LastMS).UTC(), nil
	}
	return time.Time{}, errNoTime
}

// recordID is a record's identity within its session: the record id, else
// the message id, else the line number (logs are append-only).
func (p *eventsParser) recordID(env envelope, messageID json.RawMessage) string {
	if id := text(env.ID); id != "" {
		return id
	}
	if id := text(messageID); id != "" {
		return "m:" + id
	}
	return "L" + strconv.FormatInt(p.st.Line, 10)
}

// session returns the raw session id.
func (p *eventsParser) session() string {
	if p.st.Session != "" {
		return p.st.Session
	}
	return p.fallback
}

// send completes and emits an event, unless OpenTelemetry exports cover the
// session (they then count its calls instead).
func (p *eventsParser) send(emit func(attribution.Event), e attribution.Event) {
	if p.covered == nil {
		c := otelSessions.has(p.otel, p.st.Session, p.fallback)
		p.covered = &c
	}
	if *p.covered || e.Usage.IsZero() {
		return
	}
	e.Agent = attribution.AgentCopilotCLI
	e.Session = attribution.HashSession(attribution.AgentCopilotCLI, p.session())
	e.Cwd = p.st.Cwd
	e.Model = attribution.ModelName(e.Model)
	emit(e)
}

// hasAny reports whether line contains one of markers.
func hasAny(line []byte, markers [][]byte) bool {
	for _, m := range markers {
		if bytes.Contains(line, m) {
			return true
		}
	}
	return false
}
