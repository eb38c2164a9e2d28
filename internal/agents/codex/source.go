package codex

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Source returns the Codex log source: its roots are
// $CODEX_HOME/sessions and $CODEX_HOME/archived_sessions ($CODEX_HOME
// defaults to ~/.codex), and its files are rollout-*.jsonl and
// rollout-*.jsonl.zst at any depth. Copies of one thread (a .jsonl and its
// .jsonl.zst, or a file in both roots) produce events with the same keys and
// are collapsed by attribution.Dedup; see the package documentation.
func Source() tail.Source {
	return tail.Source{
		Agent: attribution.AgentCodex,
		Roots: roots,
		Match: match,
		NewParser: func(path string, state []byte) (tail.Parser, error) {
			p, err := NewParser(path, state)
			if err != nil {
				return nil, err // not a typed nil inside the interface
			}
			return p, nil
		},
	}
}

var _ tail.Parser = (*Parser)(nil)

// codexHome returns $CODEX_HOME, or <home>/.codex, or "".
func codexHome(env tail.Env) string {
	if h := env.Get("CODEX_HOME"); h != "" {
		return filepath.Clean(h)
	}
	return env.InHome(".codex")
}

// roots lists sessions/ before archived_sessions/, the order Codex and
// ccusage prefer.
func roots(env tail.Env) []string {
	home := codexHome(env)
	if home == "" {
		return nil
	}
	return []string{filepath.Join(home, "sessions"), filepath.Join(home, "archived_sessions")}
}

// match accepts rollout-*.jsonl and rollout-*.jsonl.zst below a root.
func match(rel string) bool {
	base := path.Base(rel)
	if !strings.HasPrefix(base, "rollout-") {
		return false
	}
	return strings.HasSuffix(base, ".jsonl") || strings.HasSuffix(base, ".jsonl.zst")
}

// fallbackThread derives a thread id from a rollout file name: the UUID at
// the end of the name, else the name without its extensions. Both are the
// same for a .jsonl, its .jsonl.zst and an archived copy.
func fallbackThread(p string) string {
	base := filepath.Base(p)
	base = strings.TrimSuffix(base, ".zst")
	base = strings.TrimSuffix(base, ".jsonl")
	if len(base) >= 36 && isUUID(base[len(base)-36:]) {
		return strings.ToLower(base[len(base)-36:])
	}
	if base == "" || base == "." || base == string(filepath.Separator) {
		return "unknown"
	}
	return base
}

// isUUID reports whether s has the 8-4-4-4-12 hexadecimal UUID layout.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// uuidV7Millis returns the Unix millisecond time embedded in a version 7
// UUID.
func uuidV7Millis(s string) (int64, bool) {
	if !isUUID(s) || s[14] != '7' {
		return 0, false
	}
	var ms int64
	for _, c := range []byte(s[0:8] + s[9:13]) {
		ms = ms<<4 | int64(hexVal(c))
	}
	return ms, ms > 0
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
