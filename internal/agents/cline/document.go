package cline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// Messages (say values) whose text carries usage, with the suffix their
// event key gets. api_req_started keeps the bare "<taskId>:<ts>" key.
const (
	sayAPIReqStarted  = "api_req_started"
	sayAPIReqFinished = "api_req_finished" // Cline before 2025: the counts of the preceding api_req_started
	saySubagentUsage  = "subagent_usage"   // Cline: one batch of in-process subagents, summed
	sayDeletedAPIReqs = "deleted_api_reqs" // Cline: requests removed by a checkpoint restore, summed
	sayAPIReqDeleted  = "api_req_deleted"  // Roo, Kilo: the same
)

var usageSays = map[string]string{
	sayAPIReqStarted:  "",
	sayAPIReqFinished: ":finished",
	saySubagentUsage:  ":subagents",
	sayDeletedAPIReqs: ":deleted",
	sayAPIReqDeleted:  ":deleted",
}

// rawMessage is one ClineMessage of ui_messages.json, decoded leniently.
type rawMessage struct {
	Ts        json.RawMessage `json:"ts"`
	Say       json.RawMessage `json:"say"`
	Text      json.RawMessage `json:"text"`
	ModelInfo json.RawMessage `json:"modelInfo"`
}

// apiReqInfo is the JSON document inside a usage message's text
// (ClineApiReqInfo).
type apiReqInfo struct {
	Request     json.RawMessage `json:"request"`
	TokensIn    json.RawMessage `json:"tokensIn"`
	TokensOut   json.RawMessage `json:"tokensOut"`
	CacheWrites json.RawMessage `json:"cacheWrites"`
	CacheReads  json.RawMessage `json:"cacheReads"`
	APIProtocol json.RawMessage `json:"apiProtocol"`
}

// modelInfo is Cline's per-message model record.
type modelInfo struct {
	ModelID    json.RawMessage `json:"modelId"`
	ProviderID json.RawMessage `json:"providerId"`
}

// request is one usage message that carried counts.
type request struct {
	ts       int64
	say      string
	c        counts
	protocol string
	model    string // from modelInfo, "" when absent
	provider string
}

// problems counts the usage messages that could not be used, keeping the
// first few reasons.
type problems struct {
	n       int
	reasons []string
}

func (p *problems) add(ts json.RawMessage, format string, args ...any) {
	p.n++
	if len(p.reasons) < 3 {
		p.reasons = append(p.reasons, fmt.Sprintf("message ts %.20s: ", bytes.TrimSpace(ts))+fmt.Sprintf(format, args...))
	}
}

func (p *problems) err() error {
	if p.n == 0 {
		return nil
	}
	return fmt.Errorf("%d unusable usage message(s): %s", p.n, strings.Join(p.reasons, "; "))
}

// parse reads one ui_messages.json document and emits an event for every
// usage message with counts. Placeholders still streaming (no counts yet)
// emit nothing; they are read again when the file is rewritten. Messages
// that cannot be used are skipped and reported in the returned error, after
// every usable one was emitted. A document that is not a JSON array, or
// breaks off (caught mid-write), emits what precedes the break and returns
// an error.
func (f *flavor) parse(data []byte, t task, emit func(attribution.Event)) error {
	reqs, starts, perr, derr := decodeRequests(data, &t)
	slices.Sort(starts)
	for _, r := range reqs {
		if (r.say == sayDeletedAPIReqs || r.say == sayAPIReqDeleted) && !t.first {
			// Deleted requests were counted from this file before they were
			// deleted; only a first read counts their sum.
			continue
		}
		next := int64(math.MaxInt64) // the next request's start, for Roo's model records
		if i, _ := slices.BinarySearch(starts, r.ts+1); i < len(starts) {
			next = starts[i]
		}
		model, provider := t.modelFor(r, next, f.cline)
		u := normalize(r.c, f.inclusive(r.protocol, provider, r.ts))
		if u.IsZero() {
			continue
		}
		emit(attribution.Event{
			Agent:   f.agent,
			Session: attribution.HashSession(f.agent, t.id),
			Key:     t.id + ":" + strconv.FormatInt(r.ts, 10) + usageSays[r.say],
			Model:   model,
			Time:    time.UnixMilli(r.ts).UTC(),
			Cwd:     t.cwd,
			Usage:   u,
		})
	}
	if derr != nil {
		return derr
	}
	return perr.err()
}

// decodeRequests decodes the message array and returns the usage messages
// with counts, in document order, the times of all api_req_started messages
// (placeholders included), the unusable usage messages, and a document-level
// error. It also fills t.cwd from a request's environment details when the
// side files gave none.
func decodeRequests(data []byte, t *task) (reqs []request, starts []int64, p *problems, err error) {
	p = &problems{}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, p, fmt.Errorf("not a JSON document: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, nil, p, fmt.Errorf("not a JSON array of messages (starts with %v)", tok)
	}
	for dec.More() {
		var m rawMessage
		if err := dec.Decode(&m); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				continue // an element that is not a message object carries no usage
			}
			return reqs, starts, p, fmt.Errorf("message array breaks off: %w", err)
		}
		if isString(m.Say, sayAPIReqStarted) {
			if ts, err := millis(m.Ts); err == nil {
				starts = append(starts, ts)
			}
		}
		if r, ok := decodeRequest(m, t, p); ok {
			reqs = append(reqs, r)
		}
	}
	if _, err := dec.Token(); err != nil {
		return reqs, starts, p, fmt.Errorf("message array breaks off: %w", err)
	}
	return reqs, starts, p, nil
}

// decodeRequest returns the counts of one message when it is a usage message
// that has them. Unusable usage messages are added to p.
func decodeRequest(m rawMessage, t *task, p *problems) (request, bool) {
	say, _ := jsonString(m.Say)
	if _, ok := usageSays[say]; !ok {
		return request{}, false
	}
	if isNull(m.Text) {
		return request{}, false
	}
	text, ok := jsonString(m.Text)
	if !ok {
		p.add(m.Ts, "%s text is not a string", say)
		return request{}, false
	}
	if strings.TrimSpace(text) == "" {
		return request{}, false
	}
	var info apiReqInfo
	if err := json.Unmarshal([]byte(text), &info); err != nil {
		p.add(m.Ts, "%s text is not a JSON object: %v", say, err)
		return request{}, false
	}
	if t.cwd == "" {
		if req, ok := jsonString(info.Request); ok {
			t.cwd = cwdFromPrompt(req)
		}
	}
	r := request{say: say}
	var present bool
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *int64
	}{
		{"tokensIn", info.TokensIn, &r.c.in},
		{"tokensOut", info.TokensOut, &r.c.out},
		{"cacheReads", info.CacheReads, &r.c.cacheRead},
		{"cacheWrites", info.CacheWrites, &r.c.cacheWrite},
	} {
		n, ok, err := count(f.raw)
		if err != nil {
			p.add(m.Ts, "%s %s: %v", say, f.name, err)
			return request{}, false
		}
		*f.dst, present = n, present || ok
	}
	if !present {
		return request{}, false // still streaming: no counts yet
	}
	ts, err := millis(m.Ts)
	if err != nil {
		p.add(m.Ts, "%s: %v", say, err)
		return request{}, false
	}
	r.ts = ts
	r.protocol, _ = jsonString(info.APIProtocol)
	if !isNull(m.ModelInfo) {
		var mi modelInfo
		if json.Unmarshal(m.ModelInfo, &mi) == nil {
			r.model, _ = jsonString(mi.ModelID)
			r.provider, _ = jsonString(mi.ProviderID)
		}
	}
	return r, true
}
