package aider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// analyticsParser reads an analytics log (--analytics-log): one JSON event
// per line; "message_send" events carry usage.
type analyticsParser struct {
	cwd    string // working directory of every event ("" for a global log)
	launch int64  // Unix time of the last "launched" event, 0 before it
}

// analyticsLine is the part of an analytics event this package reads.
type analyticsLine struct {
	Event      string          `json:"event"`
	Properties json.RawMessage `json:"properties"`
	UserID     string          `json:"user_id"`
	Time       json.Number     `json:"time"`
}

// messageSend is the properties object of a "message_send" event.
type messageSend struct {
	MainModel        json.RawMessage `json:"main_model"`
	PromptTokens     json.Number     `json:"prompt_tokens"`
	CompletionTokens json.Number     `json:"completion_tokens"`
	Cost             json.Number     `json:"cost"`
	TotalCost        json.Number     `json:"total_cost"`
}

// Markers of the only lines worth decoding; the others are skipped unread.
var (
	markerSend     = []byte(`"message_send"`)
	markerLaunched = []byte(`"launched"`)
)

// Line handles one event of the log.
func (p *analyticsParser) Line(line []byte, emit func(attribution.Event)) error {
	send := bytes.Contains(line, markerSend)
	if !send && !bytes.Contains(line, markerLaunched) {
		return nil
	}
	var l analyticsLine
	if err := json.Unmarshal(line, &l); err != nil {
		if send {
			return fmt.Errorf("aider analytics: bad message_send line: %w", err)
		}
		return nil // not an event this package reads
	}
	switch l.Event {
	case "launched":
		if t, err := unixSeconds(l.Time); err == nil {
			p.launch = t
		}
		return nil
	case "message_send":
		e, err := p.event(&l)
		if err != nil {
			return fmt.Errorf("aider analytics: message_send: %w", err)
		}
		emit(e)
		return nil
	default:
		return nil
	}
}

// event builds the event of a "message_send" line.
func (p *analyticsParser) event(l *analyticsLine) (attribution.Event, error) {
	var props messageSend
	if err := json.Unmarshal(l.Properties, &props); err != nil {
		return attribution.Event{}, fmt.Errorf("properties: %w", err)
	}
	t, err := unixSeconds(l.Time)
	if err != nil {
		return attribution.Event{}, fmt.Errorf("time: %w", err)
	}
	prompt, err := count(props.PromptTokens)
	if err != nil {
		return attribution.Event{}, fmt.Errorf("prompt_tokens: %w", err)
	}
	completion, err := count(props.CompletionTokens)
	if err != nil {
		return attribution.Event{}, fmt.Errorf("completion_tokens: %w", err)
	}
	usage := attribution.Usage{Input: prompt, Output: completion}
	if err := usage.Validate(); err != nil {
		return attribution.Event{}, err
	}
	model := ""
	if len(props.MainModel) > 0 && props.MainModel[0] == '"' {
		if err := json.Unmarshal(props.MainModel, &model); err != nil {
			return attribution.Event{}, fmt.Errorf("main_model: %w", err)
		}
	}
	model = cleanModel(model)
	session := l.UserID
	if session == "" {
		session = "(no user id)" // aider always writes one; keep the event
	}
	if p.launch != 0 {
		session += "@" + strconv.FormatInt(p.launch, 10)
	}
	key := strings.Join([]string{"a", l.UserID, l.Time.String(), model,
		strconv.FormatInt(prompt, 10), strconv.FormatInt(completion, 10),
		props.Cost.String(), props.TotalCost.String()}, ":")
	return attribution.Event{
		Agent:   attribution.AgentAider,
		Session: attribution.HashSession(attribution.AgentAider, session),
		Key:     key,
		Model:   model,
		Time:    time.Unix(t, 0).UTC(),
		Cwd:     p.cwd,
		Usage:   usage,
	}, nil
}

// State returns the time of the last "launched" event.
func (p *analyticsParser) State() ([]byte, error) {
	return marshalState(state{Launch: p.launch})
}

// errMissing reports an absent number.
var errMissing = errors.New("missing")

// count reads a token count: a non-negative integer (an integral float is
// accepted) not above attribution.MaxTokensPerEvent.
func count(n json.Number) (int64, error) {
	if n == "" {
		return 0, errMissing
	}
	v, err := n.Int64()
	if err != nil {
		f, ferr := n.Float64()
		if ferr != nil || f != math.Trunc(f) || f < 0 || f > attribution.MaxTokensPerEvent {
			return 0, fmt.Errorf("not a token count: %s", n)
		}
		v = int64(f)
	}
	if v < 0 || v > attribution.MaxTokensPerEvent {
		return 0, fmt.Errorf("token count out of range: %d", v)
	}
	return v, nil
}

// maxUnix bounds event times (year 9999), so that any time converts.
const maxUnix = 253402300799

// unixSeconds reads a positive Unix time in seconds (fractions are dropped).
func unixSeconds(n json.Number) (int64, error) {
	if n == "" {
		return 0, errMissing
	}
	v, err := n.Int64()
	if err != nil {
		f, ferr := n.Float64()
		if ferr != nil || math.IsNaN(f) || f <= 0 || f > maxUnix {
			return 0, fmt.Errorf("not a Unix time: %s", n)
		}
		v = int64(f)
	}
	if v <= 0 || v > maxUnix {
		return 0, fmt.Errorf("time out of range: %d", v)
	}
	return v, nil
}
