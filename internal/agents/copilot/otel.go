package copilot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// otelState is what an OpenTelemetry parser remembers between reads.
type otelState struct {
	// LastMS is the last record time seen (Unix ms), for records without one.
	LastMS int64 `json:"t,omitempty"`
}

// otelParser reads one OpenTelemetry export.
type otelParser struct {
	st    otelState
	homes []string          // Copilot homes holding the sessions' event logs
	cwds  map[string]string // session id -> working directory ("" = unknown)
}

var _ tail.Parser = (*otelParser)(nil)

// newOTelParser starts reading the export at path; env, when known, names
// the Copilot home (the exporter file can be outside it).
func newOTelParser(path string, state []byte, env *tail.Env) (*otelParser, error) {
	p := &otelParser{cwds: map[string]string{}}
	if len(state) > 0 {
		if err := json.Unmarshal(state, &p.st); err != nil {
			return nil, fmt.Errorf("copilot-cli: otel parser state: %w", err)
		}
	}
	var homes tail.PathList // the export's home and the configured one are often the same
	homes.Add(homeOf(path))
	if env != nil {
		homes.Add(copilotHome(*env))
	}
	p.homes = homes
	return p, nil
}

// State returns the JSON-encoded resumable state.
func (p *otelParser) State() ([]byte, error) { return json.Marshal(&p.st) }

// otelLine is one line of an export: a record as Copilot's own file exporter
// writes it (one span or log record per line, attributes as an object), or
// an OTLP/JSON batch (resourceSpans / resourceLogs, attributes as key-value
// lists) as an OpenTelemetry Collector's file exporter writes it.
type otelLine struct {
	Type              json.RawMessage            `json:"type"`
	Name              json.RawMessage            `json:"name"`
	Kind              json.RawMessage            `json:"kind"`
	Duration          json.RawMessage            `json:"duration"`
	TraceID           json.RawMessage            `json:"traceId"`
	SpanID            json.RawMessage            `json:"spanId"`
	SpanContext       *spanContext               `json:"spanContext"`
	StartTime         json.RawMessage            `json:"startTime"`
	EndTime           json.RawMessage            `json:"endTime"`
	HrTime            json.RawMessage            `json:"hrTime"`
	HrTimeAlt         json.RawMessage            `json:"_hrTime"`
	Time              json.RawMessage            `json:"time"`
	Timestamp         json.RawMessage            `json:"timestamp"`
	ObservedTimestamp json.RawMessage            `json:"observedTimestamp"`
	TimeUnixNano      json.RawMessage            `json:"timeUnixNano"`
	Body              json.RawMessage            `json:"body"`
	BodyAlt           json.RawMessage            `json:"_body"`
	Attributes        map[string]json.RawMessage `json:"attributes"`

	ResourceSpans []struct {
		ScopeSpans []struct {
			Spans []otlpRecord `json:"spans"`
		} `json:"scopeSpans"`
	} `json:"resourceSpans"`
	ResourceLogs []struct {
		ScopeLogs []struct {
			LogRecords []otlpRecord `json:"logRecords"`
		} `json:"scopeLogs"`
	} `json:"resourceLogs"`
}

type spanContext struct {
	TraceID json.RawMessage `json:"traceId"`
	SpanID  json.RawMessage `json:"spanId"`
}

// otlpRecord is an OTLP/JSON span or log record.
type otlpRecord struct {
	TraceID              string          `json:"traceId"`
	SpanID               string          `json:"spanId"`
	Name                 string          `json:"name"`
	StartTimeUnixNano    json.RawMessage `json:"startTimeUnixNano"`
	EndTimeUnixNano      json.RawMessage `json:"endTimeUnixNano"`
	TimeUnixNano         json.RawMessage `json:"timeUnixNano"`
	ObservedTimeUnixNano json.RawMessage `json:"observedTimeUnixNano"`
	Body                 *otlpValue      `json:"body"`
	Attributes           []struct {
		Key   string    `json:"key"`
		Value otlpValue `json:"value"`
	} `json:"attributes"`
}

// otlpValue is an OTLP AnyValue; only scalars are used.
type otlpValue struct {
	StringValue json.RawMessage `json:"stringValue"`
	IntValue    json.RawMessage `json:"intValue"`
	DoubleValue json.RawMessage `json:"doubleValue"`
}

func (v *otlpValue) raw() json.RawMessage {
	switch {
	case v == nil:
		return nil
	case v.StringValue != nil:
		return v.StringValue
	case v.IntValue != nil:
		return v.IntValue
	}
	return v.DoubleValue
}

// item is one span or log record, whichever encoding it came in.
type item struct {
	span          bool
	name, body    string
	trace, spanID string
	attrs         map[string]json.RawMessage
	when          time.Time
}

// Line handles one line of an export.
func (p *otelParser) Line(line []byte, emit func(attribution.Event)) error {
	if !bytes.Contains(line, []byte(`gen_ai.usage.`)) {
		return nil
	}
	var l otelLine
	if err := json.Unmarshal(line, &l); err != nil {
		return fmt.Errorf("copilot-cli: otel: %w: %w", errBadLine, err)
	}
	var firstErr error
	for i, it := range l.items() {
		if !it.when.IsZero() {
			p.st.LastMS = max(p.st.LastMS, it.when.UnixMilli())
		}
		if err := p.record(it, line, i, emit); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("copilot-cli: otel: %w", err)
		}
	}
	return firstErr
}

// items lists the records of a line.
func (l *otelLine) items() []item {
	var out []item
	for _, rs := range l.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				out = append(out, s.item(true))
			}
		}
	}
	for _, rl := range l.ResourceLogs {
		for _, sl := range rl.ScopeLogs {
			for _, r := range sl.LogRecords {
				out = append(out, r.item(false))
			}
		}
	}
	if l.Attributes != nil {
		it := item{name: text(l.Name), attrs: l.Attributes, trace: text(l.TraceID), spanID: text(l.SpanID)}
		if l.SpanContext != nil {
			if it.trace == "" {
				it.trace = text(l.SpanContext.TraceID)
			}
			if it.spanID == "" {
				it.spanID = text(l.SpanContext.SpanID)
			}
		}
		if t := text(l.Type); t != "" {
			it.span = t == "span"
		} else {
			it.span = it.name != "" && (it.spanID != "" || it.trace != "" || l.StartTime != nil || l.EndTime != nil || l.Duration != nil || l.Kind != nil)
		}
		it.body = text(l.Body)
		if it.body == "" {
			it.body = text(l.BodyAlt)
		}
		it.when = firstTime(
			hrTime(l.EndTime), hrTime(l.StartTime), hrTime(l.HrTime), hrTime(l.HrTimeAlt), hrTime(l.Time),
			scalarTime(l.Timestamp), scalarTime(l.ObservedTimestamp), nanoTime(l.TimeUnixNano))
		out = append(out, it)
	}
	return out
}

func (r otlpRecord) item(span bool) item {
	it := item{span: span, name: r.Name, trace: r.TraceID, spanID: r.SpanID, attrs: map[string]json.RawMessage{}}
	for _, kv := range r.Attributes {
		if raw := kv.Value.raw(); raw != nil {
			it.attrs[kv.Key] = raw
		}
	}
	if r.Body != nil {
		it.body = text(r.Body.StringValue)
	}
	it.when = firstTime(nanoTime(r.EndTimeUnixNano), nanoTime(r.StartTimeUnixNano), nanoTime(r.TimeUnixNano), nanoTime(r.ObservedTimeUnixNano))
	return it
}

// record emits the usage of one record when it is a per-call record: a chat
// span, or an inference-details log record with a response id (keyed like
// the chat span of the same response, so the two count once). Agent-level
// records (invoke_agent spans, agent-turn logs) sum calls that their chat
// spans already count, and are not read.
func (p *otelParser) record(it item, line []byte, index int, emit func(attribution.Event)) error {
	op := text(it.attrs["gen_ai.operation.name"])
	respID := text(it.attrs["gen_ai.response.id"])
	switch {
	case it.span && (op == "chat" || strings.HasPrefix(it.name, "chat ")):
	case !it.span && respID != "" && (text(it.attrs["event.name"]) == "gen_ai.client.inference.operation.details" ||
		strings.HasPrefix(it.body, "GenAI inference:")):
	default:
		return nil
	}
	u, estimated, err := otelUsage(it.attrs)
	if err != nil {
		return err
	}
	if u.IsZero() {
		return nil
	}
	when := it.when
	if when.IsZero() {
		if p.st.LastMS == 0 {
			return errNoTime
		}
		when = time.UnixMilli(p.st.LastMS).UTC()
	}
	var key string
	switch {
	case respID != "":
		key = "r:" + respID
	case it.trace != "" && it.spanID != "":
		key = "s:" + it.trace + ":" + it.spanID
	default:
		h := fnv.New64a()
		h.Write(line)
		key = "h:" + strconv.FormatUint(h.Sum64(), 16) + ":" + strconv.Itoa(index)
	}
	model := text(it.attrs["gen_ai.response.model"])
	if model == "" {
		model = text(it.attrs["gen_ai.request.model"])
	}
	session := ""
	for _, k := range []string{"gen_ai.conversation.id", "copilot_chat.session_id", "copilot_chat.chat_session_id", "session.id"} {
		if session = text(it.attrs[k]); session != "" {
			break
		}
	}
	emit(attribution.Event{
		Agent:     attribution.AgentCopilotCLI,
		Session:   attribution.HashSession(attribution.AgentCopilotCLI, session),
		Key:       key,
		Model:     attribution.ModelName(model),
		Time:      when,
		Cwd:       p.cwd(session),
		Usage:     u,
		Estimated: estimated,
	})
	return nil
}

// otelUsage reads the GenAI usage attributes. Following the OpenTelemetry
// GenAI conventions (and Copilot's own exports, where input 15987 with
// cache_read 5888 and output 77 with reasoning 64 add up to the response's
// 16064 tokens), input_tokens includes cache reads and cache writes and
// output_tokens includes reasoning. A record whose total_tokens shows
// reasoning reported beside the output has it added; one whose input is
// smaller than its cache counts is read as uncached input; one with only a
// total counts it as output, marked estimated.
func otelUsage(attrs map[string]json.RawMessage) (u attribution.Usage, estimated bool, err error) {
	get := func(keys ...string) int64 {
		for _, k := range keys {
			raw, ok := attrs[k]
			if !ok {
				continue
			}
			n, e := parseCount(raw)
			if e != nil {
				if err == nil {
					err = fmt.Errorf("%s: %w", k, e)
				}
				continue
			}
			if n > 0 {
				return n
			}
		}
		return 0
	}
	input := get("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
	output := get("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")
	cacheRead := get("gen_ai.usage.cache_read.input_tokens")
	cacheWrite := get("gen_ai.usage.cache_write.input_tokens", "gen_ai.usage.cache_creation.input_tokens")
	reasoning := get("gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens")
	total := get("gen_ai.usage.total_tokens", "gen_ai.usage.total.token_count")
	if err != nil {
		return attribution.Usage{}, false, err
	}
	if reasoning > 0 && total > 0 && total == input+output+reasoning {
		output += reasoning
	}
	if input == 0 && output == 0 && cacheRead == 0 && cacheWrite == 0 && total > 0 {
		output, estimated = total, true
	}
	if input >= cacheRead+cacheWrite {
		u = attribution.FromOpenAI(input, cacheRead, cacheWrite, output, reasoning)
	} else {
		u = attribution.FromAnthropic(input, cacheRead, cacheWrite, output)
		u.Reasoning = min(reasoning, output)
	}
	if err := u.Validate(); err != nil {
		return attribution.Usage{}, false, err
	}
	return u, estimated, nil
}

// cwd returns a session's working directory from its event log, cached.
func (p *otelParser) cwd(session string) string {
	if session == "" {
		return ""
	}
	if c, ok := p.cwds[session]; ok {
		return c
	}
	c, _ := sessionStart(p.homes, session)
	p.cwds[session] = c
	return c
}

// firstTime returns the first non-zero time.
func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// hrTime reads an OpenTelemetry JS high-resolution time, [seconds, nanoseconds].
func hrTime(raw json.RawMessage) time.Time {
	var v []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &v) != nil || len(v) != 2 {
		return time.Time{}
	}
	s, ok1 := parseInt(v[0])
	ns, ok2 := parseInt(v[1])
	if !ok1 || !ok2 || ns >= 1e9 || s > 1e12 {
		return time.Time{}
	}
	return plausible(time.Unix(s, ns))
}

// scalarTime reads a number of seconds, milliseconds, microseconds or
// nanoseconds since 1970, told apart by magnitude.
func scalarTime(raw json.RawMessage) time.Time {
	n, ok := parseInt(raw)
	if !ok || n == 0 {
		return time.Time{}
	}
	switch {
	case n >= 1e17:
		return plausible(time.Unix(0, n))
	case n >= 1e14:
		return plausible(time.UnixMicro(n))
	case n >= 1e11:
		return plausible(time.UnixMilli(n))
	}
	return plausible(time.Unix(n, 0))
}

// nanoTime reads nanoseconds since 1970 (an OTLP "...UnixNano" field).
func nanoTime(raw json.RawMessage) time.Time {
	n, ok := parseInt(raw)
	if !ok || n == 0 {
		return time.Time{}
	}
	return plausible(time.Unix(0, n))
}

// parseInt reads a non-negative integer written as a JSON number or string.
func parseInt(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		raw = []byte(text(raw))
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil && n >= 0
}

// plausible returns t in UTC when it lies between 2000 and 9999.
func plausible(t time.Time) time.Time {
	if t.Year() < 2000 || t.Year() > 9999 {
		return time.Time{}
	}
	return t.UTC()
}
