package pricing

import "strings"

// providerPrefixes are stripped from model names before matching.
var providerPrefixes = []string{"anthropic/", "openai/", "gemini/", "vertex_ai/", "google/", "models/"}

// variantWords name a different model (or a different way of billing it)
// when they follow a key, so prefix matching must not cross them:
// "o1-mini" is not "o1", and "gpt-4o-realtime" is not "gpt-4o".
var variantWords = map[string]bool{
	"mini": true, "nano": true, "micro": true, "lite": true, "flash": true,
	"pro": true, "max": true, "ultra": true, "plus": true, "turbo": true,
	"spark": true, "fast": true,
	"audio": true, "realtime": true, "tts": true, "live": true, "image": true, "transcribe": true,
}

// Lookup finds the price of a reported model name, following the matching
// rules in the package documentation. It returns the price, the table key
// whose price was used and true; or false when the model is unknown. For a
// "<model>-fast" name priced through the base model's fast multiplier, the
// returned Price already includes the multiplier (its FastMultiplier is zero)
// and the key is the base key followed by "-fast".
func (t *Table) Lookup(model string) (Price, string, bool) {
	if t == nil || len(t.models) == 0 {
		return Price{}, "", false
	}
	name := strings.ToLower(strings.TrimSpace(model))
	if name == "" || name == "<synthetic>" {
		return Price{}, "", false
	}
	forms := nameForms(name)
	if k, ok := t.exact(forms); ok {
		return t.models[k].clone(), k, true
	}
	if base, ok := strings.CutSuffix(name, "-fast"); ok && base != "" {
		k, ok := t.resolve(nameForms(base))
		if !ok {
			return Price{}, "", false
		}
		p := t.models[k]
		if p.FastMultiplier <= 0 {
			// Fast mode of a model without a known multiplier: unknown, not a guess.
			return Price{}, "", false
		}
		return p.scaled(p.FastMultiplier), k + "-fast", true
	}
	if k, ok := t.prefix(forms); ok {
		return t.models[k].clone(), k, true
	}
	return Price{}, "", false
}

// resolve runs the exact and prefix steps and returns the matched key.
func (t *Table) resolve(forms []string) (string, bool) {
	if k, ok := t.exact(forms); ok {
		return k, true
	}
	return t.prefix(forms)
}

// exact tries every form as a key, then as the undated alias of a key.
func (t *Table) exact(forms []string) (string, bool) {
	for _, f := range forms {
		if _, ok := t.models[f]; ok {
			return f, true
		}
	}
	for _, f := range forms {
		if k, ok := t.aliases[f]; ok {
			return k, true
		}
	}
	return "", false
}

// prefix finds, for the first form that has one, the longest key or alias
// that is a prefix of it ending at a non-alphanumeric boundary. That key
// decides: when what follows it is a version or a variant word the form is
// not priced at all, rather than falling back to a shorter key
// ("gpt-5.2-codex-max" is neither "gpt-5.2-codex" nor "gpt-5.2").
func (t *Table) prefix(forms []string) (string, bool) {
	for _, f := range forms {
		for _, n := range t.names { // longest first
			if len(f) <= len(n) || !strings.HasPrefix(f, n) || isAlnum(f[len(n)]) {
				continue
			}
			if !continuationOK(f[len(n)+1:]) {
				break
			}
			if k, ok := t.aliases[n]; ok {
				return k, true
			}
			return n, true
		}
	}
	return "", false
}

// nameForms lists the forms of a lower-cased model name to try, most
// literal first: as given; without provider prefix; Claude dots as dashes;
// then each of those without a date suffix.
func nameForms(name string) []string {
	var forms []string
	add := func(s string) {
		if s == "" {
			return
		}
		for _, f := range forms {
			if f == s {
				return
			}
		}
		forms = append(forms, s)
	}
	add(name)
	bare := stripProvider(name)
	add(bare)
	if strings.HasPrefix(bare, "claude-") {
		add(strings.ReplaceAll(bare, ".", "-"))
	}
	for _, f := range forms {
		add(stripDate(f))
	}
	return forms
}

// stripProvider removes provider prefixes ("gemini/", "vertex_ai/",
// Bedrock's "us.anthropic.", ...), repeatedly.
func stripProvider(name string) string {
	for {
		stripped := false
		for _, p := range providerPrefixes {
			if rest, ok := strings.CutPrefix(name, p); ok && rest != "" {
				name, stripped = rest, true
			}
		}
		// Bedrock: "anthropic.claude-…" or "<region>.anthropic.claude-…".
		if i := strings.Index(name, "anthropic."); i >= 0 && isBedrockRegion(name[:i]) && len(name) > i+len("anthropic.") {
			name, stripped = name[i+len("anthropic."):], true
		}
		if !stripped {
			return name
		}
	}
}

// isBedrockRegion reports whether s is "" or a region qualifier such as
// "us." or "us-gov.".
func isBedrockRegion(s string) bool {
	if s == "" {
		return true
	}
	r, ok := strings.CutSuffix(s, ".")
	if !ok || r == "" || len(r) > 8 {
		return false
	}
	for i := 0; i < len(r); i++ {
		if (r[i] < 'a' || r[i] > 'z') && r[i] != '-' {
			return false
		}
	}
	return true
}

// stripDate removes a trailing "-YYYYMMDD", "-YYYY-MM-DD" or "@YYYYMMDD".
func stripDate(name string) string {
	for _, sep := range []byte{'-', '@'} {
		if n := len(name) - 9; n > 0 && name[n] == sep && allDigits(name[n+1:]) {
			return name[:n]
		}
	}
	if n := len(name) - 11; n > 0 && name[n] == '-' && isDashedDate(name[n+1:]) {
		return name[:n]
	}
	return name
}

// continuationOK reports whether rest, what follows a key and its boundary
// byte, may be priced as that key: it must not start with a version number
// ("claude-opus-4-1" is not "claude-opus-4"; a date is allowed) or a variant
// word ("o1-mini" is not "o1").
func continuationOK(rest string) bool {
	seg := rest
	for i := 0; i < len(rest); i++ {
		if !isAlnum(rest[i]) {
			seg = rest[:i]
			break
		}
	}
	switch {
	case seg == "":
		return false
	case isDigit(seg[0]):
		return startsWithDate(rest)
	default:
		return !variantWords[seg]
	}
}

// startsWithDate reports whether s begins with YYYYMMDD or YYYY-MM-DD that
// ends the string or is followed by a non-alphanumeric byte.
func startsWithDate(s string) bool {
	ends := func(n int) bool { return len(s) == n || !isAlnum(s[n]) }
	if len(s) >= 8 && allDigits(s[:8]) && ends(8) {
		return true
	}
	return len(s) >= 10 && isDashedDate(s[:10]) && ends(10)
}

// isDashedDate reports whether s is exactly YYYY-MM-DD (digits only checked).
func isDashedDate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-' &&
		allDigits(s[:4]) && allDigits(s[5:7]) && allDigits(s[8:])
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
