package aider

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// Line prefixes of the chat history that matter.
var (
	headerPrefix = []byte("# aider chat started at ")
	tokensPrefix = []byte("> Tokens: ")
	// modelPrefixes start the model announcement aider prints when a session
	// starts or the model changes; the model name follows, then " with ".
	modelPrefixes = [][]byte{[]byte("> Model: "), []byte("> Main model: "), []byte("> Models: ")}
)

// startLayout is the layout of a session header's local time.
const startLayout = "2006-01-02 15:04:05"

// errNoSession reports usage before any valid session header.
var errNoSession = errors.New("aider chat history: Tokens line before any session header")

// historyParser reads a chat history (.aider.chat.history.md).
type historyParser struct {
	cwd  string
	st   state
	when time.Time // st.Start read in time.Local, as UTC; zero without a session
}

// newHistoryParser resumes a chat history parser from st.
func newHistoryParser(cwd string, st state) (*historyParser, error) {
	p := &historyParser{cwd: cwd, st: st}
	if st.Start != "" {
		t, err := parseStart(st.Start)
		if err != nil {
			return nil, fmt.Errorf("aider parser state: %w", err)
		}
		p.when = t
	}
	return p, nil
}

// parseStart reads a session header's time in the machine's local zone.
func parseStart(s string) (time.Time, error) {
	t, err := time.ParseInLocation(startLayout, s, time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("session start %q: %w", s, err)
	}
	if t.Year() < 1970 {
		return time.Time{}, fmt.Errorf("session start %q: before 1970", s)
	}
	return t.UTC(), nil
}

// Line handles one line of the history. Only session headers, model
// announcements and Tokens lines matter; everything else (the conversation)
// is ignored.
func (p *historyParser) Line(line []byte, emit func(attribution.Event)) error {
	if len(line) == 0 {
		return nil
	}
	switch line[0] {
	case '#':
		if bytes.HasPrefix(line, headerPrefix) {
			return p.header(trimEnd(line[len(headerPrefix):]))
		}
	case '>':
		if bytes.HasPrefix(line, tokensPrefix) {
			return p.tokens(trimEnd(line[len(tokensPrefix):]), emit)
		}
		for _, pre := range modelPrefixes {
			if bytes.HasPrefix(line, pre) {
				p.model(string(line[len(pre):]))
				return nil
			}
		}
	}
	return nil
}

// header starts a new session. A header whose time cannot be read ends the
// current session without starting one, so that its usage is not credited
// to the previous session.
func (p *historyParser) header(rest []byte) error {
	start := string(rest)
	when, err := parseStart(start)
	if err != nil {
		p.st, p.when = state{}, time.Time{}
		return fmt.Errorf("aider chat history: %w", err)
	}
	seq := 0
	if start == p.st.Start {
		seq = p.st.Seq + 1
	}
	p.st = state{Start: start, Seq: seq}
	p.when = when
	return nil
}

// model reads a model announcement: "X with … edit format…" after the
// prefix. Lines without " with " are other messages and are ignored.
func (p *historyParser) model(rest string) {
	name, _, ok := strings.Cut(rest, " with ")
	if !ok {
		return
	}
	if fields := strings.Fields(name); len(fields) > 0 {
		p.st.Model = cleanModel(fields[0])
	}
}

// tokens emits the event of a Tokens line (rest follows "> Tokens: ").
//
// Every Tokens line of a session takes a rank, even one that cannot be read,
// so that a later version that reads more wordings keeps the keys of the
// lines after it.
func (p *historyParser) tokens(rest []byte, emit func(attribution.Event)) error {
	if p.st.Start == "" {
		return errNoSession
	}
	rank := p.st.Next
	p.st.Next++
	t, err := parseTokens(string(rest))
	if err != nil {
		return fmt.Errorf("aider chat history: %w", err)
	}
	usage := t.usage()
	if err := usage.Validate(); err != nil {
		return fmt.Errorf("aider chat history: %w", err)
	}
	session := p.st.Start + "#" + strconv.Itoa(p.st.Seq)
	model := p.st.Model
	if model == "" {
		model = attribution.UnknownName
	}
	emit(attribution.Event{
		Agent:     attribution.AgentAider,
		Session:   attribution.HashSession(attribution.AgentAider, session),
		Key:       "h:" + session + ":" + strconv.Itoa(rank),
		Model:     model,
		Time:      p.when,
		Cwd:       p.cwd,
		Usage:     usage,
		Estimated: t.rounded,
	})
	return nil
}

// State returns the current session, its model and the next line rank.
func (p *historyParser) State() ([]byte, error) { return marshalState(p.st) }

// trimEnd drops the trailing spaces aider writes after a line (Markdown
// line breaks) and tabs.
func trimEnd(b []byte) []byte { return bytes.TrimRight(b, " \t") }
