package report

import (
	"slices"
	"testing"
)

// TestAICoAuthors covers the trailers agents write and people who must not
// be mistaken for agents.
func TestAICoAuthors(t *testing.T) {
	tests := []struct {
		name, message string
		want          []string
	}{
		{"none", "Fix bug\n\nSigned-off-by: Ada <ada@example.com>\n", nil},
		{"claude code", "Fix bug\n\n🤖 Generated with Claude Code\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", []string{"Claude"}},
		{"claude with model name", "x\n\nCo-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>", []string{"Claude"}},
		{"aider", "x\n\nCo-authored-by: aider (openai/gpt-4o) <noreply@aider.chat>", []string{"Aider"}},
		{"copilot agent", "x\n\nCo-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>", []string{"Copilot"}},
		{"codex connector", "x\n\nCo-authored-by: chatgpt-codex-connector[bot] <199175422+chatgpt-codex-connector[bot]@users.noreply.github.com>", []string{"Codex"}},
		{"cursor", "x\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>", []string{"Cursor"}},
		{"amp", "x\n\nAmp-Thread-ID: https://ampcode.com/threads/T-1\nCo-authored-by: Amp <amp@ampcode.com>", []string{"Amp"}},
		{"qwen", "x\n\nCo-authored-by: Qwen-Coder <qwen-coder@alibabacloud.com>", []string{"Qwen Code"}},
		{"jules", "x\n\nCo-authored-by: google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>", []string{"Gemini"}},
		{"gemini by name", "x\n\nco-authored-by: Gemini <gemini@example.invalid>", []string{"Gemini"}},
		{"devin", "x\n\nCo-authored-by: devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>", []string{"Devin"}},
		{"opencode", "x\n\nCo-authored-by: opencode <noreply@opencode.ai>", []string{"OpenCode"}},
		{"two agents once each", "x\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nCo-authored-by: aider (x) <noreply@aider.chat>\nCo-Authored-By: Claude <noreply@anthropic.com>", []string{"Claude", "Aider"}},
		{"indented and upper case", "x\n\n   CO-AUTHORED-BY: Claude <NOREPLY@ANTHROPIC.COM>  ", []string{"Claude"}},
		{"a person called Claude", "x\n\nCo-authored-by: Claude Monet <claude@example.com>", nil},
		{"an Anthropic employee", "x\n\nCo-authored-by: Jane Doe <jane@anthropic.com>", nil},
		{"a person called Devin", "x\n\nCo-authored-by: Devin Smith <devin@example.com>", nil},
		{"mention in the body only", "Thanks Claude <noreply@anthropic.com> for nothing", nil},
		{"empty trailer", "x\n\nCo-authored-by:", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AICoAuthors(tt.message); !slices.Equal(got, tt.want) {
				t.Errorf("AICoAuthors = %q, want %q", got, tt.want)
			}
		})
	}
}
