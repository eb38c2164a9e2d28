package ledger

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/tokenyield/tokenyield/attribution"
)

// TrailerKey is the commit message trailer that carries token usage.
const TrailerKey = "AI-Tokens"

// Limits applied when parsing trailers, which may come from anyone's commit.
const (
	// MaxTrailerLines is the most AI-Tokens lines one message may hold.
	MaxTrailerLines = 200
	// MaxTrailerLineBytes is the longest AI-Tokens line accepted.
	MaxTrailerLineBytes = 512
)

// ErrBadTrailer reports an AI-Tokens trailer that does not follow the
// grammar or exceeds a limit.
var ErrBadTrailer = errors.New("bad AI-Tokens trailer")

const trailerPrefix = TrailerKey + ":"

// maxTrailerUSD bounds a trailer's cost, as notes bound theirs.
const maxTrailerUSD = 1e9

// trailerKeys are the numeric keys of a trailer line, in order.
var trailerKeys = [...]string{"in", "out", "cr", "cw", "rs", "req"}

type agentModel struct{ agent, model string }

// trailerSum is the usage of one (agent, model), over sessions or lines.
type trailerSum struct {
	usage      attribution.Usage
	requests   int64
	cost       float64
	costKnown  bool
	estimated  bool
	lowerBound bool
}

func (s *trailerSum) add(o trailerSum) {
	s.usage = s.usage.Add(o.usage)
	s.requests += o.requests
	s.cost += o.cost
	s.costKnown = s.costKnown && o.costKnown
	s.estimated = s.estimated || o.estimated
	s.lowerBound = s.lowerBound || o.lowerBound
}

// sumByAgentModel sums a note's rows per (agent, model) and returns the keys
// in canonical order.
func sumByAgentModel(n attribution.Note) ([]agentModel, map[agentModel]*trailerSum) {
	sums := map[agentModel]*trailerSum{}
	var keys []agentModel
	for _, r := range n.Rows {
		k := agentModel{r.Agent, r.Model}
		row := trailerSum{usage: r.Usage, requests: r.Requests, costKnown: r.CostUSD != nil, estimated: r.Estimated, lowerBound: r.LowerBound}
		if r.CostUSD != nil {
			row.cost = *r.CostUSD
		}
		if s := sums[k]; s != nil {
			s.add(row)
			continue
		}
		sums[k] = &row
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].agent != keys[j].agent {
			return keys[i].agent < keys[j].agent
		}
		return keys[i].model < keys[j].model
	})
	return keys, sums
}

func formatUSD(s *trailerSum) string {
	if !s.costKnown {
		return "?"
	}
	return strconv.FormatFloat(math.Round(s.cost*1e4)/1e4, 'f', 4, 64)
}

// FormatTrailers returns the AI-Tokens lines (without newlines) for n: one
// per (agent, model), its rows summed over sessions, in canonical order. An
// empty note has none.
func FormatTrailers(n attribution.Note) []string {
	keys, sums := sumByAgentModel(n)
	lines := make([]string, 0, len(keys))
	for _, k := range keys {
		s := sums[k]
		u := s.usage
		line := fmt.Sprintf("%s %s %s in=%d out=%d cr=%d cw=%d rs=%d req=%d usd=%s",
			trailerPrefix, k.agent, k.model, u.Input, u.Output, u.CacheRead, u.CacheWrite, u.Reasoning, s.requests, formatUSD(s))
		if s.estimated {
			line += " est"
		}
		if s.lowerBound {
			line += " lb"
		}
		lines = append(lines, line)
	}
	return lines
}

// isTrailerLine reports whether line starts with "AI-Tokens:" in any case.
func isTrailerLine(line string) bool {
	return len(line) >= len(trailerPrefix) && strings.EqualFold(line[:len(trailerPrefix)], trailerPrefix)
}

// ParseTrailers finds every AI-Tokens line of message (any line starting
// with "AI-Tokens:", case-insensitively), parses each strictly, and sums the
// lines of the same (agent, model). It returns the sums as a note with
// Session "" rows and no times, and the number of lines found. A message
// without AI-Tokens lines gives an empty note and 0. Errors wrap
// ErrBadTrailer.
func ParseTrailers(message string) (attribution.Note, int, error) {
	sums := map[agentModel]*trailerSum{}
	count := 0
	lineNo := 0
	for rest := message; rest != ""; {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		lineNo++
		if !isTrailerLine(line) {
			continue
		}
		count++
		if count > MaxTrailerLines {
			return attribution.Note{}, 0, fmt.Errorf("%w: more than %d lines", ErrBadTrailer, MaxTrailerLines)
		}
		if len(line) > MaxTrailerLineBytes {
			return attribution.Note{}, 0, fmt.Errorf("%w: line %d is %d bytes, over %d", ErrBadTrailer, lineNo, len(line), MaxTrailerLineBytes)
		}
		k, s, err := parseTrailerLine(line)
		if err != nil {
			return attribution.Note{}, 0, fmt.Errorf("%w: line %d: %w", ErrBadTrailer, lineNo, err)
		}
		if old := sums[k]; old != nil {
			old.add(s)
		} else {
			sums[k] = &s
		}
	}
	n := attribution.Note{V: attribution.NoteVersion}
	for k, s := range sums {
		r := attribution.Row{Agent: k.agent, Model: k.model, Usage: s.usage, Requests: s.requests, Estimated: s.estimated, LowerBound: s.lowerBound}
		if s.costKnown {
			c := s.cost
			r.CostUSD = &c
		}
		n.Rows = append(n.Rows, r)
	}
	n.Canonicalize()
	if _, err := n.Encode(); err != nil { // sums past the note limits
		return attribution.Note{}, 0, fmt.Errorf("%w: %w", ErrBadTrailer, err)
	}
	return n, count, nil
}

// parseTrailerLine parses one AI-Tokens line; errors are plain descriptions.
func parseTrailerLine(line string) (agentModel, trailerSum, error) {
	f := strings.Fields(line[len(trailerPrefix):])
	if len(f) < 3+len(trailerKeys) || len(f) > 5+len(trailerKeys) {
		return agentModel{}, trailerSum{}, fmt.Errorf("want %q", "<agent> <model> in=N out=N cr=N cw=N rs=N req=N usd=X.XXXX|?[ est][ lb]")
	}
	k := agentModel{f[0], f[1]}
	if !attribution.ValidName(k.agent) {
		return k, trailerSum{}, errors.New("bad agent name")
	}
	if !attribution.ValidName(k.model) {
		return k, trailerSum{}, errors.New("bad model name")
	}
	var v [len(trailerKeys)]int64
	for i, key := range trailerKeys {
		s, ok := strings.CutPrefix(f[2+i], key+"=")
		if !ok {
			return k, trailerSum{}, fmt.Errorf("field %d: want %s=", 3+i, key)
		}
		n, err := parseCount(s)
		if err != nil {
			return k, trailerSum{}, fmt.Errorf("%s: %w", key, err)
		}
		v[i] = n
	}
	s := trailerSum{
		usage:    attribution.Usage{Input: v[0], Output: v[1], CacheRead: v[2], CacheWrite: v[3], Reasoning: v[4]},
		requests: v[5],
	}
	if err := s.usage.Validate(); err != nil {
		return k, trailerSum{}, err
	}
	usd, ok := strings.CutPrefix(f[2+len(trailerKeys)], "usd=")
	if !ok {
		return k, trailerSum{}, errors.New("want usd=")
	}
	if usd != "?" {
		c, err := parseUSD(usd)
		if err != nil {
			return k, trailerSum{}, err
		}
		s.cost, s.costKnown = c, true
	}
	flags := f[3+len(trailerKeys):]
	if len(flags) > 0 && flags[0] == "est" {
		s.estimated = true
		flags = flags[1:]
	}
	if len(flags) > 0 && flags[0] == "lb" {
		s.lowerBound = true
		flags = flags[1:]
	}
	if len(flags) > 0 {
		return k, trailerSum{}, fmt.Errorf("unknown field %q", flags[0])
	}
	return k, s, nil
}

// parseCount parses a count: decimal digits, no sign, no leading zeros, at
// most attribution.MaxTokensPerEvent.
func parseCount(s string) (int64, error) {
	if s == "" || len(s) > 11 || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("bad number %q", s)
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("bad number %q", s)
		}
		n = n*10 + int64(c-'0')
	}
	if n > attribution.MaxTokensPerEvent {
		return 0, fmt.Errorf("number %s over the limit", s)
	}
	return n, nil
}

// parseUSD parses a cost with exactly 4 decimals, at most maxTrailerUSD.
func parseUSD(s string) (float64, error) {
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) != 4 || whole == "" || len(whole) > 10 || (len(whole) > 1 && whole[0] == '0') {
		return 0, fmt.Errorf("bad usd %q: want digits with 4 decimals or ?", s)
	}
	for _, part := range [...]string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, fmt.Errorf("bad usd %q", s)
			}
		}
	}
	c, err := strconv.ParseFloat(s, 64)
	if err != nil || c > maxTrailerUSD {
		return 0, fmt.Errorf("bad usd %q", s)
	}
	return c, nil
}

// Agree reports whether the trailers carry the same usage as note n: the
// same (agent, model) pairs, and for each the same sums of every token field
// and of requests, and costs that are both unknown or differ by at most
// 0.0001 (the trailers' rounding). Sessions, times and the est/lb flags are
// not compared.
func Agree(n attribution.Note, trailers attribution.Note) bool {
	ka, a := sumByAgentModel(n)
	kb, b := sumByAgentModel(trailers)
	if len(ka) != len(kb) {
		return false
	}
	for _, k := range ka {
		x, y := a[k], b[k]
		if y == nil || x.usage != y.usage || x.requests != y.requests || x.costKnown != y.costKnown {
			return false
		}
		if x.costKnown && math.Abs(x.cost-y.cost) > 0.0001+1e-9 {
			return false
		}
	}
	return true
}

// scissors is the line after which git ignores a commit message ("git commit
// --verbose" puts the diff below it).
const scissors = "------------------------ >8 ------------------------"

func isBlank(line string) bool { return strings.TrimSpace(line) == "" }

func isComment(line string) bool { return strings.HasPrefix(line, "#") }

func isScissors(line string) bool {
	return isComment(line) && strings.TrimSpace(strings.TrimLeft(line, "#")) == scissors
}

// gitGeneratedPrefixes are the trailers git itself writes; a paragraph with
// one needs only 25% trailer lines to count as a trailer block.
var gitGeneratedPrefixes = [...]string{"Signed-off-by: ", "(cherry picked from commit "}

// trailerSeparator returns the position of the ':' ending a trailer token
// ("Key: value", "Key : value"), or -1, as git's find_separator does.
func trailerSeparator(line string) int {
	whitespace := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ':':
			return i
		case !whitespace && (c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'):
		case i > 0 && (c == ' ' || c == '\t'):
			whitespace = true
		default:
			return -1
		}
	}
	return -1
}

// endsWithTrailerBlock reports whether the last paragraph of body (lines
// without their newlines, no trailing blank or comment lines) is a trailer
// block by git's rule: not the title paragraph, and either all trailers or
// at least one git-generated trailer and at least 25% trailer lines.
func endsWithTrailerBlock(body []string) bool {
	// The first paragraph (after leading comments) is the title.
	endOfTitle := 0
	for endOfTitle < len(body) && (isComment(body[endOfTitle]) || !isBlank(body[endOfTitle])) {
		endOfTitle++
	}
	trailers, nonTrailers, continuations := 0, 0, 0
	recognized := false
	for i := len(body) - 1; i >= endOfTitle; i-- {
		line := body[i]
		if isComment(line) {
			nonTrailers += continuations
			continuations = 0
			continue
		}
		if isBlank(line) {
			nonTrailers += continuations
			return (recognized && trailers*3 >= nonTrailers) || (trailers > 0 && nonTrailers == 0)
		}
		generated := false
		for _, p := range gitGeneratedPrefixes {
			if strings.HasPrefix(line, p) {
				generated = true
			}
		}
		switch {
		case generated:
			trailers++
			continuations = 0
			recognized = true
		case trailerSeparator(line) >= 1 && line[0] != ' ' && line[0] != '\t':
			trailers++
			continuations = 0
		case line[0] == ' ' || line[0] == '\t':
			continuations++
		default:
			nonTrailers++
			nonTrailers += continuations
			continuations = 0
		}
	}
	return false
}

// RewriteMessage returns message with its AI-Tokens lines replaced by
// FormatTrailers(n), placed the way `git interpret-trailers` places a new
// trailer: appended to the last paragraph when it is a trailer block
// (Signed-off-by:, Co-Authored-By: ...), otherwise after a blank line; before
// the trailing comment lines and any scissors line. Blank lines left over by
// the removal are dropped, and so are leading and trailing blank lines
// (git's commit cleanup drops them too). With an empty note the lines are only removed.
// Line endings other than "\n" are kept as they are.
func RewriteMessage(message string, n attribution.Note) string {
	trailers := FormatTrailers(n)
	lines := strings.Split(message, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	cut := len(lines)
	for i, line := range lines {
		if isScissors(strings.TrimRight(line, "\r")) {
			cut = i
			break
		}
	}
	// Remove AI-Tokens lines and leading blank lines. When the removed lines
	// were a paragraph of their own, one of the blank lines around it goes
	// too, so that removing what RewriteMessage added restores the input.
	pre := lines[:cut]
	kept := make([]string, 0, cut)
	for i := 0; i < len(pre); i++ {
		line := pre[i]
		if isBlank(line) && len(kept) == 0 {
			continue
		}
		if !isTrailerLine(line) {
			kept = append(kept, line)
			continue
		}
		for i+1 < len(pre) && isTrailerLine(pre[i+1]) {
			i++
		}
		if len(kept) == 0 || !isBlank(kept[len(kept)-1]) {
			continue
		}
		switch {
		case i+1 < len(pre) && isBlank(pre[i+1]):
			i++ // drop the blank line after
		case i+1 == len(pre) || isComment(pre[i+1]):
			kept = kept[:len(kept)-1] // drop the blank line before
		}
	}
	// The tail: the final run of comment and blank lines.
	t := len(kept)
	for t > 0 && (isBlank(kept[t-1]) || isComment(kept[t-1])) {
		t--
	}
	body, tail := kept[:t], kept[t:]
	hasComment := false
	for _, line := range tail {
		hasComment = hasComment || isComment(line)
	}
	if !hasComment {
		tail = nil
	}
	var b strings.Builder
	for _, line := range body {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if len(trailers) > 0 {
		trimmed := make([]string, len(body))
		for i, line := range body {
			trimmed[i] = strings.TrimRight(line, "\r")
		}
		if len(body) > 0 && !endsWithTrailerBlock(trimmed) {
			b.WriteByte('\n')
		}
		for _, line := range trailers {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	for _, line := range tail {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	for _, line := range lines[cut:] {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
