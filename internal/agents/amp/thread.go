package amp

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// thread is the part of a thread document the reader uses. Messages and
// ledger events stay raw so that one record of an unexpected shape costs that
// record only.
type thread struct {
	ID      string          `json:"id"`
	Created json.RawMessage `json:"created"`
	Env     struct {
		Initial struct {
			Trees []struct {
				URI string `json:"uri"`
			} `json:"trees"`
		} `json:"initial"`
	} `json:"env"`
	Messages    []json.RawMessage `json:"messages"`
	UsageLedger *struct {
		Events []json.RawMessage `json:"events"`
	} `json:"usageLedger"`
}

// message is an entry of messages[].
type message struct {
	Role      string          `json:"role"`
	MessageID json.RawMessage `json:"messageId"`
	State     *struct {
		Type string `json:"type"`
	} `json:"state"`
	Usage *messageUsage `json:"usage"`
}

// messageUsage is an assistant message's usage.
type messageUsage struct {
	Model                    string `json:"model"`
	Timestamp                string `json:"timestamp"`
	InputTokens              count  `json:"inputTokens"`
	OutputTokens             count  `json:"outputTokens"`
	CacheCreationInputTokens count  `json:"cacheCreationInputTokens"`
	CacheReadInputTokens     count  `json:"cacheReadInputTokens"`
}

// ledgerEvent is an entry of usageLedger.events[].
type ledgerEvent struct {
	ID            json.RawMessage `json:"id"`
	Timestamp     string          `json:"timestamp"`
	Model         string          `json:"model"`
	OperationType string          `json:"operationType"`
	ToMessageID   json.RawMessage `json:"toMessageId"`
	Tokens        *struct {
		Input  count `json:"input"`
		Output count `json:"output"`
	} `json:"tokens"`
}

// inference reports whether the event is the model call that wrote its
// message (operationType "inference", or none given) rather than another
// operation billed to the message (a subagent or oracle call, say).
func (e ledgerEvent) inference() bool {
	return e.OperationType == "" || e.OperationType == "inference"
}

// assistant is an assistant message with usage, as the ledger links to it.
type assistant struct {
	key        string // "<thread>/m/<id>" or "<thread>/i/<index>"
	id         string // messageId text ("" when absent)
	usage      messageUsage
	inProgress bool
}

// threadReader holds what every event of one document shares.
type threadReader struct {
	threadID string
	session  string
	cwd      string
	created  time.Time
	emit     func(attribution.Event)
	bad      int   // records that should have carried usage but could not be used
	firstErr error // the first of them
}

// parseThread emits the usage events of one thread document (see the package
// documentation). path names the file, for the thread id fallback. It returns
// an error when the document is not a thread or when some usage records could
// not be used (after emitting the others).
func parseThread(data []byte, path string, emit func(attribution.Event)) error {
	var th thread
	if err := json.Unmarshal(data, &th); err != nil {
		return fmt.Errorf("amp: thread document: %w", err)
	}
	r := &threadReader{threadID: th.ID, emit: emit}
	if r.threadID == "" {
		r.threadID = strings.TrimSuffix(filepath.Base(path), ".json")
	}
	r.session = attribution.HashSession(attribution.AgentAmp, r.threadID)
	r.created, _ = millisTime(th.Created)
	for _, tree := range th.Env.Initial.Trees {
		if p := uriPath(tree.URI); p != "" {
			r.cwd = p
			break
		}
	}

	msgs, byID := r.assistants(th.Messages)
	var events []json.RawMessage
	if th.UsageLedger != nil {
		events = th.UsageLedger.Events
	}
	linked, unlinked := r.ledger(events, byID)
	if !unlinked {
		// Messages no ledger event points to are counted from their own
		// usage; their keys are the ones a later ledger event would take.
		for _, m := range msgs {
			if !linked[m.key] {
				r.message(m)
			}
		}
	}
	if r.bad > 0 {
		return fmt.Errorf("amp: thread %s: %d usage record(s) skipped, first: %w", r.threadID, r.bad, r.firstErr)
	}
	return nil
}

// skip records a usage record that could not be used.
func (r *threadReader) skip(err error) {
	if r.bad == 0 {
		r.firstErr = err
	}
	r.bad++
}

// assistants decodes the assistant messages that carry usage, in document
// order, and indexes them by messageId.
func (r *threadReader) assistants(raw []json.RawMessage) ([]*assistant, map[string]*assistant) {
	var out []*assistant
	byID := map[string]*assistant{}
	for i, rm := range raw {
		var m message
		if err := json.Unmarshal(rm, &m); err != nil {
			// Only records that mention usage are worth a complaint.
			if strings.Contains(string(rm), `"usage"`) {
				r.skip(fmt.Errorf("message %d: %w", i, err))
			}
			continue
		}
		if m.Role != "assistant" || m.Usage == nil {
			continue
		}
		a := &assistant{id: idText(m.MessageID), usage: *m.Usage}
		a.inProgress = m.State != nil && m.State.Type == "streaming"
		if a.id != "" {
			a.key = r.threadID + "/m/" + a.id
			if byID[a.id] == nil {
				byID[a.id] = a
			}
		} else {
			a.key = r.threadID + "/i/" + strconv.Itoa(i)
		}
		out = append(out, a)
	}
	return out, byID
}

// ledger emits the ledger events. It returns the message keys some event
// took, and whether some event has no toMessageId.
func (r *threadReader) ledger(raw []json.RawMessage, byID map[string]*assistant) (linked map[string]bool, unlinked bool) {
	type entry struct {
		ev    ledgerEvent
		index int
		to    string
	}
	var entries []entry
	for i, rm := range raw {
		var ev ledgerEvent
		if err := json.Unmarshal(rm, &ev); err != nil {
			r.skip(fmt.Errorf("ledger event %d: %w", i, err))
			continue
		}
		if ev.Tokens == nil {
			r.skip(fmt.Errorf("ledger event %d: no tokens", i))
			continue
		}
		to := idText(ev.ToMessageID)
		if to == "" {
			unlinked = true
		}
		entries = append(entries, entry{ev, i, to})
	}
	// Choose, for each message, the event that owns its key: the first
	// inference event pointing to it, else the first pointing to it. The
	// choice depends on the ledger only, so that it does not change when the
	// message's usage is written before or after its events.
	owner := map[string]int{} // messageId -> index into entries
	for k, e := range entries {
		if e.to == "" {
			continue
		}
		prev, ok := owner[e.to]
		if !ok || (!entries[prev].ev.inference() && e.ev.inference()) {
			owner[e.to] = k
		}
	}
	linked = map[string]bool{}
	for k, e := range entries {
		u := attribution.FromAnthropic(int64(e.ev.Tokens.Input), 0, 0, int64(e.ev.Tokens.Output))
		ev := attribution.Event{Model: e.ev.Model}
		var when time.Time
		if own, ok := owner[e.to]; ok && own == k {
			ev.Key = r.threadID + "/m/" + e.to
			linked[ev.Key] = true
			if m := byID[e.to]; m != nil {
				u.CacheRead = int64(m.usage.CacheReadInputTokens)
				u.CacheWrite = int64(m.usage.CacheCreationInputTokens)
				if ev.Model == "" {
					ev.Model = m.usage.Model
				}
				when, _ = parseTime(m.usage.Timestamp)
			}
		} else {
			id := idText(e.ev.ID)
			if id == "" {
				id = "#" + strconv.Itoa(e.index)
			}
			ev.Key = r.threadID + "/l/" + id
		}
		if t, ok := parseTime(e.ev.Timestamp); ok {
			when = t
		}
		if err := r.send(ev, u, when); err != nil {
			r.skip(fmt.Errorf("ledger event %d: %w", e.index, err))
		}
	}
	return linked, unlinked
}

// message emits an assistant message's own usage.
func (r *threadReader) message(m *assistant) {
	u := attribution.FromAnthropic(int64(m.usage.InputTokens), int64(m.usage.CacheReadInputTokens),
		int64(m.usage.CacheCreationInputTokens), int64(m.usage.OutputTokens))
	when, _ := parseTime(m.usage.Timestamp)
	ev := attribution.Event{Key: m.key, Model: m.usage.Model, LowerBound: m.inProgress}
	if err := r.send(ev, u, when); err != nil {
		r.skip(fmt.Errorf("message %s: %w", m.key, err))
	}
}

// send completes and emits an event; a zero vector emits nothing.
func (r *threadReader) send(ev attribution.Event, u attribution.Usage, when time.Time) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.IsZero() {
		return nil
	}
	if when.IsZero() {
		when = r.created
	}
	if when.IsZero() {
		return errNoTime
	}
	ev.Agent = attribution.AgentAmp
	ev.Session = r.session
	ev.Cwd = r.cwd
	ev.Model = attribution.ModelName(ev.Model)
	ev.Time = when
	ev.Usage = u
	r.emit(ev)
	return nil
}
