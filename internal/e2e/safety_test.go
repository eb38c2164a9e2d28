package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// secrets returns the strings of a session log that must never reach a
// repository: texts, working directories, raw session ids.
func secrets(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	var walk func(k string, v any)
	walk = func(k string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for kk, vv := range x {
				walk(kk, vv)
			}
		case []any:
			for _, vv := range x {
				walk(k, vv)
			}
		case string:
			switch k {
			case "text", "thinking", "content", "cwd", "sessionId", "message", "command", "output", "instructions":
				if len(x) >= 12 {
					seen[x[:min(len(x), 40)]] = true
				}
			}
		}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			walk("", m)
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	return out
}

// Notes and trailers hold numbers, agent and model names and hashed session
// ids only: nothing from the prompts, paths or user names in the logs.
func TestPrivacy(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(w.root, "demo")
	w.ty(w.root, "demo", "--dir", dir)
	repo := filepath.Join(dir, "repo")
	var logs []string
	_ = filepath.Walk(filepath.Join(dir, "home"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".jsonl") {
			logs = append(logs, p)
		}
		return nil
	})
	if len(logs) != 2 {
		t.Fatalf("demo logs: %v", logs)
	}
	var forbidden []string
	for _, l := range logs {
		forbidden = append(forbidden, secrets(t, l)...)
	}
	forbidden = append(forbidden, repo, dir, "/home/", "USER", w.home)
	if len(forbidden) < 20 {
		t.Fatalf("only %d secrets collected: the test would prove nothing", len(forbidden))
	}
	var repoText strings.Builder
	repoText.WriteString(w.run(repo, "git", "log", "--format=%B"))
	for _, line := range strings.Split(strings.TrimSpace(w.run(repo, "git", "notes", "--ref", "tokenyield", "list")), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 {
			repoText.WriteString(w.run(repo, "git", "cat-file", "-p", f[0]))
		}
	}
	repoText.WriteString(w.ty(repo, "log", "--json", "-n", "0"))
	text := repoText.String()
	if !strings.Contains(text, "AI-Tokens:") || !strings.Contains(text, `"rows"`) {
		t.Fatal("no notes or trailers to check")
	}
	for _, s := range forbidden {
		if strings.Contains(text, s) {
			t.Fatalf("%q from the logs reached the repository", s)
		}
	}
}

// A hook's own failure never blocks or loses a commit: it is logged and
// reported once, and the next status shows it.
func TestHooksFailOpen(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("repo")
	state := filepath.Join(repo, ".git", "tokenyield")
	// A damaged state and pending list: the commit goes through; the damage
	// is reported and the hook starts over.
	for _, f := range []string{"scan.state", "pending"} {
		if err := os.WriteFile(filepath.Join(state, f), []byte("garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w.log(call{session: "s", id: "f1", cwd: repo, in: 1, out: 1})
	w.commit(repo, "with damaged state")
	// A notes ref locked by another process: the commit still goes through.
	lock := filepath.Join(repo, ".git", "refs", "notes")
	if err := os.MkdirAll(lock, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lock, "tokenyield.lock"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w.log(call{session: "s", id: "f2", cwd: repo, in: 2, out: 2})
	start := time.Now()
	w.commit(repo, "with a locked notes ref")
	if d := time.Since(start); d > 4*time.Second { // the 2 s hook budget ends the wait for the lock
		t.Fatalf("commit took %v", d)
	}
	_ = os.Remove(filepath.Join(lock, "tokenyield.lock"))
	subjects := w.run(repo, "git", "log", "--format=%s", "-2")
	if subjects != "with a locked notes ref\nwith damaged state\n" {
		t.Fatalf("commits lost:\n%s", subjects)
	}
	status := w.ty(repo, "status")
	if !strings.Contains(status, "Hook errors since the last status") || !strings.Contains(status, "damaged") {
		t.Fatalf("status does not report the hook errors:\n%s", status)
	}
	if again := w.ty(repo, "status"); strings.Contains(again, "Hook errors since the last status") {
		t.Fatalf("errors reported twice:\n%s", again)
	}
	// The binary gone: one line, and the commit goes through.
	w.run(repo, "git", "config", "core.hooksPath", ".git/hooks")
	bin := binary(t)
	hookScript := filepath.Join(repo, ".git", "hooks", "post-commit")
	b, _ := os.ReadFile(hookScript)
	if err := os.WriteFile(hookScript, []byte(strings.ReplaceAll(string(b), bin, "/nonexistent/tokenyield")), 0o755); err != nil {
		t.Fatal(err)
	}
	w.commit(repo, "binary gone")
}

// A broken watch file (see internal/tagger/watch.go) fails the quick check,
// never the commit.
func TestBrokenWatchNeverBlocks(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("repo")
	w.commit(repo, "leaves a watch")
	watch := filepath.Join(repo, ".git", "tokenyield", "watch.sh")
	if _, err := os.Stat(watch); err != nil {
		t.Fatalf("no watch after a commit: %v", err)
	}
	if err := os.WriteFile(watch, []byte("tokenyield_watch() { ( \n exit 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	u := w.log(call{session: "s", id: "bw", cwd: repo, in: 2, out: 3})
	w.commit(repo, "with a broken watch")
	w.wantUsage(repo, "HEAD", u)
}
