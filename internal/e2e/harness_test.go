// Package e2e tests tokenyield end to end: the real binary, the real git
// binary, the installed hooks and real session logs replayed into a
// temporary home directory.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds tokenyield once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tokenyield-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "tokenyield")
		cmd := exec.Command("go", "build", "-o", binPath, "../../cmd/tokenyield")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as the README builds it
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// world is a temporary home with agent log directories and repositories.
type world struct {
	t      *testing.T
	root   string
	home   string
	claude string // a Claude Code projects dir
	env    []string
	seq    int
	now    time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, root: root, home: filepath.Join(root, "home"), now: time.Now().UTC()}
	w.claude = filepath.Join(w.home, ".claude", "projects", "-e2e")
	if err := os.MkdirAll(w.claude, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") || k == "HOME" || k == "CLAUDE_CONFIG_DIR" || k == "CODEX_HOME" || k == "XDG_CONFIG_HOME" || strings.HasPrefix(k, "TOKENYIELD_") {
			continue
		}
		w.env = append(w.env, kv)
	}
	w.env = append(w.env, "HOME="+w.home, "XDG_CONFIG_HOME="+filepath.Join(w.home, ".config"), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=E2E", "GIT_AUTHOR_EMAIL=e2e@example.com", "GIT_COMMITTER_NAME=E2E", "GIT_COMMITTER_EMAIL=e2e@example.com",
		"TOKENYIELD_SYNC=1")
	return w
}

// run runs a command in dir and returns stdout; failures end the test.
func (w *world) run(dir, name string, args ...string) string {
	w.t.Helper()
	out, err := w.try(dir, nil, name, args...)
	if err != nil {
		w.t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out
}

func (w *world) try(dir string, extraEnv []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(append([]string{}, w.env...), extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String(), fmt.Errorf("%w\nstderr: %s", err, stderr.String())
	}
	if s := stderr.String(); strings.Contains(s, "tokenyield:") {
		w.t.Logf("%s %s stderr: %s", name, strings.Join(args, " "), s)
	}
	return stdout.String(), nil
}

func (w *world) ty(dir string, args ...string) string {
	w.t.Helper()
	return w.run(dir, binary(w.t), args...)
}

// repo makes a repository with one initial commit and tokenyield installed.
func (w *world) repo(name string) string {
	w.t.Helper()
	dir := filepath.Join(w.root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		w.t.Fatal(err)
	}
	w.run(dir, "git", "init", "-q", "-b", "main")
	w.write(dir, "README", "hello\n")
	w.run(dir, "git", "add", "-A")
	w.run(dir, "git", "commit", "-q", "-m", "initial")
	w.ty(dir, "install")
	return dir
}

func (w *world) write(dir, file, content string) {
	w.t.Helper()
	p := filepath.Join(dir, file)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// commit writes a file and commits it through the hooks; it returns HEAD.
func (w *world) commit(dir, msg string, extra ...string) string {
	w.t.Helper()
	w.seq++
	w.write(dir, fmt.Sprintf("f%d.txt", w.seq), fmt.Sprintf("change %d\n", w.seq))
	w.run(dir, "git", "add", "-A")
	w.run(dir, "git", append([]string{"commit", "-q", "-m", msg}, extra...)...)
	return strings.TrimSpace(w.run(dir, "git", "rev-parse", "HEAD"))
}

// call appends one Claude Code API response to session's transcript: an
// assistant line with the given usage, run in cwd, a moment ago.
type call struct {
	session, id, cwd, text string
	in, out, cr, cw        int64
}

func (w *world) log(calls ...call) attribution.Usage {
	w.t.Helper()
	var sum attribution.Usage
	for _, c := range calls {
		w.now = w.now.Add(time.Millisecond)
		ts := time.Now().UTC().Add(-time.Second).Format("2006-01-02T15:04:05.000Z")
		line := map[string]any{
			"parentUuid": nil, "isSidechain": false, "userType": "external", "cwd": c.cwd,
			"sessionId": c.session, "version": "2.1.101", "gitBranch": "main", "type": "assistant",
			"requestId": "req_" + c.id, "timestamp": ts, "uuid": "u" + c.id,
			"message": map[string]any{
				"id": "msg_" + c.id, "model": "claude-sonnet-4-5", "role": "assistant", "type": "message",
				"content": []any{map[string]any{"type": "text", "text": c.text}},
				"usage": map[string]any{"input_tokens": c.in, "output_tokens": c.out,
					"cache_read_input_tokens": c.cr, "cache_creation_input_tokens": c.cw},
			},
		}
		b, _ := json.Marshal(line)
		f, err := os.OpenFile(filepath.Join(w.claude, c.session+".jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			w.t.Fatal(err)
		}
		_, _ = f.Write(append(b, '\n'))
		_ = f.Close()
		sum = sum.Add(attribution.FromAnthropic(c.in, c.cr, c.cw, c.out))
	}
	return sum
}

// note returns a commit's note as `tokenyield show --json` prints it
// (ok false when it prints nothing).
func (w *world) note(dir, rev string) (attribution.Note, bool) {
	w.t.Helper()
	out := w.ty(dir, "show", rev, "--json")
	if strings.TrimSpace(out) == "" {
		return attribution.Note{}, false
	}
	n, err := attribution.DecodeNote([]byte(strings.TrimSpace(out)))
	if err != nil {
		w.t.Fatalf("show --json %s: %v\n%s", rev, err, out)
	}
	return n, true
}

func (w *world) wantUsage(dir, rev string, want attribution.Usage) {
	w.t.Helper()
	n, ok := w.note(dir, rev)
	if want.IsZero() {
		if ok && !n.Total.Usage.IsZero() {
			w.t.Fatalf("%s: got usage %+v, want none", rev, n.Total.Usage)
		}
		return
	}
	if !ok {
		w.t.Fatalf("%s: no usage recorded, want %+v", rev, want)
	}
	if n.Total.Usage != want {
		w.t.Fatalf("%s: usage %+v, want %+v", rev, n.Total.Usage, want)
	}
}

func (w *world) rawNote(dir, rev string) string {
	w.t.Helper()
	out, _ := w.try(dir, nil, "git", "notes", "--ref", "tokenyield", "show", rev)
	return out
}
