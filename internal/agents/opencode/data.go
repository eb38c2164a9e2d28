package opencode

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// Keys of the events: one LLM call is either a step-finish part ("p:" and
// the part id) or, for messages without step-finish parts, the assistant
// message ("m:" and the message id). The ids are the same in the database and
// in the legacy JSON files (OpenCode's JSON-to-SQLite migration keeps them),
// so copies of one call in both places share a key.
const (
	partKey    = "p:"
	messageKey = "m:"
)

// forkSlack is how much earlier than its session a message may have been
// created and still belong to it. Session.fork copies history into a new
// session keeping every message's time.created, so a message created well
// before its session is a copy that was counted in the original session.
const forkSlack = time.Second

// errShape reports message or part data of an unexpected shape.
var errShape = errors.New("unexpected data")

// tokens is the token block of an assistant message and of a step-finish
// part (MessageV2 tokens: input excludes cache reads and writes; total is
// optional and newer).
type tokens struct {
	Total     *float64 `json:"total"`
	Input     float64  `json:"input"`
	Output    float64  `json:"output"`
	Reasoning float64  `json:"reasoning"`
	Cache     *struct {
		Read  float64 `json:"read"`
		Write float64 `json:"write"`
	} `json:"cache"`
}

// count converts a JSON token count. OpenCode's own arithmetic can produce a
// negative input (non-cached input = input − cached), which is clamped to 0;
// fractions and absurd values are data of an unexpected shape.
func count(name string, v float64) (int64, error) {
	switch {
	case v <= 0:
		return 0, nil
	case v > attribution.MaxTokensPerEvent || v != math.Trunc(v):
		return 0, fmt.Errorf("%w: tokens.%s = %v", errShape, name, v)
	}
	return int64(v), nil
}

// usage normalises a token block. Input, cache reads and cache writes are
// disjoint already. Whether reasoning is part of output depends on the
// OpenCode version and the provider:
//
//   - builds on AI SDK 6 (2026) store output without reasoning and total =
//     input + cache + output + reasoning: reasoning is added to Output;
//   - earlier builds stored the SDK's outputTokens, which include reasoning
//     for OpenAI-compatible providers (total = input + cache + output) but not
//     for Google (thoughts are separate).
//
// So reasoning is taken as included in output when total says so (total
// below input + cache + output + reasoning); without total, when the provider
// is not Google; never when reasoning exceeds output. Reasoning is always
// reported as the subset of Output it is.
func (t tokens) usage(provider string) (attribution.Usage, error) {
	var cr, cw float64
	if t.Cache != nil {
		cr, cw = t.Cache.Read, t.Cache.Write
	}
	in, err := count("input", t.Input)
	if err != nil {
		return attribution.Usage{}, err
	}
	out, err := count("output", t.Output)
	if err != nil {
		return attribution.Usage{}, err
	}
	rs, err := count("reasoning", t.Reasoning)
	if err != nil {
		return attribution.Usage{}, err
	}
	read, err := count("cache.read", cr)
	if err != nil {
		return attribution.Usage{}, err
	}
	write, err := count("cache.write", cw)
	if err != nil {
		return attribution.Usage{}, err
	}
	u := attribution.FromAnthropic(in, read, write, out)
	if rs == 0 {
		return u, nil
	}
	inside := rs <= out
	if inside {
		if t.Total != nil && *t.Total > 0 {
			inside = *t.Total < float64(in+read+write+out+rs)
		} else {
			inside = !strings.HasPrefix(strings.ToLower(provider), "google")
		}
	}
	if !inside {
		u.Output += rs
	}
	u.Reasoning = rs
	if err := u.Validate(); err != nil {
		return attribution.Usage{}, fmt.Errorf("%w: %w", errShape, err)
	}
	return u, nil
}

// message is what the reader uses of an assistant message (MessageV2
// Assistant). Fields that do not carry usage are decoded leniently: a value
// of another shape counts as absent.
type message struct {
	ID         string          `json:"id"`
	SessionID  string          `json:"sessionID"`
	Role       string          `json:"role"`
	ModelID    json.RawMessage `json:"modelID"`
	ProviderID json.RawMessage `json:"providerID"`
	Model      json.RawMessage `json:"model"` // user messages: {providerID, modelID}
	Time       json.RawMessage `json:"time"`
	Path       json.RawMessage `json:"path"`
	Tokens     *tokens         `json:"tokens"`
}

// messageInfo is a decoded message: what an event needs from it.
type messageInfo struct {
	id, session string
	role        string
	model       string
	provider    string
	cwd         string
	created     time.Time // zero when unknown
	completed   time.Time // zero while the message is running
	tokens      *tokens
}

// parseMessage decodes message data (a database row's data column or a
// legacy message file). Fields that do not carry usage are decoded
// leniently. Data that is not JSON, or whose id, role or token block has
// another shape, is an error; in the latter case the other fields are still
// returned, without tokens.
func parseMessage(data []byte) (messageInfo, error) {
	var m message
	err := json.Unmarshal(data, &m)
	var typeErr *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &typeErr) {
		return messageInfo{}, fmt.Errorf("%w: message: %w", errShape, err)
	}
	if err != nil {
		// A field of another type: the others are decoded; usage is not
		// trusted.
		m.Tokens = nil
		err = fmt.Errorf("%w: message: %w", errShape, err)
	}
	info := messageInfo{id: m.ID, session: m.SessionID, role: m.Role, tokens: m.Tokens}
	info.model = jsonString(m.ModelID)
	info.provider = jsonString(m.ProviderID)
	if info.model == "" || info.provider == "" {
		var nested struct {
			ModelID    json.RawMessage `json:"modelID"`
			ProviderID json.RawMessage `json:"providerID"`
		}
		if json.Unmarshal(m.Model, &nested) == nil {
			if info.model == "" {
				info.model = jsonString(nested.ModelID)
			}
			if info.provider == "" {
				info.provider = jsonString(nested.ProviderID)
			}
		}
	}
	var path struct {
		Cwd json.RawMessage `json:"cwd"`
	}
	if json.Unmarshal(m.Path, &path) == nil {
		info.cwd = jsonString(path.Cwd)
	}
	var tm struct {
		Created   json.RawMessage `json:"created"`
		Completed json.RawMessage `json:"completed"`
	}
	if json.Unmarshal(m.Time, &tm) == nil {
		info.created = millis(tm.Created)
		info.completed = millis(tm.Completed)
	}
	return info, err
}

// part is what the reader uses of a part (MessageV2 StepFinishPart).
type part struct {
	ID        string  `json:"id"`
	MessageID string  `json:"messageID"`
	SessionID string  `json:"sessionID"`
	Type      string  `json:"type"`
	Tokens    *tokens `json:"tokens"`
}

// parseStep decodes part data. It returns ok=false for parts that are not
// step-finish parts, and an error for a step-finish part without a usable
// token block.
func parseStep(data []byte) (part, bool, error) {
	var p part
	if err := json.Unmarshal(data, &p); err != nil {
		var probe struct {
			Type json.RawMessage `json:"type"`
		}
		if json.Unmarshal(data, &probe) == nil && jsonString(probe.Type) != "step-finish" {
			return part{}, false, nil // another kind of part: not ours to judge
		}
		return part{}, false, fmt.Errorf("%w: step-finish part: %w", errShape, err)
	}
	if p.Type != "step-finish" {
		return part{}, false, nil
	}
	if p.Tokens == nil {
		return part{}, false, fmt.Errorf("%w: step-finish part without tokens", errShape)
	}
	return p, true, nil
}

// jsonString returns a JSON string's trimmed value ("" for anything else).
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// Plausible epoch-millisecond times: 2000-01-01 to 2200-01-01.
const (
	minMillis = 946684800000
	maxMillis = 7258118400000
)

// millis converts an epoch-millisecond JSON number (zero time when absent or
// implausible).
func millis(raw json.RawMessage) time.Time {
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		return time.Time{}
	}
	return fromMillis(int64(f))
}

// fromMillis converts epoch milliseconds to UTC (zero time when implausible).
func fromMillis(ms int64) time.Time {
	if ms < minMillis || ms > maxMillis {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// session is what the reader uses of a session: its working directory, when
// it was created (to recognise forked copies) and the OpenCode version that
// created it (for warnings).
type session struct {
	directory string
	created   time.Time
	version   string
}

// copied reports whether a message created at created belongs to an
// earlier session and was copied into s by a fork.
func (s session) copied(created time.Time) bool {
	return !s.created.IsZero() && !created.IsZero() && created.Add(forkSlack).Before(s.created)
}

// call is one LLM call ready to become an event.
type call struct {
	agent   string // the flavour's agent name ("": attribution.AgentOpenCode)
	key     string
	session string
	msg     messageInfo
	ses     session
	usage   attribution.Usage
	at      time.Time // when the call finished, if known better than the message
}

// event builds the attribution event of a call.
func (c call) event() (attribution.Event, bool) {
	if c.usage.IsZero() || c.ses.copied(c.msg.created) {
		return attribution.Event{}, false
	}
	at := c.at
	if at.IsZero() {
		at = c.msg.completed
	}
	if at.IsZero() {
		at = c.msg.created
	}
	if at.IsZero() {
		return attribution.Event{}, false
	}
	cwd := c.msg.cwd
	if cwd == "" {
		cwd = c.ses.directory
	}
	sid := c.session
	if sid == "" {
		sid = c.msg.session
	}
	agent := cmp.Or(c.agent, attribution.AgentOpenCode)
	return attribution.Event{
		Agent:   agent,
		Session: attribution.HashSession(agent, sid),
		Key:     c.key,
		// OpenCode's modelID as recorded: the provider is not prepended
		// (pricing matches bare model names, and routers' modelIDs already
		// carry their vendor, as in "anthropic/claude-sonnet-4.5").
		Model: attribution.ModelName(c.msg.model),
		Time:  at,
		Cwd:   cwd,
		Usage: c.usage,
	}, true
}

// stepTime returns when a step-finish part was written, if that time lies
// within its message's lifetime; else the zero time (the message's time is
// used). Parts migrated from JSON files carry the migration's time instead.
func stepTime(written time.Time, m messageInfo) time.Time {
	if written.IsZero() || m.created.IsZero() || written.Before(m.created) {
		return time.Time{}
	}
	if !m.completed.IsZero() && written.After(m.completed.Add(time.Second)) {
		return time.Time{}
	}
	return written
}

// maxVersion bounds a version string quoted in a warning.
const maxVersion = 40

// versionOr names a version for warnings.
func versionOr(v string) string {
	if v = strings.TrimSpace(v); v == "" {
		return "unknown version"
	}
	if len(v) > maxVersion {
		v = v[:maxVersion] + "…"
	}
	return "version " + v
}
