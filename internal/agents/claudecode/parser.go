package claudecode

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
	"github.com/tokenyield/tokenyield/internal/jsonfast"
)

// usageMarker is the prefilter: a line without it carries no usage and is
// not parsed at all.
var usageMarker = []byte(`"usage"`)

// hasUsageMarker reports whether line contains usageMarker, like
// bytes.Contains but about three times faster on transcripts: it searches for
// the marker's rare 'g' rather than for '"', which is everywhere in JSON.
func hasUsageMarker(line []byte) bool {
	// In Claude Code's own field order message.usage sits near the end of an
	// assistant line, after the (large) content: look there first.
	if len(line) > tailWindow {
		if bytes.Contains(line[len(line)-tailWindow:], usageMarker) {
			return true
		}
		line = line[:len(line)-tailWindow+len(usageMarker)-1]
	}
	return hasUsageMarkerForward(line)
}

// tailWindow is how much of a line's end hasUsageMarker searches first.
const tailWindow = 512

func hasUsageMarkerForward(line []byte) bool {
	const g = 4 // index of 'g' in usageMarker
	for i := g; i < len(line); {
		j := bytes.IndexByte(line[i:], 'g')
		if j < 0 {
			return false
		}
		i += j
		if i+3 <= len(line) && string(line[i-g:i+3]) == string(usageMarker) {
			return true
		}
		i++
	}
	return false
}

// The fields of one API message, relative to its envelope: the line itself
// for assistant lines, data.message for progress lines.
const (
	mID = iota
	mModel
	mUsage
	mInput
	mOutput
	mCacheRead
	mCacheWrite
	mCache5m
	mCache1h
	mSpeed
	mRequestID
	mAPIError
	mTime
	msgFields
)

var msgPaths = [msgFields]string{
	mID:         "message.id",
	mModel:      "message.model",
	mUsage:      "message.usage",
	mInput:      "message.usage.input_tokens",
	mOutput:     "message.usage.output_tokens",
	mCacheRead:  "message.usage.cache_read_input_tokens",
	mCacheWrite: "message.usage.cache_creation_input_tokens",
	mCache5m:    "message.usage.cache_creation.ephemeral_5m_input_tokens",
	mCache1h:    "message.usage.cache_creation.ephemeral_1h_input_tokens",
	mSpeed:      "message.usage.speed",
	mRequestID:  "requestId",
	mAPIError:   "isApiErrorMessage",
	mTime:       "timestamp",
}

// Line-level fields, then the two message groups.
const (
	fType = iota
	fSession
	fCwd
	fVersion
	fDataType // data.message.type of progress lines
	gLine     // message group of assistant lines
	gProgress = gLine + msgFields
	nFields   = gProgress + msgFields
)

var fields = func() *jsonfast.Fields {
	paths := make([]string, nFields)
	paths[fType] = "type"
	paths[fSession] = "sessionId"
	paths[fCwd] = "cwd"
	paths[fVersion] = "version"
	paths[fDataType] = "data.message.type"
	for i, p := range msgPaths {
		paths[gLine+i] = p
		paths[gProgress+i] = "data.message." + p
	}
	return jsonfast.MustCompile(paths...)
}()

// Errors for lines that should carry usage but cannot be used.
var (
	errBadJSON    = errors.New("malformed JSON")
	errNoModel    = errors.New("usage without a model")
	errNoTime     = errors.New("usage without a valid timestamp")
	errBadField   = errors.New("field of the wrong type")
	errBadNumbers = errors.New("bad token count")
)

// parser is the per-file parser. It keeps no state between lines that
// matters for resuming, only caches of the strings that repeat on every line.
type parser struct {
	buf []byte // scratch for decoded strings

	sessRaw, sess string // last raw sessionId and its hash
	cwd           string
	modelRaw      string // last message.model
	model, fast   string // its event model names, standard and fast mode
	version       string
	lower         bool // LowerBound for version
}

func newParser(string, []byte) (tail.Parser, error) { return &parser{}, nil }

// State is nil: no line depends on an earlier one.
func (p *parser) State() ([]byte, error) { return nil, nil }

// Line parses one transcript line.
func (p *parser) Line(line []byte, emit func(attribution.Event)) error {
	if !hasUsageMarker(line) {
		return nil
	}
	var v [nFields]jsonfast.Value
	if err := fields.Extract(line, v[:]); err != nil {
		return fmt.Errorf("claude-code: %w: %w", errBadJSON, err)
	}
	var m []jsonfast.Value
	typ, _ := v[fType].StringRaw()
	switch {
	case string(typ) == "assistant", !v[fType].Exists():
		// Lines without a type (ccusage's fixtures, which ccusage counts)
		// are read like assistant lines: only those carry message.usage.
		m = v[gLine : gLine+msgFields]
	case string(typ) == "progress":
		// A subagent's message embedded in the parent transcript.
		if t := v[fDataType]; t.Exists() {
			if s, _ := t.StringRaw(); string(s) != "assistant" {
				return nil
			}
		}
		m = v[gProgress : gProgress+msgFields]
	default:
		return nil
	}
	switch m[mUsage].Kind() {
	case jsonfast.Object:
	case jsonfast.Missing, jsonfast.Null:
		return nil // no usage on this record
	default:
		return fmt.Errorf("claude-code: message.usage: %w", errBadField)
	}
	if isErr, _ := m[mAPIError].Bool(); isErr {
		return nil // "API Error", "usage limit reached": no real usage
	}
	model, err := p.modelName(m[mModel], m[mSpeed])
	if err != nil {
		return err
	}
	if model == "" {
		return nil // <synthetic>
	}
	u, err := usage(m)
	if err != nil {
		return err
	}
	ts := m[mTime]
	if !ts.Exists() {
		ts = v[gLine+mTime] // progress lines: fall back to the line's time
	}
	t, err := parseTime(ts)
	if err != nil {
		return err
	}
	key, err := p.key(m[mID], m[mRequestID])
	if err != nil {
		return err
	}
	e := attribution.Event{
		Agent: attribution.AgentClaudeCode,
		Key:   key,
		Model: model,
		Time:  t,
		Usage: u,
	}
	if e.Session, err = p.session(v[fSession]); err != nil {
		return err
	}
	if e.Cwd, err = p.cwdOf(v[fCwd]); err != nil {
		return err
	}
	e.LowerBound = p.lowerBound(v[fVersion])
	emit(e)
	return nil
}

// usage reads and checks the token counts of message m.
func usage(m []jsonfast.Value) (attribution.Usage, error) {
	input, err1 := m[mInput].Int64()
	output, err2 := m[mOutput].Int64()
	cacheRead, err3 := optInt(m[mCacheRead])
	var cacheWrite int64
	var err4 error
	if m[mCacheWrite].Exists() {
		cacheWrite, err4 = m[mCacheWrite].Int64()
	} else {
		// No total: use the per-TTL split when there is one.
		c5, e5 := optInt(m[mCache5m])
		c1, e1 := optInt(m[mCache1h])
		cacheWrite, err4 = c5+c1, errors.Join(e5, e1)
	}
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return attribution.Usage{}, fmt.Errorf("claude-code: %w: %w", errBadNumbers, err)
	}
	u := attribution.FromAnthropic(input, cacheRead, cacheWrite, output)
	if err := u.Validate(); err != nil {
		return attribution.Usage{}, fmt.Errorf("claude-code: %w", err)
	}
	return u, nil
}

// optInt reads an optional count: a missing field is zero.
func optInt(v jsonfast.Value) (int64, error) {
	if !v.Exists() {
		return 0, nil
	}
	return v.Int64()
}

// text decodes a string field into p.buf; missing and null read as empty.
func (p *parser) text(v jsonfast.Value) ([]byte, error) {
	switch v.Kind() {
	case jsonfast.Missing, jsonfast.Null:
		return nil, nil
	case jsonfast.String:
	default:
		return nil, errBadField
	}
	var err error
	p.buf, err = v.AppendString(p.buf[:0])
	return p.buf, err
}

// modelName returns the event's model name, with "-fast" for fast mode, or
// "" for a synthetic message.
func (p *parser) modelName(mv, speed jsonfast.Value) (string, error) {
	b, err := p.text(mv)
	if err != nil {
		return "", fmt.Errorf("claude-code: message.model: %w", err)
	}
	if len(b) == 0 {
		return "", fmt.Errorf("claude-code: %w", errNoModel)
	}
	if string(b) == "<synthetic>" {
		return "", nil
	}
	if string(b) != p.modelRaw {
		p.modelRaw = string(b)
		p.model, p.fast = attribution.ModelName(p.modelRaw), attribution.ModelName(p.modelRaw+"-fast")
	}
	if s, _ := speed.StringRaw(); string(s) == "fast" {
		return p.fast, nil
	}
	return p.model, nil
}

// key returns the event's identity for de-duplication across all files:
// "m:"+message.id, else "r:"+requestId, else "" (never de-duplicated).
//
// The message id alone is the key because it is unique per API response and
// survives every way Claude Code copies a response: the per-content-block
// lines of one response share it, resumed and forked sessions copy history
// into new files keeping it, and sidechain replays (/btw side questions) keep
// it while getting a new requestId; ccusage matches those on message.id
// alone too. Keying on (message.id, requestId) would count such replays
// twice. Dedup then keeps the field-wise maximum of the copies.
func (p *parser) key(id, req jsonfast.Value) (string, error) {
	b, err := p.text(id)
	if err != nil {
		return "", fmt.Errorf("claude-code: message.id: %w", err)
	}
	if len(b) > 0 {
		return "m:" + string(b), nil
	}
	if b, err = p.text(req); err != nil {
		return "", fmt.Errorf("claude-code: requestId: %w", err)
	}
	if len(b) > 0 {
		return "r:" + string(b), nil
	}
	return "", nil
}

// session returns the hashed session id, cached: it rarely changes within a
// file.
func (p *parser) session(v jsonfast.Value) (string, error) {
	b, err := p.text(v)
	if err != nil {
		return "", fmt.Errorf("claude-code: sessionId: %w", err)
	}
	if string(b) != p.sessRaw {
		p.sessRaw = string(b)
		p.sess = attribution.HashSession(attribution.AgentClaudeCode, p.sessRaw)
	}
	return p.sess, nil
}

// cwdOf returns the line's working directory, cached.
func (p *parser) cwdOf(v jsonfast.Value) (string, error) {
	b, err := p.text(v)
	if err != nil {
		return "", fmt.Errorf("claude-code: cwd: %w", err)
	}
	if string(b) != p.cwd {
		p.cwd = string(b)
	}
	return p.cwd, nil
}

// lowerBound reports whether the line's Claude Code version is older than
// 2.1.97, whose transcripts hold streaming snapshots rather than final counts.
// A missing or unreadable version is not marked.
func (p *parser) lowerBound(v jsonfast.Value) bool {
	b, err := v.StringRaw()
	if err != nil {
		return false
	}
	if string(b) != p.version {
		p.version = string(b)
		p.lower = versionBefore(b, 2, 1, 97)
	}
	return p.lower
}

// versionBefore reports whether the version "X.Y.Z[suffix]" is below
// major.minor.patch; a version that does not start with three numbers is not.
func versionBefore(b []byte, major, minor, patch int) bool {
	var part [3]int
	i := 0
	for k := range part {
		if k > 0 {
			if i >= len(b) || b[i] != '.' {
				return false
			}
			i++
		}
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' && i-start < 9 {
			part[k] = part[k]*10 + int(b[i]-'0')
			i++
		}
		if i == start {
			return false
		}
	}
	if part[0] != major {
		return part[0] < major
	}
	if part[1] != minor {
		return part[1] < minor
	}
	return part[2] < patch
}

// parseTime reads a timestamp, with a fast path for Claude Code's
// "2006-01-02T15:04:05.000Z".
func parseTime(v jsonfast.Value) (time.Time, error) {
	b, err := v.StringRaw()
	if err != nil {
		return time.Time{}, fmt.Errorf("claude-code: %w", errNoTime)
	}
	if t, ok := parseMillisUTC(b); ok {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, fmt.Errorf("claude-code: %w: %w", errNoTime, err)
	}
	return t, nil
}

// parseMillisUTC parses exactly "YYYY-MM-DDTHH:MM:SS.mmmZ".
func parseMillisUTC(b []byte) (time.Time, bool) {
	if len(b) != 24 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' ||
		b[16] != ':' || b[19] != '.' || b[23] != 'Z' {
		return time.Time{}, false
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(b[0:4])
	month, ok2 := num(b[5:7])
	day, ok3 := num(b[8:10])
	hour, ok4 := num(b[11:13])
	minute, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	ms, ok7 := num(b[20:23])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || !ok7 ||
		month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, ms*int(time.Millisecond), time.UTC), true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
