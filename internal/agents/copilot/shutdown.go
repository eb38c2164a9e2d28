package copilot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/tokenyield/tokenyield/attribution"
)

// figures are one model's token totals as a session.shutdown reports them.
// In is Copilot's inputTokens, which includes cache reads and cache writes.
type figures struct {
	In     int64 `json:"i,omitempty"`
	Out    int64 `json:"o,omitempty"`
	CR     int64 `json:"r,omitempty"`
	CW     int64 `json:"w,omitempty"`
	Reason int64 `json:"x,omitempty"`
	Req    int64 `json:"q,omitempty"`
}

// atLeast reports whether every figure of f is at least the one of g.
func (f figures) atLeast(g figures) bool {
	return f.In >= g.In && f.Out >= g.Out && f.CR >= g.CR && f.CW >= g.CW && f.Reason >= g.Reason && f.Req >= g.Req
}

// minus returns f - g, field by field (callers check atLeast first).
func (f figures) minus(g figures) figures {
	return figures{In: f.In - g.In, Out: f.Out - g.Out, CR: f.CR - g.CR, CW: f.CW - g.CW, Reason: f.Reason - g.Reason, Req: f.Req - g.Req}
}

// modelMetric is one entry of session.shutdown's data.modelMetrics.
type modelMetric struct {
	Requests json.RawMessage `json:"requests"` // {"count":N,"cost":C} or, in some logs, N
	Usage    *struct {
		InputTokens      count `json:"inputTokens"`
		OutputTokens     count `json:"outputTokens"`
		CacheReadTokens  count `json:"cacheReadTokens"`
		CacheWriteTokens count `json:"cacheWriteTokens"`
		ReasoningTokens  count `json:"reasoningTokens"`
	} `json:"usage"`
}

// requests reads the request count in either form.
func (m modelMetric) requests() int64 {
	raw := bytes.TrimSpace(m.Requests)
	if len(raw) > 0 && raw[0] == '{' {
		var r struct {
			Count count `json:"count"`
		}
		if json.Unmarshal(raw, &r) == nil {
			return int64(r.Count)
		}
		return 0
	}
	n, _ := parseCount(raw)
	return n
}

// tokenCount is an entry of data.tokenDetails.
type tokenCount struct {
	TokenCount count `json:"tokenCount"`
}

// shutdownData is session.shutdown's data.
type shutdownData struct {
	CurrentModel string                 `json:"currentModel"`
	ModelMetrics map[string]modelMetric `json:"modelMetrics"`
	TokenDetails *struct {
		Input      tokenCount `json:"input"`
		Output     tokenCount `json:"output"`
		CacheRead  tokenCount `json:"cache_read"`
		CacheWrite tokenCount `json:"cache_write"`
	} `json:"tokenDetails"`
}

// reported is one model's figures in a shutdown record.
type reported struct {
	name string // as logged
	key  string // modelKey(name)
	f    figures
}

// models returns the per-model figures of a shutdown, sorted by key. When no
// modelMetrics entry has a usage object, the session-wide tokenDetails (seen
// in some logs) stand for the only model listed, else the current one.
func (d shutdownData) models(current string) []reported {
	var out []reported
	names := make([]string, 0, len(d.ModelMetrics))
	for name := range d.ModelMetrics {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		m := d.ModelMetrics[name]
		if m.Usage == nil {
			continue
		}
		u := m.Usage
		out = append(out, reported{name: name, key: modelKey(name), f: figures{
			In: int64(u.InputTokens), Out: int64(u.OutputTokens), CR: int64(u.CacheReadTokens),
			CW: int64(u.CacheWriteTokens), Reason: int64(u.ReasoningTokens), Req: m.requests(),
		}})
	}
	if len(out) == 0 && d.TokenDetails != nil {
		name := d.CurrentModel
		if len(names) == 1 {
			name = names[0]
		}
		if name == "" {
			name = current
		}
		td := d.TokenDetails
		var req int64
		if len(names) == 1 {
			req = d.ModelMetrics[names[0]].requests()
		}
		out = append(out, reported{name: name, key: modelKey(name), f: figures{
			In: int64(td.Input.TokenCount), Out: int64(td.Output.TokenCount),
			CR: int64(td.CacheRead.TokenCount), CW: int64(td.CacheWrite.TokenCount), Req: req,
		}})
	}
	// Several names with one key (e.g. "x" and "x-1m") add up.
	sort.SliceStable(out, func(i, j int) bool { return out[i].key < out[j].key })
	merged := out[:0]
	for _, r := range out {
		if n := len(merged); n > 0 && merged[n-1].key == r.key {
			m := &merged[n-1].f
			m.In, m.Out, m.CR, m.CW, m.Reason, m.Req = m.In+r.f.In, m.Out+r.f.Out, m.CR+r.f.CR, m.CW+r.f.CW, m.Reason+r.f.Reason, m.Req+r.f.Req
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// shutdown reads session.shutdown: per-model totals whose input and cache
// counts are the only ones the log has. See the package documentation for
// the segment and output rules.
func (p *eventsParser) shutdown(env envelope, emit func(attribution.Event)) error {
	var d shutdownData
	if err := json.Unmarshal(env.Data, &d); err != nil {
		return fmt.Errorf("%w: %w", errBadLine, err)
	}
	models := d.models(p.st.Model)
	segOut := p.st.SegOut
	p.st.SegOut = nil
	if len(models) == 0 {
		return nil
	}
	when, err := p.when(env)
	if err != nil {
		return err
	}
	// The segment's own figures per model.
	seg := make([]figures, len(models))
	listed := map[string]bool{}
	for i, m := range models {
		listed[m.key] = true
		prev, seen := p.st.Prev[m.key]
		seg[i] = m.f
		if seen && p.cumulative(m.f, prev, segOut[m.key], p.st.AllOut[m.key]) {
			seg[i] = m.f.minus(prev)
		}
		if p.st.Prev == nil {
			p.st.Prev = map[string]figures{}
		}
		p.st.Prev[m.key] = m.f
	}
	// Output already counted from the segment's messages is not counted
	// again: per model, and messages of models the shutdown does not list
	// (another spelling, no model known) are taken off the others in order.
	var unmatched int64
	for k, n := range segOut {
		if !listed[k] {
			unmatched += n
		}
	}
	id := p.recordID(env, nil)
	for i, m := range models {
		extra := max(seg[i].Out-segOut[m.key], 0)
		take := min(extra, unmatched)
		extra -= take
		unmatched -= take
		p.send(emit, attribution.Event{
			Key:   p.session() + "/shutdown/" + id + "/" + m.key,
			Model: m.name,
			Time:  when,
			Usage: shutdownUsage(seg[i], extra),
		})
	}
	return nil
}

// cumulative decides whether a shutdown's figures for a model include those
// of the previous shutdown (Copilot versions that keep totals across
// resumes) or restart from zero (versions that reset them at each resume):
//   - a figure below the previous one means the totals restarted;
//   - else, when messages of this model were logged before this segment,
//     the shutdown's output is compared with the output of the messages of
//     the whole file and of this segment only, and the closer one wins;
//   - else the log decides: versions that write session.usage_checkpoint
//     records keep totals across resumes.
func (p *eventsParser) cumulative(cur, prev figures, segOut, allOut int64) bool {
	if !cur.atLeast(prev) {
		return false
	}
	if allOut > segOut {
		return absDiff(cur.Out, allOut) <= absDiff(cur.Out, segOut)
	}
	return p.st.Checkpoint
}

func absDiff(a, b int64) int64 {
	if a > b {
		return a - b
	}
	return b - a
}

// shutdownUsage is the vector a shutdown adds for one model: all of its
// input and cache counts and the output no message carried. Copilot's
// inputTokens includes cache reads and writes; a record whose input is
// smaller than its cache counts cannot, and is read as uncached input.
// Reasoning is reported within the added output only.
func shutdownUsage(f figures, output int64) attribution.Usage {
	reasoning := min(f.Reason, output)
	if f.In >= f.CR+f.CW {
		return attribution.FromOpenAI(f.In, f.CR, f.CW, output, reasoning)
	}
	u := attribution.FromAnthropic(f.In, f.CR, f.CW, output)
	u.Reasoning = reasoning
	return u
}
