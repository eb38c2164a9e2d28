package sessionlog

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

func sum(evs []attribution.Event) attribution.Usage {
	var u attribution.Usage
	for _, e := range evs {
		u = u.Add(e.Usage)
	}
	return u
}

// The expected figures are derived independently: the transcripts' by a
// plain pass over their JSON (short.jsonl has one response: input 3, output
// 13, cache read 11,515, cache write 13,835; the Codex rollout's last
// total_token_usage is input 298,373 of which 238,848 cached, output 1,123
// with 483 reasoning), the hand-made files' by adding their lines.
func TestRead(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		path   string
		format Format
		agent  string
		want   attribution.Usage
		events int
	}{
		{"../../testdata/sessions/claude-code/spotter/short.jsonl", ClaudeTranscript, attribution.AgentClaudeCode,
			attribution.Usage{Input: 3, Output: 13, CacheRead: 11515, CacheWrite: 13835}, 1},
		{"../../testdata/sessions/codex/localpush/sessions/2026/02/23/rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl", CodexRollout, attribution.AgentCodex,
			attribution.Usage{Input: 298373 - 238848, CacheRead: 238848, Output: 1123, Reasoning: 483}, -1},
		{"testdata/claude-result.json", ClaudeResult, attribution.AgentClaudeCode,
			attribution.Usage{Input: 42, Output: 3100, CacheRead: 210000, CacheWrite: 18000}, 2},
		// (24,763 − 24,448) + (30,000 − 25,000) uncached; 49,448 cached; 622 output, 200 reasoning.
		{"testdata/codex-exec.jsonl", CodexExec, attribution.AgentCodex,
			attribution.Usage{Input: 315 + 5000, CacheRead: 49448, Output: 622, Reasoning: 200}, 2},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			evs, format, err := Read(tt.path, now)
			if err != nil {
				t.Fatal(err)
			}
			if format != tt.format || sum(evs) != tt.want || (tt.events >= 0 && len(evs) != tt.events) {
				t.Fatalf("format %q, %d events, total %+v; want %q, %d, %+v", format, len(evs), sum(evs), tt.format, tt.events, tt.want)
			}
			for _, e := range evs {
				if e.Agent != tt.agent || e.Time.IsZero() || !attribution.ValidName(e.Model) {
					t.Fatalf("event %+v", e)
				}
			}
		})
	}
}

func TestReadRejects(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"notes.txt":     "just some text\n",
		"negative.json": `{"type":"result","usage":{"input_tokens":-5,"output_tokens":1}}`,
		"empty.json":    `{"type":"result"}`,
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := Read(p, time.Now()); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, _, err := Read(filepath.Join(dir, "missing"), time.Now()); err == nil {
		t.Error("a missing file accepted")
	}
}
