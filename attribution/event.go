package attribution

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Stable agent identifiers. They appear in notes, trailers and reports and
// never change once released.
const (
	AgentClaudeCode = "claude-code"
	AgentCodex      = "codex"
	AgentGeminiCLI  = "gemini-cli"
	AgentQwenCode   = "qwen-code"
	AgentOpenCode   = "opencode"
	AgentKiloCLI    = "kilo-cli"
	AgentAider      = "aider"
	AgentCline      = "cline"
	AgentRooCode    = "roo-code"
	AgentKiloCode   = "kilo-code"
	AgentAmp        = "amp"
	AgentCopilotCLI = "copilot-cli"
	AgentGoose      = "goose"
	// AgentCustom is the agent of records in tokenyield's open format that
	// name none.
	AgentCustom = "custom"
)

// Event is one unit of usage reported by an agent: normally one model call.
type Event struct {
	// Agent is the stable agent identifier, e.g. AgentClaudeCode.
	Agent string
	// Session is the hashed session id (see HashSession); never the raw id.
	Session string
	// Key is the identity that makes the event count once, ever, across files,
	// sessions, commits and re-reads. It is unique within an Agent.
	Key string
	// Model is the model name as the agent reported it.
	Model string
	// Time is when the usage happened.
	Time time.Time
	// Cwd is the working directory the agent reported for the record (never
	// inferred from a log folder name). It stays on the local machine.
	Cwd string
	// Usage is the normalised token vector of the event.
	Usage Usage
	// Estimated marks figures that were estimated rather than reported.
	Estimated bool
	// LowerBound marks figures known to under-count (e.g. Claude Code output
	// tokens before 2.1.97, which logged streaming snapshots).
	LowerBound bool
	// Increment is set by Dedup when the event only adds to an identity that
	// was counted before (a streamed response that grew). Such an event adds
	// tokens but not a request.
	Increment bool
}

// HashSession returns the privacy-preserving session id stored in notes: a
// short hex digest of the agent name and the raw session id.
func HashSession(agent, rawSessionID string) string {
	if rawSessionID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(agent + "\x00" + rawSessionID))
	return hex.EncodeToString(sum[:8])
}
