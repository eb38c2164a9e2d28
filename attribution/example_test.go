package attribution_test

import (
	"fmt"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// A streamed Claude Code response is logged twice with rising output; a Codex
// call reports cached tokens inside input. De-duplication and normalisation
// give the exact figures a commit carries.
func Example() {
	t0 := time.Date(2026, 2, 12, 16, 0, 0, 0, time.UTC)
	raw := []attribution.Event{
		{Agent: attribution.AgentClaudeCode, Key: "m:msg_1", Model: "claude-opus-4-6", Time: t0, Cwd: "/src/app",
			Usage: attribution.FromAnthropic(3, 11442, 15005, 9)},
		{Agent: attribution.AgentClaudeCode, Key: "m:msg_1", Model: "claude-opus-4-6", Time: t0.Add(time.Second), Cwd: "/src/app",
			Usage: attribution.FromAnthropic(3, 11442, 15005, 299)},
		{Agent: attribution.AgentCodex, Key: "thread:162366", Model: "gpt-5.3-codex", Time: t0.Add(time.Minute), Cwd: "/src/app/api",
			Usage: attribution.FromOpenAI(162073, 157696, 0, 293, 0)},
	}
	dedup := attribution.NewDedup()
	var events []attribution.Event
	for _, e := range raw {
		if d, ok := dedup.Observe(e); ok {
			events = append(events, d)
		}
	}
	note, _ := attribution.Attribute(events, attribution.Window{Root: "/src/app", Until: t0.Add(time.Hour)}, nil)
	for _, r := range note.Rows {
		fmt.Printf("%s %s: input %d, cache read %d, cache write %d, output %d, requests %d\n",
			r.Agent, r.Model, r.Input, r.CacheRead, r.CacheWrite, r.Output, r.Requests)
	}
	fmt.Println("total tokens:", note.Total.Total)
	// Output:
	// claude-code claude-opus-4-6: input 3, cache read 11442, cache write 15005, output 299, requests 1
	// codex gpt-5.3-codex: input 4377, cache read 157696, cache write 0, output 293, requests 1
	// total tokens: 189115
}
