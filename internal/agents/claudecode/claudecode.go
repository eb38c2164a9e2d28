// Package claudecode reads Claude Code's session transcripts: the JSONL files
// under <config>/projects/, one line per content block of every API
// response.
//
// Where: like Claude Code and ccusage, CLAUDE_CONFIG_DIR (a comma-separated
// list) replaces the default roots $XDG_CONFIG_HOME/claude (default
// ~/.config/claude) and ~/.claude. Every *.jsonl file below a root's
// projects/ directory is read, at any depth: main transcripts, subagent
// transcripts (<session>/subagents/agent-*.jsonl) and the legacy agent-*.jsonl
// files, but not workflow journal.jsonl files.
//
// What: usage comes from type:"assistant" lines with message.usage (lines
// without a type, as in ccusage's fixtures, are read the same way), and from
// type:"progress" lines that embed a subagent's assistant message
// (data.message.message.usage); for some subagent calls those embedded copies
// are the only record. Synthetic messages (model "<synthetic>") and API error
// messages are skipped. Anthropic counts are used as reported: input_tokens
// excludes cache reads and cache writes.
//
// Identity: one API response is written several times (once per content
// block, with rising output counts), copied into other files by resumed and
// forked sessions, and replayed by sidechains. Every copy keeps message.id, so
// message.id alone is each event's de-duplication key; the request id is the
// fallback when a line has no message id. attribution.Dedup keeps the
// field-wise maximum per key, which collapses the streamed copies.
//
// Accuracy: before Claude Code 2.1.97 transcripts stored streaming snapshots,
// so output (and sometimes input) counts under-count; such events are marked
// LowerBound.
package claudecode

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Source returns the Claude Code log source.
func Source() tail.Source {
	return tail.Source{
		Agent:     attribution.AgentClaudeCode,
		Roots:     roots,
		Match:     match,
		NewParser: newParser,
	}
}

// roots returns the projects directories Claude Code writes to, in the order
// ccusage reads them. CLAUDE_CONFIG_DIR is a comma-separated list of config
// directories (each entry trimmed, a leading "~" expanded); an entry that
// already names a projects directory is used as it is. A variable that holds
// no entry at all counts as unset. Without it, $XDG_CONFIG_HOME/claude
// (XDG_CONFIG_HOME defaulting to ~/.config) and ~/.claude are both read, on
// every platform. Identical paths are listed once; missing ones are kept (the
// caller skips them).
func roots(env tail.Env) []string {
	var out tail.PathList
	if entries := env.ListVar("CLAUDE_CONFIG_DIR"); entries != nil {
		for _, entry := range entries {
			entry = env.ExpandHome(entry)
			if filepath.Base(filepath.Clean(entry)) == "projects" {
				out.Add(entry)
			} else {
				out.Add(filepath.Join(entry, "projects"))
			}
		}
		return out
	}
	xdg := env.Get("XDG_CONFIG_HOME")
	if xdg == "" {
		xdg = env.InHome(".config")
	}
	if xdg != "" {
		out.Add(filepath.Join(xdg, "claude", "projects"))
	}
	out.Add(env.InHome(".claude", "projects"))
	return out
}

// match accepts every transcript: *.jsonl at any depth, except the workflow
// journals.
func match(rel string) bool {
	base := path.Base(rel)
	return strings.HasSuffix(base, ".jsonl") && len(base) > len(".jsonl") && base != "journal.jsonl"
}
