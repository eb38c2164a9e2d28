package tagger

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// maxLogBytes bounds the hook log; when it grows past this, it starts over.
const maxLogBytes = 1 << 20

// LogError appends a hook error to the repository's hook log and reports
// whether it is the first error since `tokenyield status` last showed them
// (the hook then tells the user once).
func (t *Tagger) LogError(hook string, err error) (first bool) {
	path := t.path("hook.log")
	_ = os.MkdirAll(t.Repo.stateDir(), 0o700)
	if fi, statErr := os.Stat(path); statErr == nil && fi.Size() > maxLogBytes {
		_ = os.Remove(path)
	}
	line := fmt.Sprintf("%s %s: %s\n", t.Now().UTC().Format(time.RFC3339), hook, strings.ReplaceAll(err.Error(), "\n", "; "))
	f, ferr := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if ferr == nil {
		_, _ = f.WriteString(line)
		_ = f.Close()
	}
	_, seenErr := os.Stat(t.path("hook.log.unseen"))
	if os.IsNotExist(seenErr) {
		_ = os.WriteFile(t.path("hook.log.unseen"), nil, 0o600)
		return true
	}
	return false
}

// HookErrors returns the hook log's lines not yet shown, and marks them shown.
func (t *Tagger) HookErrors() []string {
	if _, err := os.Stat(t.path("hook.log.unseen")); err != nil {
		return nil
	}
	b, err := os.ReadFile(t.path("hook.log"))
	if err != nil {
		return nil
	}
	_ = os.Remove(t.path("hook.log.unseen"))
	_ = os.Remove(t.path("hook.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 20 {
		lines = append([]string{fmt.Sprintf("(%d earlier errors not shown)", len(lines)-20)}, lines[len(lines)-20:]...)
	}
	return lines
}
