// Package agents is the registry of AI tools whose local logs tokenyield
// reads. Each tool's reader lives in its own sub-package; this package only
// lists them, so commands iterate over one slice.
package agents

import (
	"github.com/tokenyield/tokenyield/internal/agents/aider"
	"github.com/tokenyield/tokenyield/internal/agents/amp"
	"github.com/tokenyield/tokenyield/internal/agents/claudecode"
	"github.com/tokenyield/tokenyield/internal/agents/cline"
	"github.com/tokenyield/tokenyield/internal/agents/codex"
	"github.com/tokenyield/tokenyield/internal/agents/copilot"
	"github.com/tokenyield/tokenyield/internal/agents/custom"
	"github.com/tokenyield/tokenyield/internal/agents/gemini"
	"github.com/tokenyield/tokenyield/internal/agents/goose"
	"github.com/tokenyield/tokenyield/internal/agents/opencode"
	"github.com/tokenyield/tokenyield/internal/agents/qwen"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// All returns every supported agent's source, in a stable order.
func All() []tail.Source {
	return []tail.Source{
		claudecode.Source(),
		codex.Source(),
		gemini.Source(),
		qwen.Source(),
		opencode.Source(),
		opencode.KiloSource(),
		aider.Source(),
		cline.Source(),
		cline.RooSource(),
		cline.KiloSource(),
		amp.Source(),
		copilot.Source(),
		goose.Source(),
		custom.Source(),
	}
}

// Named returns the sources whose agent names are listed (all when names is
// empty) and the names that matched no agent.
func Named(names []string) (found []tail.Source, unknown []string) {
	all := All()
	if len(names) == 0 {
		return all, nil
	}
	for _, n := range names {
		ok := false
		for _, s := range all {
			if s.Agent == n {
				found = append(found, s)
				ok = true
			}
		}
		if !ok {
			unknown = append(unknown, n)
		}
	}
	return found, unknown
}
