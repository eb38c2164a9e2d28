package agents

import (
	"os"
	"path/filepath"

	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Unsupported is an AI tool whose logs tokenyield does not read, and why.
type Unsupported struct {
	// Agent is the tool's name.
	Agent string
	// Paths are where the tool keeps its data on this platform; Found those
	// of them that exist here.
	Paths, Found []string
	// Reason says why its usage is not read, and what to do instead.
	Reason string
}

// appData returns the per-user application data directory of env's platform
// with elem joined: ~/Library/Application Support on macOS, %APPDATA% on
// Windows, $XDG_CONFIG_HOME (default ~/.config) elsewhere.
func appData(env tail.Env, elem ...string) string {
	var base string
	switch env.GOOS {
	case "darwin":
		base = env.InHome("Library", "Application Support")
	case "windows":
		base = env.Get("APPDATA")
		if base == "" {
			base = env.InHome("AppData", "Roaming")
		}
	default:
		base = env.Get("XDG_CONFIG_HOME")
		if base == "" || !filepath.IsAbs(base) {
			base = env.InHome(".config")
		}
	}
	if base == "" {
		return ""
	}
	return filepath.Join(append([]string{base}, elem...)...)
}

const useRecord = "; record its usage with `tokenyield record` or the open format (README) to include it"

// UnsupportedAgents lists the AI tools tokenyield knows of but does not
// read, with where each keeps its data in env and whether that exists.
func UnsupportedAgents(env tail.Env) []Unsupported {
	list := []Unsupported{
		{
			Agent: "cursor",
			Paths: []string{appData(env, "Cursor", "User", "globalStorage", "state.vscdb"), env.InHome(".cursor")},
			Reason: "no reliable local token counts: Cursor's state.vscdb stores tokenCount as {0,0} for almost every message " +
				"and its agent transcripts carry no usage; real usage is only in Cursor's dashboard and Admin API, " +
				"which a git hook must not call over the network",
		},
		{
			Agent:  "vscode-copilot-chat",
			Paths:  []string{appData(env, "Code", "User", "workspaceStorage")},
			Reason: "GitHub Copilot Chat in VS Code logs conversations without token counts (Copilot CLI is read: copilot-cli)",
		},
		{
			Agent:  "droid",
			Paths:  []string{env.InHome(".factory", "sessions")},
			Reason: "Factory Droid keeps local usage, but tokenyield does not read it yet" + useRecord,
		},
		{
			Agent:  "kimi-cli",
			Paths:  []string{env.InHome(".kimi", "sessions")},
			Reason: "Kimi CLI keeps local usage, but tokenyield does not read it yet" + useRecord,
		},
		{
			Agent:  "pi",
			Paths:  []string{env.InHome(".pi", "agent", "sessions")},
			Reason: "pi-agent keeps local usage, but tokenyield does not read it yet" + useRecord,
		},
		{
			Agent:  "openclaw",
			Paths:  []string{env.InHome(".openclaw", "agents")},
			Reason: "OpenClaw keeps local usage, but tokenyield does not read it yet" + useRecord,
		},
	}
	for i := range list {
		var paths []string
		for _, p := range list[i].Paths {
			if p == "" {
				continue
			}
			paths = append(paths, p)
			if _, err := os.Stat(p); err == nil {
				list[i].Found = append(list[i].Found, p)
			}
		}
		list[i].Paths = paths
	}
	return list
}
