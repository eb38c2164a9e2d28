package qwen

import (
	"encoding/json"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Source returns the Qwen Code log source: the projects/ folders of
// $QWEN_RUNTIME_DIR and of $QWEN_DATA_DIR (default ~/.qwen), and in them the
// session transcripts and background-subagent transcripts described in the
// package documentation.
func Source() tail.Source {
	return tail.Source{
		Agent: attribution.AgentQwenCode,
		Roots: roots,
		Match: match,
		NewParser: func(path string, state []byte) (tail.Parser, error) {
			return newParser(path), nil
		},
	}
}

// roots lists <dir>/projects for $QWEN_RUNTIME_DIR, then for each entry of
// QWEN_DATA_DIR or, without it, ~/.qwen; without repeats.
func roots(env tail.Env) []string {
	var out []string
	add := func(dir string) {
		if dir == "" {
			return
		}
		p := filepath.Join(dir, "projects")
		for _, q := range out {
			if q == p {
				return
			}
		}
		out = append(out, p)
	}
	add(env.ExpandHome(strings.TrimSpace(env.Get("QWEN_RUNTIME_DIR"))))
	data := env.Get("QWEN_DATA_DIR")
	if strings.TrimSpace(strings.ReplaceAll(data, ",", "")) == "" {
		add(env.InHome(".qwen"))
		return out
	}
	for _, entry := range strings.Split(data, ",") {
		add(env.ExpandHome(strings.TrimSpace(entry)))
	}
	return out
}

// match accepts <project>/chats/<name>.jsonl and
// <project>/subagents/<session>/agent-<id>.jsonl.
func match(rel string) bool {
	parts := strings.Split(rel, "/")
	base := parts[len(parts)-1]
	stem, ok := strings.CutSuffix(base, ".jsonl")
	if !ok || stem == "" || parts[0] == "" {
		return false
	}
	switch len(parts) {
	case 3:
		return parts[1] == "chats"
	case 4:
		return parts[1] == "subagents" && parts[2] != "" && strings.HasPrefix(stem, "agent-") && len(stem) > len("agent-")
	}
	return false
}

// fileSession is the session of a file whose records name none: a
// transcript's name, or a subagent's session directory.
func fileSession(p string) string {
	p = filepath.ToSlash(p)
	if dir := path.Dir(p); path.Base(path.Dir(dir)) == "subagents" {
		return path.Base(dir)
	}
	return strings.TrimSuffix(path.Base(p), ".jsonl")
}

// maxSidecarBytes bounds the agent-<id>.meta.json read for a model name.
const maxSidecarBytes = 1 << 20

// sidecarModel returns the model named by a subagent transcript's
// agent-<id>.meta.json, or "".
func sidecarModel(transcript string) string {
	base := filepath.Base(transcript)
	if !strings.HasPrefix(base, "agent-") {
		return ""
	}
	f, err := os.Open(strings.TrimSuffix(transcript, ".jsonl") + ".meta.json")
	if err != nil {
		return ""
	}
	defer f.Close()
	var meta struct {
		Model string `json:"model"`
	}
	if json.NewDecoder(io.LimitReader(f, maxSidecarBytes)).Decode(&meta) != nil {
		return ""
	}
	if strings.TrimSpace(meta.Model) == "" {
		return "" // no model named: the record's own decides
	}
	return attribution.ModelName(meta.Model)
}
