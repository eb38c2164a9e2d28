package codex

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// Builders for synthetic rollout lines, in the shapes documented in
// shared/reference/agent-logs.md §2 and seen in
// testdata/sessions/codex/agent-sessions/schema_coverage_small.jsonl.

var t0 = time.Date(2026, 5, 12, 8, 0, 0, 0, time.UTC)

type obj = map[string]any

func ts(d time.Duration) string { return t0.Add(d).Format("2006-01-02T15:04:05.000Z") }

// uuid7 returns a version 7 UUID created at t0+d; n tells UUIDs of the same
// millisecond apart.
func uuid7(d time.Duration, n int) string {
	ms := t0.Add(d).UnixMilli()
	return fmt.Sprintf("%08x-%04x-7%03x-8000-%012x", ms>>16, ms&0xffff, n, n)
}

func rolloutName(d time.Duration, id string) string {
	return "rollout-" + t0.Add(d).Format("2006-01-02T15-04-05") + "-" + id + ".jsonl"
}

func tok(in, cached, out, reasoning int64) plainVec {
	return plainVec{Input: in, Cached: cached, Output: out, Reasoning: reasoning, Total: in + out}
}

func (v plainVec) plus(w plainVec) plainVec {
	return plainVec{v.Input + w.Input, v.Cached + w.Cached, v.CacheWrite + w.CacheWrite, v.Output + w.Output, v.Reasoning + w.Reasoning, v.Total + w.Total}
}

func (v plainVec) json() obj {
	return obj{"input_tokens": v.Input, "cached_input_tokens": v.Cached, "output_tokens": v.Output,
		"reasoning_output_tokens": v.Reasoning, "total_tokens": v.Total}
}

func meta(d time.Duration, id string, extra obj) obj {
	p := obj{"id": id, "timestamp": ts(d), "cwd": "/work/repo", "originator": "codex_cli_rs", "cli_version": "0.150.0",
		"source": "cli", "base_instructions": obj{"text": "You are Codex…"}}
	for k, v := range extra {
		p[k] = v
	}
	return obj{"timestamp": ts(d), "type": "session_meta", "payload": p}
}

func turnCtx(d time.Duration, turnID, model string) obj {
	p := obj{"cwd": "/work/repo", "model": model, "approval_policy": "never", "user_instructions": "…"}
	if turnID != "" {
		p["turn_id"] = turnID
	}
	return obj{"timestamp": ts(d), "type": "turn_context", "payload": p}
}

func taskStarted(d time.Duration, turnID string) obj {
	return obj{"timestamp": ts(d), "type": "event_msg", "payload": obj{"type": "task_started", "turn_id": turnID, "model_context_window": 258400}}
}

func tokenCount(d time.Duration, total, last plainVec) obj {
	return obj{"timestamp": ts(d), "type": "event_msg", "payload": obj{"type": "token_count",
		"info":        obj{"total_token_usage": total.json(), "last_token_usage": last.json(), "model_context_window": 258400},
		"rate_limits": obj{"primary": obj{"used_percent": 1.0, "window_minutes": 300}}}}
}

func usageRecord(d time.Duration, thread, resp string, u plainVec) obj {
	p := obj{"session_id": thread, "turn_id": "t", "response_id": resp, "usage": u.json()}
	if thread != "" {
		p["thread_id"] = thread
	}
	return obj{"timestamp": ts(d), "type": "token_usage_record", "payload": p}
}

// transform returns deep copies of the object lines, changed by f.
func transform(lines []any, f func(i int, o obj)) []any {
	var deep func(v any) any
	deep = func(v any) any {
		if o, ok := v.(obj); ok {
			c := obj{}
			for k, x := range o {
				c[k] = deep(x)
			}
			return c
		}
		return v
	}
	out := make([]any, len(lines))
	for i, l := range lines {
		out[i] = deep(l)
		if o, ok := out[i].(obj); ok {
			f(i, o)
		}
	}
	return out
}

// The parent thread used by the fork and subagent cases: three advancing
// calls, with re-emits and a rate-limit-only refresh.
var (
	parentID = uuid7(0, 1)
	p1       = tok(1000, 200, 100, 40)
	p2       = tok(1500, 1000, 300, 100)
	p3       = tok(2500, 2000, 50, 0)
	pT1      = p1
	pT2      = pT1.plus(p2)
	pT3      = pT2.plus(p3)
	c1       = tok(4000, 3000, 500, 200)
	c2       = tok(800, 700, 90, 30)
)

func parentLines() []any {
	return []any{
		meta(0, parentID, nil),
		turnCtx(time.Second, uuid7(time.Second, 2), "gpt-5.2"),
		tokenCount(2*time.Second, pT1, p1),
		tokenCount(3*time.Second, pT1, p1), // re-emit
		`{"timestamp":"` + ts(4*time.Second) + `","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{}}}`,
		tokenCount(5*time.Second, pT2, p2),
		turnCtx(6*time.Second, uuid7(6*time.Second, 3), "gpt-5.2"),
		tokenCount(7*time.Second, pT3, p3),
		tokenCount(8*time.Second, pT3, p3), // re-emit
	}
}

// childOwn is the child's own activity after its header and copied history:
// two calls whose cumulative totals continue from the parent's.
func childOwn(start time.Duration, turnID string) []any {
	return []any{
		taskStarted(start, turnID),
		turnCtx(start+time.Millisecond, turnID, "gpt-5.5"),
		tokenCount(start+time.Second, pT3.plus(c1), c1),
		tokenCount(start+2*time.Second, pT3.plus(c1), c1), // re-emit
		tokenCount(start+3*time.Second, pT3.plus(c1).plus(c2), c2),
	}
}

// TestForkAndSubagentReplay checks that the parent history a child file
// starts with (a verbatim copy for forks, a re-stamped replay for
// subagents) is never counted twice across the parent and child files, and
// that the child's own calls are counted as the advance over that baseline.
func TestForkAndSubagentReplay(t *testing.T) {
	const spawn = 10 * time.Minute
	childID := uuid7(spawn, 4)
	ownTurn := uuid7(spawn+500*time.Millisecond, 5)

	// A fork (Codex Desktop branch) copies the parent's lines verbatim, with
	// their original timestamps and turn ids.
	fork := append([]any{meta(spawn, childID, obj{"forked_from_id": parentID})}, parentLines()...)
	fork = append(fork, childOwn(spawn+time.Second, ownTurn)...)

	// Older builds: no turn_id anywhere; the copied lines' timestamps tell.
	forkNoTurnIDs := transform(fork, func(_ int, o obj) {
		if p, ok := o["payload"].(obj); ok {
			delete(p, "turn_id")
		}
	})

	// A subagent replays the parent's history at spawn, every line
	// re-stamped with the child's creation time, after two session_meta
	// lines (child, then parent). Only the turn ids tell the replayed
	// turn_context from the child's own.
	subagent := []any{
		meta(spawn, childID, obj{"parent_thread_id": parentID,
			"source": obj{"subagent": obj{"thread_spawn": obj{"parent_thread_id": parentID, "depth": 1, "agent_nickname": "Newton"}}}}),
		meta(spawn, parentID, nil),
		turnCtx(spawn, uuid7(time.Second, 2), "gpt-5.2"),
		tokenCount(spawn, pT1, p1),
		tokenCount(spawn, pT2, p2),
		turnCtx(spawn, uuid7(6*time.Second, 3), "gpt-5.2"),
		tokenCount(spawn, pT3, p3),
	}
	subagent = append(subagent, childOwn(spawn+time.Second, ownTurn)...)

	// Newest builds mark the copied history with line ordinals; without
	// turn ids, the replayed turn_context (stamped at spawn) would otherwise
	// look like the child's own.
	ordinals := transform(subagent, func(i int, o obj) {
		o["ordinal"] = i
		if p, ok := o["payload"].(obj); ok {
			delete(p, "turn_id")
		}
	})
	ordinals[0].(obj)["payload"].(obj)["subagent_history_start_ordinal"] = "7"

	parent := jsonl(t, parentLines()...)
	wantParent := pT3.usage()
	wantChild := c1.plus(c2).usage()
	for _, tc := range []struct {
		name  string
		child []any
	}{
		{"fork, verbatim copy", fork},
		{"fork, no turn ids", forkNoTurnIDs},
		{"subagent, re-stamped replay", subagent},
		{"subagent, ordinals", ordinals},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			pPath := filepath.Join(home, "sessions", "2026", "05", "12", rolloutName(0, parentID))
			cPath := filepath.Join(home, "sessions", "2026", "05", "12", rolloutName(spawn, childID))
			child := jsonl(t, tc.child...)
			writeFile(t, pPath, parent)
			writeFile(t, cPath, child)

			for _, order := range [][]string{{pPath, cPath}, {cPath, pPath}} {
				res := newReader(t).read(order...)
				if res.total != wantParent.Add(wantChild) {
					t.Errorf("order %v: total %+v, want parent %+v + child %+v", order, res.total, wantParent, wantChild)
				}
				if len(res.added) != 5 {
					t.Errorf("order %v: %d events counted (%s), want 3 parent + 2 child", order, len(res.added), keys(res.added))
				}
			}

			// The child's events: its own thread, session, model and keys.
			events, skipped := parseBytes(t, cPath, child, true)
			if skipped != 0 {
				t.Errorf("%d lines skipped", skipped)
			}
			if len(events) != 2 || sumUsage(events) != wantChild {
				t.Fatalf("child events %+v, want 2 summing to %+v", events, wantChild)
			}
			for _, e := range events {
				if e.Session != attribution.HashSession(attribution.AgentCodex, childID) || e.Model != "gpt-5.5" ||
					!strings.HasPrefix(e.Key, childID+":") || e.Cwd != "/work/repo" {
					t.Errorf("child event %+v", e)
				}
			}
			// The same through three incremental reads.
			sameEvents(t, "one read", events, newReader(t).read(cPath).raw)

			// Where the copy's timestamps allow it, the plain independent
			// reference (baseline = last total before the first turn stamped
			// at or after the thread start) agrees.
			if tc.name != "subagent, re-stamped replay" && tc.name != "subagent, ordinals" {
				if ref := readReference(t, cPath); ref.own() != wantChild {
					t.Errorf("reference %+v, want %+v", ref.own(), wantChild)
				}
			}
		})
	}

	// Without the baseline rule the copied history would count again: a
	// child file whose header lost its fork marker adds the parent's usage.
	t.Run("without the fork marker", func(t *testing.T) {
		home := t.TempDir()
		unmarked := append([]any{meta(spawn, childID, nil)}, fork[1:]...)
		pPath := filepath.Join(home, rolloutName(0, parentID))
		cPath := filepath.Join(home, rolloutName(spawn, childID))
		writeFile(t, pPath, parent)
		writeFile(t, cPath, jsonl(t, unmarked...))
		res := newReader(t).read(pPath, cPath)
		if want := wantParent.Add(wantParent).Add(wantChild); res.total != want {
			t.Errorf("total %+v, want the double count %+v", res.total, want)
		}
	})
}

// TestUsageRecords covers token_usage_record files: own-thread filtering,
// and the hand-over from token_count deltas without double counting.
func TestUsageRecords(t *testing.T) {
	const spawn = time.Hour
	id := uuid7(spawn, 9)
	other := uuid7(0, 8)
	u1, u2, u3 := tok(1000, 100, 50, 10), tok(2000, 1500, 70, 0), tok(3000, 2500, 90, 20)
	head := []any{meta(spawn, id, nil), turnCtx(spawn+time.Millisecond, uuid7(spawn+time.Millisecond, 1), "gpt-5.6")}
	for _, tc := range []struct {
		name  string
		lines []any
		want  attribution.Usage
		keys  string
	}{
		{
			name: "records only; copied and foreign records ignored",
			lines: []any{
				meta(spawn, id, obj{"forked_from_id": other}),
				usageRecord(time.Second, other, "resp_parent", u3), // copied history
				usageRecord(time.Second, "", "resp_copied", u3),    // copied, no thread id
				turnCtx(spawn+time.Millisecond, uuid7(spawn+time.Millisecond, 1), "gpt-5.6"),
				usageRecord(spawn+time.Second, id, "resp_1", u1),
				usageRecord(spawn+2*time.Second, other, "resp_other", u3),
				usageRecord(spawn+3*time.Second, "", "resp_2", u2),
			},
			want: u1.plus(u2).usage(),
			keys: "resp:resp_1 resp:resp_2",
		},
		{
			name: "token_count before each record",
			lines: append(append([]any{}, head...),
				tokenCount(spawn+time.Second, u1, u1),
				usageRecord(spawn+time.Second, id, "resp_1", u1),
				tokenCount(spawn+2*time.Second, u1.plus(u2), u2),
				usageRecord(spawn+2*time.Second, id, "resp_2", u2),
				tokenCount(spawn+3*time.Second, u1.plus(u2), u2),
			),
			want: u1.plus(u2).usage(),
			keys: fmt.Sprintf("%s:%d resp:resp_2", id, u1.Total),
		},
		{
			name: "record before each token_count",
			lines: append(append([]any{}, head...),
				usageRecord(spawn+time.Second, id, "resp_1", u1),
				tokenCount(spawn+time.Second, u1, u1),
				usageRecord(spawn+2*time.Second, id, "resp_2", u2),
				tokenCount(spawn+2*time.Second, u1.plus(u2), u2),
			),
			want: u1.plus(u2).usage(),
			keys: "resp:resp_1 resp:resp_2",
		},
		{
			name: "records start mid-file (upgraded build)",
			lines: append(append([]any{}, head...),
				tokenCount(spawn+time.Second, u1, u1),
				tokenCount(spawn+2*time.Second, u1.plus(u2), u2),
				usageRecord(spawn+3*time.Second, id, "resp_3", u3),
				tokenCount(spawn+3*time.Second, u1.plus(u2).plus(u3), u3),
			),
			want: u1.plus(u2).plus(u3).usage(),
			keys: fmt.Sprintf("%s:%d %s:%d resp:resp_3", id, u1.Total, id, u1.Total+u2.Total),
		},
		{
			name: "records delayed after two token_counts",
			lines: append(append([]any{}, head...),
				tokenCount(spawn+time.Second, u1, u1),
				tokenCount(spawn+2*time.Second, u1.plus(u2), u2),
				usageRecord(spawn+3*time.Second, id, "resp_1", u1),
				usageRecord(spawn+3*time.Second, id, "resp_2", u2),
			),
			want: u1.plus(u2).usage(),
			keys: fmt.Sprintf("%s:%d %s:%d", id, u1.Total, id, u1.Total+u2.Total),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), rolloutName(spawn, id))
			data := jsonl(t, tc.lines...)
			writeFile(t, path, data)
			res := newReader(t).read(path)
			if res.total != tc.want || keys(res.added) != tc.keys {
				t.Errorf("got %+v keys %q, want %+v keys %q", res.total, keys(res.added), tc.want, tc.keys)
			}
			events, skipped := parseBytes(t, path, data, true)
			if skipped != 0 {
				t.Errorf("%d skipped", skipped)
			}
			sameEvents(t, "state round-trip", events, res.raw)
		})
	}
}
