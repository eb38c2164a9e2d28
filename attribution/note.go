package attribution

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// NoteVersion is the schema version written in every note's "v" field.
const NoteVersion = 1

// Limits applied when decoding a note, which may come from an untrusted fork.
const (
	MaxNoteBytes  = 256 << 10 // a real note is a few hundred bytes
	MaxNoteRows   = 1000
	maxNameLength = 128
	maxCostUSD    = 1e9
)

// Note is the usage a commit carries, stored as canonical JSON on
// refs/notes/tokenyield. It holds counts, agent and model names and hashed
// session ids only: never prompt text, code or paths.
type Note struct {
	// V is the schema version, always NoteVersion.
	V int `json:"v"`
	// Tool is the writer, e.g. "tokenyield/0.1.0".
	Tool string `json:"tool,omitempty"`
	// Rows are the per (agent, session, model) sums, in canonical order.
	Rows []Row `json:"rows"`
	// Total is the sum of Rows.
	Total Total `json:"total"`
	// Estimated is true when any row is estimated.
	Estimated bool `json:"estimated,omitempty"`
}

// Row is the usage of one agent session with one model inside a note.
type Row struct {
	Agent   string `json:"agent"`
	Session string `json:"session,omitempty"`
	Model   string `json:"model"`
	Usage
	// Requests is the number of distinct model calls summed (an increment of
	// a call counted in an earlier note adds tokens, not a request).
	Requests int64 `json:"requests"`
	// First and Last bound the events' times (UTC, second precision).
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	// CostUSD is the priced cost, or nil when the model's price is unknown.
	CostUSD *float64 `json:"cost_usd"`
	// Estimated marks estimated figures; LowerBound marks known under-counts.
	Estimated  bool `json:"estimated,omitempty"`
	LowerBound bool `json:"lower_bound,omitempty"`
}

// Total is the sum of a note's rows.
type Total struct {
	Usage
	// Total is Usage.Total(), written out for readers of the raw JSON.
	Total int64 `json:"total"`
	// CostUSD is nil when any row's cost is unknown.
	CostUSD *float64 `json:"cost_usd"`
}

// Pricer prices one event's usage. It returns false when the model's price
// is unknown, which makes the cost unknown (never zero).
type Pricer interface {
	Cost(model string, u Usage) (usd float64, ok bool)
}

// Sum builds a canonical note from events, grouping by (agent, session,
// model). A nil pricer leaves every cost unknown.
func Sum(events []Event, pricer Pricer) Note {
	type groupKey struct{ agent, session, model string }
	type group struct {
		row      Row
		cost     float64
		unpriced bool
	}
	groups := map[groupKey]*group{}
	for _, e := range events {
		// A name a note may not hold (a reader let an odd one through)
		// becomes "unknown" rather than making the whole note invalid.
		agent, model, session := e.Agent, e.Model, e.Session
		if !validName(agent, false) {
			agent = UnknownName
		}
		if !validName(model, false) {
			model = UnknownName
		}
		if !validName(session, true) {
			session = UnknownName
		}
		k := groupKey{agent, session, model}
		g := groups[k]
		if g == nil {
			g = &group{row: Row{Agent: agent, Session: session, Model: model, First: e.Time, Last: e.Time}}
			groups[k] = g
		}
		g.row.Usage = g.row.Usage.Add(e.Usage)
		if !e.Increment {
			g.row.Requests++
		}
		if e.Time.Before(g.row.First) {
			g.row.First = e.Time
		}
		if e.Time.After(g.row.Last) {
			g.row.Last = e.Time
		}
		g.row.Estimated = g.row.Estimated || e.Estimated
		g.row.LowerBound = g.row.LowerBound || e.LowerBound
		if pricer == nil {
			g.unpriced = true
			continue
		}
		c, ok := pricer.Cost(e.Model, e.Usage)
		if !ok {
			g.unpriced = true
		}
		g.cost += c
	}
	n := Note{V: NoteVersion}
	for _, g := range groups {
		if !g.unpriced {
			g.row.CostUSD = ptr(g.cost)
		}
		n.Rows = append(n.Rows, g.row)
	}
	n.Canonicalize()
	return n
}

func ptr(f float64) *float64 { return &f }

// Canonicalize sorts rows, truncates times to UTC seconds, rounds costs to
// micro-dollars and recomputes Total and Estimated, so that equal notes encode
// to equal bytes.
func (n *Note) Canonicalize() {
	n.V = NoteVersion
	sort.Slice(n.Rows, func(i, j int) bool {
		a, b := n.Rows[i], n.Rows[j]
		if a.Agent != b.Agent {
			return a.Agent < b.Agent
		}
		if a.Model != b.Model {
			return a.Model < b.Model
		}
		return a.Session < b.Session
	})
	var t Total
	var cost float64
	known := len(n.Rows) > 0
	n.Estimated = false
	for i := range n.Rows {
		r := &n.Rows[i]
		r.First = r.First.UTC().Truncate(time.Second)
		r.Last = r.Last.UTC().Truncate(time.Second)
		if r.CostUSD != nil {
			r.CostUSD = ptr(roundMicro(*r.CostUSD))
			cost += *r.CostUSD
		} else {
			known = false
		}
		t.Usage = t.Usage.Add(r.Usage)
		n.Estimated = n.Estimated || r.Estimated
	}
	t.Total = t.Usage.Total()
	if known {
		t.CostUSD = ptr(roundMicro(cost))
	}
	n.Total = t
	if n.Rows == nil {
		n.Rows = []Row{}
	}
}

func roundMicro(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// Merge returns the union of two notes: rows with the same (agent, session,
// model) are summed. Use it when commits are squashed together; the caller is
// responsible for not merging the same usage twice.
func Merge(a, b Note) Note {
	return combine(a, b, func(m *Row, r Row) {
		m.Usage = m.Usage.Add(r.Usage)
		m.Requests += r.Requests
		if r.First.Before(m.First) {
			m.First = r.First
		}
		if r.Last.After(m.Last) {
			m.Last = r.Last
		}
		if m.CostUSD != nil && r.CostUSD != nil {
			m.CostUSD = ptr(*m.CostUSD + *r.CostUSD)
		} else {
			m.CostUSD = nil
		}
		m.Estimated = m.Estimated || r.Estimated
		m.LowerBound = m.LowerBound || r.LowerBound
	})
}

// combine matches the rows of a and b by (agent, session, model) and folds
// each row of b into a's row of the same key with same.
func combine(a, b Note, same func(into *Row, r Row)) Note {
	out := Note{V: NoteVersion, Tool: a.Tool}
	if out.Tool == "" {
		out.Tool = b.Tool
	}
	idx := map[[3]string]int{}
	for _, r := range append(append([]Row{}, a.Rows...), b.Rows...) {
		k := [3]string{r.Agent, r.Session, r.Model}
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out.Rows)
			out.Rows = append(out.Rows, r)
			continue
		}
		same(&out.Rows[i], r)
	}
	out.Canonicalize()
	return out
}

// Encode returns the canonical JSON encoding of the note (compact, one line).
func (n Note) Encode() ([]byte, error) {
	n.Canonicalize()
	if err := n.validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(n)
	if err != nil {
		return nil, fmt.Errorf("encode note: %w", err)
	}
	return b, nil
}

// ErrBadNote reports a note that is malformed, too large, of another schema
// version, or internally inconsistent.
var ErrBadNote = errors.New("bad tokenyield note")

// DecodeNote parses and strictly validates a note. Anything not written by a
// well-behaved tokenyield (unknown fields, wrong version, negative or absurd
// numbers, odd names, totals that do not add up, over MaxNoteBytes) is
// rejected with an error wrapping ErrBadNote.
func DecodeNote(data []byte) (Note, error) {
	if len(data) > MaxNoteBytes {
		return Note{}, fmt.Errorf("%w: %d bytes exceeds the %d byte limit", ErrBadNote, len(data), MaxNoteBytes)
	}
	var probe struct {
		V *int `json:"v"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return Note{}, fmt.Errorf("%w: %w", ErrBadNote, err)
	}
	if probe.V == nil || *probe.V != NoteVersion {
		return Note{}, fmt.Errorf("%w: unsupported schema version (want v=%d)", ErrBadNote, NoteVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var n Note
	if err := dec.Decode(&n); err != nil {
		return Note{}, fmt.Errorf("%w: %w", ErrBadNote, err)
	}
	if dec.More() {
		return Note{}, fmt.Errorf("%w: trailing data", ErrBadNote)
	}
	if err := n.validate(); err != nil {
		return Note{}, err
	}
	claimed := n.Total
	n.Canonicalize()
	if claimed.Usage != n.Total.Usage || claimed.Total != n.Total.Total {
		return Note{}, fmt.Errorf("%w: total does not equal the sum of rows", ErrBadNote)
	}
	return n, nil
}

func (n Note) validate() error {
	if n.V != NoteVersion {
		return fmt.Errorf("%w: version %d", ErrBadNote, n.V)
	}
	if len(n.Rows) > MaxNoteRows {
		return fmt.Errorf("%w: %d rows exceeds %d", ErrBadNote, len(n.Rows), MaxNoteRows)
	}
	if !validName(n.Tool, true) {
		return fmt.Errorf("%w: bad tool name", ErrBadNote)
	}
	var sum int64
	for i, r := range n.Rows {
		if !validName(r.Agent, false) || !validName(r.Model, false) || !validName(r.Session, true) {
			return fmt.Errorf("%w: row %d: bad agent, model or session name", ErrBadNote, i)
		}
		if err := r.Usage.Validate(); err != nil {
			return fmt.Errorf("%w: row %d: %w", ErrBadNote, i, err)
		}
		if r.Requests < 0 || r.Requests > MaxTokensPerEvent {
			return fmt.Errorf("%w: row %d: bad request count", ErrBadNote, i)
		}
		if r.CostUSD != nil && !(*r.CostUSD >= 0 && *r.CostUSD <= maxCostUSD) {
			return fmt.Errorf("%w: row %d: bad cost", ErrBadNote, i)
		}
		if r.Last.Before(r.First) {
			return fmt.Errorf("%w: row %d: last before first", ErrBadNote, i)
		}
		sum += r.Usage.Total()
		if sum > MaxTokensPerEvent*MaxNoteRows {
			return fmt.Errorf("%w: totals overflow", ErrBadNote)
		}
	}
	return nil
}

// validName accepts the short identifiers a note may hold: letters, digits and
// a few separators. This keeps Markdown, HTML, mentions and paths out.
func validName(s string, emptyOK bool) bool {
	if s == "" {
		return emptyOK
	}
	if len(s) > maxNameLength || strings.HasPrefix(s, "/") || strings.Contains(s, "..") {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == ':', c == '/', c == '+', c == '[', c == ']':
		default:
			return false
		}
	}
	return true
}

// UnknownName replaces, in a note, an agent, model or session name that a
// note may not hold (see ValidName).
const UnknownName = "unknown"

// ValidName reports whether s may appear as an agent or model name in a note.
// Readers use it to replace odd model names before they reach a note.
func ValidName(s string) bool { return validName(s, false) }

// ModelName is the model name an event carries, from what a log records:
// the first of candidates that is not blank (a record's own model, then the
// fallbacks its reader knows), trimmed, or UnknownName when that one is not
// a ValidName or every candidate is blank.
func ModelName(candidates ...string) string {
	for _, m := range candidates {
		if m = strings.TrimSpace(m); m == "" {
			continue
		}
		if !ValidName(m) {
			return UnknownName
		}
		return m
	}
	return UnknownName
}

// Union merges two notes written for the same commit by different clones
// (notes sync): rows are matched by (agent, session, model); a row present in
// both is the same usage seen twice, so the one with the larger total is kept
// rather than summed. Use Merge instead when combining different commits.
func Union(a, b Note) Note {
	return combine(a, b, func(m *Row, r Row) {
		if r.Usage.Total() > m.Usage.Total() {
			*m = r
		}
	})
}
