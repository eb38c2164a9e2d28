package attribution

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

type fixedPricer map[string]float64 // USD per token, any field

func (p fixedPricer) Cost(model string, u Usage) (float64, bool) {
	r, ok := p[model]
	return r * float64(u.Total()), ok
}

func sampleEvents() []Event {
	t0 := time.Date(2026, 2, 12, 16, 2, 27, 718e6, time.UTC)
	return []Event{
		{Agent: AgentClaudeCode, Session: "s1", Key: "m:1", Model: "claude-opus-4-6", Time: t0, Cwd: "/w/repo", Usage: Usage{Input: 3, CacheRead: 11442, CacheWrite: 15005, Output: 9}, LowerBound: true},
		{Agent: AgentClaudeCode, Session: "s1", Key: "m:2", Model: "claude-opus-4-6", Time: t0.Add(time.Minute), Cwd: "/w/repo/sub", Usage: Usage{Input: 1, CacheRead: 26447, Output: 120}},
		{Agent: AgentCodex, Session: "t1", Key: "t1:100", Model: "gpt-5.3-codex", Time: t0.Add(2 * time.Minute), Cwd: "/w/repo", Usage: Usage{Input: 40, CacheRead: 60, Output: 10, Reasoning: 4}},
	}
}

func TestSumAndGolden(t *testing.T) {
	n := Sum(sampleEvents(), fixedPricer{"claude-opus-4-6": 1e-6, "gpt-5.3-codex": 2e-6})
	n.Tool = "tokenyield/test"
	got, err := n.Encode()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "note.golden.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Fatalf("note encoding changed:\n got %s\nwant %s", got, want)
	}
	if n.Total.Total != 3+11442+15005+9+1+26447+120+40+60+10 {
		t.Fatalf("total = %d", n.Total.Total)
	}
	back, err := DecodeNote(got)
	if err != nil {
		t.Fatalf("DecodeNote(Encode()) = %v", err)
	}
	again, _ := back.Encode()
	if !bytes.Equal(again, got) {
		t.Fatalf("round trip not canonical:\n%s\n%s", again, got)
	}
}

func TestUnknownPriceMakesCostUnknown(t *testing.T) {
	n := Sum(sampleEvents(), fixedPricer{"claude-opus-4-6": 1e-6})
	if n.Total.CostUSD != nil {
		t.Fatalf("total cost = %v, want unknown", *n.Total.CostUSD)
	}
	for _, r := range n.Rows {
		if (r.Model == "gpt-5.3-codex") != (r.CostUSD == nil) {
			t.Fatalf("row %s cost = %v", r.Model, r.CostUSD)
		}
	}
	if Sum(sampleEvents(), nil).Total.CostUSD != nil {
		t.Fatal("nil pricer must leave cost unknown")
	}
}

func TestMerge(t *testing.T) {
	ev := sampleEvents()
	p := fixedPricer{"claude-opus-4-6": 1e-6, "gpt-5.3-codex": 2e-6}
	whole := Sum(ev, p)
	merged := Merge(Sum(ev[:1], p), Sum(ev[1:], p))
	a, _ := whole.Encode()
	b, _ := merged.Encode()
	if !bytes.Equal(a, b) {
		t.Fatalf("Merge of parts != Sum of whole:\n%s\n%s", a, b)
	}
}

func TestDecodeNoteRejectsHostileInput(t *testing.T) {
	valid, err := Sum(sampleEvents(), nil).Encode()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
	}{
		{"not json", "hello"},
		{"empty", ""},
		{"no version", `{"rows":[],"total":{"input":0,"cache_read":0,"cache_write":0,"output":0,"reasoning":0,"total":0,"cost_usd":null}}`},
		{"future version", strings.Replace(string(valid), `"v":1`, `"v":2`, 1)},
		{"unknown field", strings.Replace(string(valid), `"v":1`, `"v":1,"evil":true`, 1)},
		{"negative tokens", strings.Replace(string(valid), `"input":4`, `"input":-4`, 1)},
		{"absurd tokens", strings.Replace(string(valid), `"input":4`, `"input":99999999999999999`, 1)},
		{"float tokens", strings.Replace(string(valid), `"input":4`, `"input":4.5`, 1)},
		{"markdown in model", strings.Replace(string(valid), `claude-opus-4-6`, `<img src=x>@everyone`, 1)},
		{"path as model", strings.Replace(string(valid), `claude-opus-4-6`, `/home/user/secret`, 1)},
		{"totals do not add up", strings.Replace(string(valid), `"total":{"input":44`, `"total":{"input":45`, 1)},
		{"trailing data", string(valid) + `{}`},
		{"too large", `{"v":1,"pad":"` + strings.Repeat("x", MaxNoteBytes) + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.data == string(valid) {
				t.Fatal("test case did not alter the note")
			}
			_, err := DecodeNote([]byte(tt.data))
			if !errors.Is(err, ErrBadNote) {
				t.Fatalf("DecodeNote = %v, want ErrBadNote", err)
			}
		})
	}
}

func FuzzDecodeNote(f *testing.F) {
	valid, _ := Sum(sampleEvents(), fixedPricer{"claude-opus-4-6": 1e-6, "gpt-5.3-codex": 2e-6}).Encode()
	f.Add(valid)
	f.Add([]byte(`{"v":1,"rows":[],"total":{"input":0,"cache_read":0,"cache_write":0,"output":0,"reasoning":0,"total":0,"cost_usd":null}}`))
	f.Add([]byte(`{"v":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := DecodeNote(data)
		if err != nil {
			return
		}
		// Anything accepted must re-encode canonically and decode again.
		enc, err := n.Encode()
		if err != nil {
			t.Fatalf("accepted note does not encode: %v", err)
		}
		if _, err := DecodeNote(enc); err != nil {
			t.Fatalf("re-encoded note rejected: %v\n%s", err, enc)
		}
		for _, r := range n.Rows {
			if err := r.Usage.Validate(); err != nil {
				t.Fatalf("accepted invalid usage: %v", err)
			}
		}
	})
}

func TestUnion(t *testing.T) {
	ev := sampleEvents()
	p := fixedPricer{"claude-opus-4-6": 1e-6, "gpt-5.3-codex": 2e-6}
	whole := Sum(ev, p)
	// Two clones wrote the same note, one of them missing a row: the union
	// is the whole note, nothing counted twice.
	u := Union(whole, Sum(ev[2:], p))
	a, _ := whole.Encode()
	b, _ := u.Encode()
	if !bytes.Equal(a, b) {
		t.Fatalf("Union double counted:\n%s\n%s", a, b)
	}
	// A row seen with more usage on one side keeps the larger one.
	bigger := Sum(append(append([]Event{}, ev...), Event{Agent: AgentCodex, Session: "t1", Key: "x", Model: "gpt-5.3-codex", Time: ev[2].Time, Usage: Usage{Output: 5}}), p)
	if got := Union(whole, bigger).Total.Total; got != bigger.Total.Total {
		t.Fatalf("Union total %d, want %d", got, bigger.Total.Total)
	}
}

// Names a note may not hold never make the note invalid: they become
// "unknown", and the note still validates and encodes.
func TestSumReplacesBadNames(t *testing.T) {
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	events := []Event{
		{Agent: "qwen-code", Model: "", Session: "ab12", Time: at, Usage: Usage{Output: 1}},
		{Agent: "cline", Model: "GPT 4o <b>", Session: "ab12", Time: at, Usage: Usage{Output: 2}},
		{Agent: "bad agent", Model: "m", Session: "not hex!", Time: at, Usage: Usage{Output: 4}},
	}
	n := Sum(events, nil)
	if err := n.validate(); err != nil {
		t.Fatalf("note invalid: %v", err)
	}
	if _, err := n.Encode(); err != nil {
		t.Fatal(err)
	}
	var models []string
	for _, r := range n.Rows {
		models = append(models, r.Agent+"/"+r.Model+"/"+r.Session)
	}
	slices.Sort(models)
	want := []string{"cline/unknown/ab12", "qwen-code/unknown/ab12", "unknown/m/unknown"}
	if !slices.Equal(models, want) {
		t.Fatalf("rows %v, want %v", models, want)
	}
}

// TestModelName: the first non-blank candidate, trimmed, or "unknown" when
// it is no valid name or every candidate is blank (the cases of OpenCode's
// reader, where the rule lived before, and the fallbacks of the others).
func TestModelName(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"claude-sonnet-4-5"}, "claude-sonnet-4-5"},
		{[]string{" anthropic/claude-opus-4.1 "}, "anthropic/claude-opus-4.1"},
		{[]string{""}, UnknownName},
		{[]string{"bad model name!"}, UnknownName},
		{[]string{"/abs"}, UnknownName},
		{nil, UnknownName},
		{[]string{" ", "gpt-5"}, "gpt-5"},
		{[]string{"bad model name!", "gpt-5"}, UnknownName},
		{[]string{"", "", "qwen3-coder-plus"}, "qwen3-coder-plus"},
	}
	for _, tt := range tests {
		if got := ModelName(tt.in...); got != tt.want {
			t.Errorf("ModelName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
