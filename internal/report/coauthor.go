package report

import (
	"slices"
	"strings"
)

// coAuthorRule recognises one AI agent in a Co-authored-by trailer. All
// strings are lower-case. A trailer matches when its e-mail is one of emails,
// its e-mail is a GitHub noreply address of one of logins
// ("[id+]login@users.noreply.github.com"), its name is one of names, or its
// name starts with one of prefixes.
type coAuthorRule struct {
	agent    string
	emails   []string
	logins   []string
	names    []string
	prefixes []string
}

// aiCoAuthorRules is the list AICoAuthors knows. Only addresses and names an
// agent writes itself are listed (noreply addresses, bot accounts, product
// names), never a vendor's domain as a whole, so that a person who works
// there is not mistaken for an agent.
var aiCoAuthorRules = []coAuthorRule{
	{agent: "Claude", emails: []string{"noreply@anthropic.com"}, logins: []string{"claude", "claude[bot]"}},
	{agent: "Codex", emails: []string{"noreply@openai.com", "codex@openai.com"}, logins: []string{"chatgpt-codex-connector[bot]", "codex"}, names: []string{"codex", "chatgpt codex connector"}},
	{agent: "Copilot", logins: []string{"copilot", "copilot[bot]", "copilot-swe-agent[bot]"}, names: []string{"copilot", "github copilot"}},
	{agent: "Gemini", logins: []string{"gemini-code-assist[bot]", "google-labs-jules[bot]"}, names: []string{"gemini", "gemini cli", "gemini code assist"}},
	{agent: "Aider", emails: []string{"noreply@aider.chat"}, prefixes: []string{"aider ("}, names: []string{"aider"}},
	{agent: "Cursor", emails: []string{"cursoragent@cursor.com"}, logins: []string{"cursor[bot]"}, names: []string{"cursor agent"}},
	{agent: "Amp", emails: []string{"amp@ampcode.com"}},
	{agent: "Qwen Code", emails: []string{"qwen-coder@alibabacloud.com"}, names: []string{"qwen-coder"}},
	{agent: "OpenCode", emails: []string{"noreply@opencode.ai"}, names: []string{"opencode"}},
	{agent: "Devin", logins: []string{"devin-ai-integration[bot]"}},
}

// AICoAuthors returns the AI agents named by the Co-authored-by trailers of a
// commit message (any line starting with "Co-authored-by:", in any case), in
// order of appearance, each once. It recognises:
//
//   - Claude: noreply@anthropic.com (Claude Code's trailer), the claude[bot] account
//   - Codex: noreply@openai.com, codex@openai.com, chatgpt-codex-connector[bot], the name "Codex"
//   - Copilot: the Copilot and copilot-swe-agent[bot] accounts, the name "Copilot"
//   - Gemini: gemini-code-assist[bot], google-labs-jules[bot], the names "Gemini", "Gemini CLI"
//   - Aider: noreply@aider.chat, names "aider" and "aider (model)"
//   - Cursor: cursoragent@cursor.com, cursor[bot], the name "Cursor Agent"
//   - Amp: amp@ampcode.com
//   - Qwen Code: qwen-coder@alibabacloud.com, the name "Qwen-Coder"
//   - OpenCode: noreply@opencode.ai, the name "opencode"
//   - Devin: devin-ai-integration[bot]
//
// A person's name or work address is never matched (a human called Claude
// co-authoring from claude@example.com is not an agent).
func AICoAuthors(message string) []string {
	var found []string
	for rest := message; rest != ""; {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		name, email, ok := coAuthorTrailer(line)
		if !ok {
			continue
		}
		for _, rule := range aiCoAuthorRules {
			if rule.matches(name, email) && !slices.Contains(found, rule.agent) {
				found = append(found, rule.agent)
			}
		}
	}
	return found
}

const coAuthorKey = "co-authored-by:"

// coAuthorTrailer splits a "Co-authored-by: Name <email>" line into its
// lower-cased name and e-mail.
func coAuthorTrailer(line string) (name, email string, ok bool) {
	line = strings.TrimSpace(line)
	if len(line) < len(coAuthorKey) || !strings.EqualFold(line[:len(coAuthorKey)], coAuthorKey) {
		return "", "", false
	}
	v := strings.ToLower(strings.TrimSpace(line[len(coAuthorKey):]))
	name = v
	if i := strings.IndexByte(v, '<'); i >= 0 {
		name = strings.TrimSpace(v[:i])
		email, _, _ = strings.Cut(v[i+1:], ">")
		email = strings.TrimSpace(email)
	}
	return name, email, name != "" || email != ""
}

func (r coAuthorRule) matches(name, email string) bool {
	if email != "" && slices.Contains(r.emails, email) {
		return true
	}
	if login, ok := strings.CutSuffix(email, "@users.noreply.github.com"); ok {
		if _, after, found := strings.Cut(login, "+"); found {
			login = after
		}
		if slices.Contains(r.logins, login) {
			return true
		}
	}
	if slices.Contains(r.names, name) {
		return true
	}
	for _, p := range r.prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
