package gen

import (
	"bufio"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Session describes one generated transcript (or the part of one that is
// appended to an existing file).
type Session struct {
	// Cwd is the working directory written on every line.
	Cwd string
	// ID is the session id (a UUID; the file stem for main transcripts).
	ID string
	// GitBranch is written on every conversation line.
	GitBranch string
	// Version is the Claude Code version (default DefaultVersion).
	Version string
	// Model is the main model (default: chosen from the seed).
	Model string
	// Start is the time of the first line.
	Start time.Time
	// Seed makes the content reproducible.
	Seed uint64
	// IDSpace is exactly 5 characters of [0-9A-Za-z] embedded in every
	// message, request and tool id, so that sessions given different spaces
	// never share an id. Generate uses "t" + 4 base-62 digits of the file
	// number; callers appending extra lines must use another first letter.
	IDSpace string
	// AgentID, when set, makes this a subagent transcript (isSidechain:true).
	AgentID string
}

// DefaultVersion is a Claude Code version that logs final output counts
// (2.1.97 and later do).
const DefaultVersion = "2.1.101"

// Models are the models sessions use, with their weights in percent.
var Models = []struct {
	Name   string
	Weight int
}{
	{"claude-opus-4-6", 55},
	{"claude-sonnet-4-6", 35},
	{"claude-haiku-4-5-20251001", 10},
}

const b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func appendBase62(b []byte, v uint64, digits int) []byte {
	var tmp [16]byte
	for i := digits - 1; i >= 0; i-- {
		tmp[i] = b62[v%62]
		v /= 62
	}
	return append(b, tmp[:digits]...)
}

func appendRandom62(b []byte, r *rand.Rand, n int) []byte {
	for range n {
		b = append(b, b62[r.IntN(62)])
	}
	return b
}

// appendUUID appends a random version-4 UUID.
func appendUUID(b []byte, r *rand.Rand) []byte {
	const hexd = "0123456789abcdef"
	x, y := r.Uint64(), r.Uint64()
	x = x&^(0xf<<12) | 4<<12
	y = y&^(3<<62) | 2<<62
	var raw [16]byte
	for i := range 8 {
		raw[i] = byte(x >> (56 - 8*i))
		raw[8+i] = byte(y >> (56 - 8*i))
	}
	for i, c := range raw {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexd[c>>4], hexd[c&15])
	}
	return b
}

// NewUUID returns a random version-4 UUID drawn from r.
func NewUUID(r *rand.Rand) string { return string(appendUUID(nil, r)) }

func appendTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
}

// logNormal draws exp(N(ln median, sigma)).
func logNormal(r *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(sigma*r.NormFloat64())
}

// Line sizes follow the reference trees: p10 ≈ 0.9 KB, median ≈ 1.9 KB,
// p90 ≈ 3.4 KB, never above about 4.7 KB.
func lineSize(r *rand.Rand) int {
	v := logNormal(r, 1900, 0.47)
	return int(min(max(v, 650), 4500))
}

type writer struct {
	s   Session
	r   *rand.Rand
	w   *bufio.Writer
	buf []byte
	// head is the escaped common part of conversation lines after
	// parentUuid: isSidechain … gitBranch (and agentId).
	head   []byte
	escCwd []byte
	t      time.Time
	parent []byte // uuid of the previous conversation line; nil = null
	msgN   uint64
	reqN   uint64
	toolN  uint64
	ctx    int64 // tokens already in the prompt cache
	oneH   bool  // cache writes go to the 1-hour cache
	model  string
	lastTU []byte // id of the last tool_use
	lastAU []byte // uuid of the assistant line that made it
	tot    Totals
	err    error
}

// WriteSession writes lines of a Claude Code conversation to w until at
// least size bytes were written (whole response groups only, every line
// ending in a newline) and returns the de-duplicated usage it wrote.
func WriteSession(w io.Writer, s Session, size int64) (Totals, error) {
	if len(s.IDSpace) != 5 {
		return Totals{}, errors.New("gen: IDSpace must be 5 characters")
	}
	for _, c := range []byte(s.IDSpace) {
		if !isAlnum(c) {
			return Totals{}, errors.New("gen: IDSpace must be [0-9A-Za-z]")
		}
	}
	if s.Version == "" {
		s.Version = DefaultVersion
	}
	r := rand.New(rand.NewPCG(s.Seed, 0x9e3779b97f4a7c15))
	g := &writer{s: s, r: r, t: s.Start, model: s.Model}
	if bw, ok := w.(*bufio.Writer); ok {
		g.w = bw
	} else {
		g.w = bufio.NewWriterSize(w, 256<<10)
	}
	if g.model == "" {
		n := r.IntN(100)
		for _, m := range Models {
			if n < m.Weight {
				g.model = m.Name
				break
			}
			n -= m.Weight
		}
	}
	g.oneH = r.IntN(10) < 7
	g.ctx = 0
	h := g.head[:0]
	if s.AgentID != "" {
		h = append(h, `,"isSidechain":true`...)
	} else {
		h = append(h, `,"isSidechain":false`...)
	}
	h = append(h, `,"userType":"external","cwd":"`...)
	h = append(h, escape(s.Cwd)...)
	h = append(h, `","sessionId":"`...)
	h = append(h, escape(s.ID)...)
	h = append(h, `","version":"`...)
	h = append(h, escape(s.Version)...)
	h = append(h, `","gitBranch":"`...)
	h = append(h, escape(s.GitBranch)...)
	h = append(h, '"')
	if s.AgentID != "" {
		h = append(h, `,"agentId":"`...)
		h = append(h, escape(s.AgentID)...)
		h = append(h, '"')
	}
	g.head = h
	g.escCwd = escape(s.Cwd)

	if s.AgentID == "" && r.IntN(8) == 0 {
		g.summary()
	}
	for g.tot.Bytes < size && g.err == nil {
		g.turn(size)
	}
	if g.err == nil {
		g.err = g.w.Flush()
	}
	return g.tot, g.err
}

func (g *writer) flushLine() {
	if g.err != nil {
		return
	}
	g.buf = append(g.buf, '\n')
	_, g.err = g.w.Write(g.buf)
	g.tot.Bytes += int64(len(g.buf))
	g.tot.Lines++
}

func (g *writer) tick(minMs, maxMs int) {
	g.t = g.t.Add(time.Duration(minMs+g.r.IntN(maxMs-minMs+1)) * time.Millisecond)
}

// begin starts a conversation line and returns its uuid.
func (g *writer) begin() []byte {
	b := g.buf[:0]
	b = append(b, `{"parentUuid":`...)
	if g.parent == nil {
		b = append(b, `null`...)
	} else {
		b = append(b, '"')
		b = append(b, g.parent...)
		b = append(b, '"')
	}
	b = append(b, g.head...)
	g.buf = b
	return appendUUID(nil, g.r)
}

func (g *writer) end(uuid []byte, tail func(b []byte) []byte) {
	b := g.buf
	b = append(b, `,"uuid":"`...)
	b = append(b, uuid...)
	b = append(b, `","timestamp":"`...)
	b = appendTime(b, g.t)
	b = append(b, '"')
	if tail != nil {
		b = tail(b)
	}
	b = append(b, '}')
	g.buf = b
	g.parent = uuid
	g.flushLine()
}

func (g *writer) summary() {
	b := g.buf[:0]
	b = append(b, `{"type":"summary","summary":"`...)
	b = appendWords(b, g.r, 3+g.r.IntN(6))
	b = append(b, `","leafUuid":"`...)
	b = appendUUID(b, g.r)
	b = append(b, `"}`...)
	g.buf = b
	g.flushLine()
}

func (g *writer) snapshot() {
	b := g.buf[:0]
	id := appendUUID(nil, g.r)
	b = append(b, `{"type":"file-history-snapshot","messageId":"`...)
	b = append(b, id...)
	b = append(b, `","snapshot":{"messageId":"`...)
	b = append(b, id...)
	b = append(b, `","trackedFileBackups":{},"timestamp":"`...)
	b = appendTime(b, g.t)
	b = append(b, `"},"isSnapshotUpdate":false}`...)
	g.buf = b
	g.flushLine()
}

// turn writes a user prompt and the responses and tool results that follow,
// until the assistant ends its turn (or the size is reached).
func (g *writer) turn(size int64) {
	g.tick(20_000, 1_800_000)
	if g.s.AgentID == "" && g.r.IntN(6) == 0 {
		g.snapshot()
	}
	g.prompt()
	steps := 1 + g.r.IntN(12)
	for i := 0; i < steps && g.err == nil; i++ {
		last := i == steps-1
		g.response(last)
		if !last && g.r.IntN(5) != 0 {
			g.toolResult()
		}
		if g.tot.Bytes >= size {
			return
		}
	}
	if g.s.AgentID == "" && g.r.IntN(8) == 0 {
		g.system()
	}
}

func (g *writer) prompt() {
	u := g.begin()
	b := g.buf
	b = append(b, `,"type":"user","message":{"role":"user","content":"`...)
	b = appendText(b, g.r, max(lineSize(g.r)-700, 40)/2)
	b = append(b, `"}`...)
	g.buf = b
	g.end(u, func(b []byte) []byte {
		return append(b, `,"thinkingMetadata":{"maxThinkingTokens":31999},"todos":[],"permissionMode":"default"`...)
	})
}

func (g *writer) system() {
	g.tick(50, 900)
	u := g.begin()
	b := g.buf
	b = append(b, `,"type":"system","subtype":"stop_hook_summary","hookCount":1,"hookInfos":[{"command":"~/.claude/hooks/notify.sh"}],"hookErrors":[],"preventedContinuation":false,"stopReason":"","hasOutput":false,"level":"suggestion"`...)
	g.buf = b
	g.end(u, nil)
}

func (g *writer) toolResult() {
	g.tick(200, 40_000)
	u := g.begin()
	n := max(lineSize(g.r)-620, 60)
	b := g.buf
	b = append(b, `,"type":"user","message":{"role":"user","content":[{"tool_use_id":"`...)
	b = append(b, g.lastTU...)
	b = append(b, `","type":"tool_result","content":"`...)
	textAt := len(b)
	b = appendText(b, g.r, n*2/3)
	text := b[textAt:]
	b = append(b, `","is_error":false}]}`...)
	g.buf = b
	src := g.lastAU
	// toolUseResult repeats part of the output, as Claude Code does.
	rep := append([]byte(nil), cutEscaped(text, len(text)/2)...)
	g.end(u, func(b []byte) []byte {
		b = append(b, `,"toolUseResult":{"stdout":"`...)
		b = append(b, rep...)
		b = append(b, `","stderr":"","interrupted":false,"isImage":false},"sourceToolAssistantUUID":"`...)
		b = append(b, src...)
		return append(b, '"')
	})
}

type usage struct {
	input, cacheWrite, cacheRead, output int64
}

// response writes one API response as one or two lines (content blocks
// sharing message.id and requestId).
func (g *writer) response(last bool) {
	r := g.r
	var u usage
	// Prompt: what was cached before is read; what was added is written.
	if g.ctx == 0 {
		u.cacheWrite = 9_000 + r.Int64N(16_000)
	} else {
		u.cacheRead = g.ctx
		u.cacheWrite = 100 + r.Int64N(6_000)
		if r.IntN(25) == 0 { // cache expired
			u.cacheRead, u.cacheWrite = 0, g.ctx+u.cacheWrite
		}
	}
	u.input = 1 + r.Int64N(8)
	if r.IntN(50) == 0 {
		u.input = 10 + r.Int64N(1_500)
	}
	u.output = int64(min(max(logNormal(r, 450, 1.15), 1), 32_000))
	g.ctx = u.cacheRead + u.cacheWrite + u.output
	if g.ctx > 170_000 { // compaction
		g.ctx = 12_000 + r.Int64N(20_000)
	}

	msgID := append([]byte("msg_01"), g.s.IDSpace...)
	msgID = appendBase62(msgID, g.msgN, 5)
	msgID = appendRandom62(msgID, r, 12)
	g.msgN++
	reqID := append([]byte("req_011C"), g.s.IDSpace...)
	reqID = appendBase62(reqID, g.reqN, 5)
	reqID = appendRandom62(reqID, r, 10)
	g.reqN++

	// Content blocks: about 65% of responses are logged as two lines.
	kinds := []byte{'x'}
	switch two := r.IntN(100) < 65; {
	case two && last:
		kinds = []byte{'k', 'x'}
	case two:
		if r.IntN(2) == 0 {
			kinds = []byte{'k', 't'}
		} else {
			kinds = []byte{'x', 't'}
		}
	case !last:
		kinds = []byte{'t'}
	}
	first := u
	if len(kinds) == 2 && r.IntN(2) == 0 {
		// An earlier block may carry a smaller (streamed) output count.
		first.output = min(u.output, 1+r.Int64N(30))
	}
	g.tick(1_500, 30_000)
	for i, k := range kinds {
		uu := u
		if i < len(kinds)-1 {
			uu = first
		}
		if i > 0 {
			g.tick(100, 4_000)
		}
		g.assistantLine(msgID, reqID, k, uu, i == len(kinds)-1)
		g.tot.UsageLines++
		if g.tot.First.IsZero() || g.t.Before(g.tot.First) {
			g.tot.First = g.t
		}
		if g.t.After(g.tot.Last) {
			g.tot.Last = g.t
		}
	}
	g.tot.Responses++
	g.tot.Input += u.input
	g.tot.Output += u.output
	g.tot.CacheRead += u.cacheRead
	g.tot.CacheWrite += u.cacheWrite
}

func (g *writer) assistantLine(msgID, reqID []byte, kind byte, u usage, lastBlock bool) {
	r := g.r
	id := g.begin()
	n := max(lineSize(r)-820, 30)
	b := g.buf
	b = append(b, `,"message":{"model":"`...)
	b = append(b, g.model...)
	b = append(b, `","id":"`...)
	b = append(b, msgID...)
	b = append(b, `","type":"message","role":"assistant","content":[`...)
	switch kind {
	case 'k':
		b = append(b, `{"type":"thinking","thinking":"`...)
		sig := min(n/3, 600)
		b = appendText(b, r, n-sig)
		b = append(b, `","signature":"`...)
		b = appendRandom62(b, r, sig)
		b = append(b, `"}`...)
	case 'x':
		b = append(b, `{"type":"text","text":"`...)
		b = appendText(b, r, n)
		b = append(b, `"}`...)
	case 't':
		tu := append([]byte("toolu_01"), g.s.IDSpace...)
		tu = appendBase62(tu, g.toolN, 5)
		tu = appendRandom62(tu, r, 12)
		g.toolN++
		g.lastTU, g.lastAU = tu, id
		name := toolNames[r.IntN(len(toolNames))]
		b = append(b, `{"type":"tool_use","id":"`...)
		b = append(b, tu...)
		b = append(b, `","name":"`...)
		b = append(b, name...)
		b = append(b, `","input":{`...)
		switch name {
		case "Bash":
			b = append(b, `"command":"go test ./... -run `...)
			b = appendWords(b, r, 2)
			b = append(b, `","description":"`...)
			b = appendText(b, r, n)
			b = append(b, '"')
		case "Edit", "Write":
			b = append(b, `"file_path":"`...)
			b = append(b, g.fileName()...)
			b = append(b, `","old_string":"`...)
			b = appendText(b, r, n/2)
			b = append(b, `","new_string":"`...)
			b = appendText(b, r, n/2)
			b = append(b, '"')
		default:
			b = append(b, `"file_path":"`...)
			b = append(b, g.fileName()...)
			b = append(b, `","pattern":"`...)
			b = appendText(b, r, n)
			b = append(b, '"')
		}
		b = append(b, `},"caller":{"type":"direct"}}`...)
	}
	b = append(b, `],"stop_reason":`...)
	switch {
	case !lastBlock:
		b = append(b, `null`...)
	case kind == 't':
		b = append(b, `"tool_use"`...)
	default:
		b = append(b, `"end_turn"`...)
	}
	b = append(b, `,"stop_sequence":null,"usage":{"input_tokens":`...)
	b = strconv.AppendInt(b, u.input, 10)
	b = append(b, `,"cache_creation_input_tokens":`...)
	b = strconv.AppendInt(b, u.cacheWrite, 10)
	b = append(b, `,"cache_read_input_tokens":`...)
	b = strconv.AppendInt(b, u.cacheRead, 10)
	b = append(b, `,"cache_creation":{"ephemeral_5m_input_tokens":`...)
	if g.oneH {
		b = append(b, `0,"ephemeral_1h_input_tokens":`...)
		b = strconv.AppendInt(b, u.cacheWrite, 10)
	} else {
		b = strconv.AppendInt(b, u.cacheWrite, 10)
		b = append(b, `,"ephemeral_1h_input_tokens":0`...)
	}
	b = append(b, `},"output_tokens":`...)
	b = strconv.AppendInt(b, u.output, 10)
	b = append(b, `,"service_tier":"standard","inference_geo":"global"}},"requestId":"`...)
	b = append(b, reqID...)
	b = append(b, `","type":"assistant"`...)
	g.buf = b
	g.end(id, nil)
}

func (g *writer) fileName() []byte {
	b := append([]byte(nil), g.escCwd...)
	b = append(b, '/')
	return append(b, escFileNames[g.r.IntN(len(escFileNames))]...)
}

// cutEscaped returns the longest prefix of the escaped JSON string content b
// that is at most n bytes long and ends neither inside an escape sequence
// nor inside a UTF-8 sequence.
func cutEscaped(b []byte, n int) []byte {
	i, last := 0, 0
	for i < len(b) && i <= n {
		last = i
		switch c := b[i]; {
		case c == '\\' && i+1 < len(b) && b[i+1] == 'u':
			i += 6
		case c == '\\':
			i += 2
		case c < 0x80:
			i++
		case c >= 0xf0:
			i += 4
		case c >= 0xe0:
			i += 3
		default:
			i += 2
		}
	}
	if i <= n && i <= len(b) {
		last = i
	}
	return b[:last]
}
