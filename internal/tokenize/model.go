package tokenize

import "strings"

// ForModel returns the encoding to count a model's text with, and whether
// it is that model's own tokenizer (native) rather than an approximation:
//
//   - GPT-4o, GPT-4.1, GPT-4.5, GPT-5 (and its Codex variants), gpt-oss, the
//     o-series (o1, o3, o4-mini...) and codex-mini: o200k_base, native;
//   - GPT-4, GPT-4 Turbo, GPT-3.5 Turbo, text-embedding-3 and ada-002:
//     cl100k_base, native;
//   - every other model (Claude, Gemini, Qwen, Grok, unknown or empty
//     names): o200k_base, not native. Their vendors' tokenizers are not
//     public or not tiktoken's, so the count is an estimate, to be marked
//     Estimated wherever it is reported; it can differ from the vendor's
//     own count by tens of percent.
//
// Matching ignores case, a provider prefix ("openai/gpt-4o",
// "azure/gpt-4.1") and the "ft:" of fine-tuned models.
func ForModel(model string) (encoding string, native bool) {
	m := strings.ToLower(strings.TrimSpace(model))
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		m = m[i+1:]
	}
	m = strings.TrimPrefix(m, "ft:")
	switch {
	case hasAnyPrefix(m, "gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "gpt-oss", "codex"),
		isOSeries(m):
		return O200K, true
	case m == "gpt-4", hasAnyPrefix(m, "gpt-4-", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002"):
		return CL100K, true
	}
	return O200K, false
}

// isOSeries reports whether m is an OpenAI reasoning model: "o" and a
// digit, alone or followed by "-" (o1, o3-mini, o4-mini-2025-04-16).
func isOSeries(m string) bool {
	return len(m) >= 2 && m[0] == 'o' && m[1] >= '1' && m[1] <= '9' && (len(m) == 2 || m[2] == '-')
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
