// Package demo is `tokenyield demo`: a throwaway repository and a throwaway
// log directory, real session logs replayed into it while commits are made
// through the real installed hooks, then the log and a PR-style summary.
// It needs nothing but git and this binary, and no network.
package demo

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

//go:embed sessions/claude-code.jsonl sessions/codex.jsonl
var sessions embed.FS

// Options configure a demo run.
type Options struct {
	// Binary is the tokenyield binary the hooks call (absolute path).
	Binary string
	// Dir is where the throwaway repository and logs go; empty means a new
	// temporary directory.
	Dir string
	// Keep leaves the directory in place (otherwise it is removed).
	Keep bool
	// Out receives the narration and the results.
	Out io.Writer
	// Now is the clock (the replayed logs are moved to end just before it).
	Now func() time.Time
}

// step is one commit of the demo: which part of each session was logged
// before it, and the change it commits.
type step struct {
	claudeUpTo, codexUpTo  float64 // fraction of each session logged by then
	file, content, message string
	amend                  bool
}

var steps = []step{
	{0.4, 0, "parser.go", "package demo\n\n// Parse reads a record.\nfunc Parse() {}\n", "Add the record parser", false},
	{0.4, 0.5, "parser_test.go", "package demo\n\nimport \"testing\"\n\nfunc TestParse(t *testing.T) { Parse() }\n", "Test the parser", false},
	{0.75, 0.5, "parser_test.go", "package demo\n\nimport \"testing\"\n\nfunc TestParse(t *testing.T) {\n\tParse()\n\tParse()\n}\n", "Test the parser", true},
	{1, 1, "README.md", "# demo\n\nA parser, written with AI agents.\n", "Document the parser", false},
	{1, 1, "LICENSE", "MIT\n", "Add a licence (no AI used)", false},
}

// Run performs the demo.
func Run(ctx context.Context, o Options) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "tokenyield-demo-")
		if err != nil {
			return fmt.Errorf("demo directory: %w", err)
		}
		dir = d
		if !o.Keep {
			defer func() { _ = os.RemoveAll(d) }()
		}
	}
	repo, home := filepath.Join(dir, "repo"), filepath.Join(dir, "home")
	claudeDir := filepath.Join(home, ".claude", "projects", "-demo")
	codexDir := filepath.Join(home, ".codex", "sessions", "2026", "01", "01")
	for _, d := range []string{repo, claudeDir, codexDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("demo directory: %w", err)
		}
	}
	realRepo, err := filepath.EvalSymlinks(repo)
	if err != nil {
		return fmt.Errorf("demo directory: %w", err)
	}
	env := append(cleanEnv(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"GIT_AUTHOR_NAME=Demo Engineer", "GIT_AUTHOR_EMAIL=engineer@example.com",
		"GIT_COMMITTER_NAME=Demo Engineer", "GIT_COMMITTER_EMAIL=engineer@example.com")
	run := func(name string, args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, name, args...) //nolint:gosec // git and our own binary
		cmd.Dir, cmd.Env = repo, env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return out, fmt.Errorf("%s %s: %w: %s", filepath.Base(name), strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return out, nil
	}
	w := o.Out
	fmt.Fprintf(w, "tokenyield demo in %s\n\n", dir)
	if _, err := run("git", "init", "-q", "-b", "main"); err != nil {
		return err
	}
	out, err := run(o.Binary, "install")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "$ tokenyield install\n%s\n", indent(out))

	claude, err := replayable("sessions/claude-code.jsonl", realRepo, o.Now())
	if err != nil {
		return err
	}
	codex, err := replayable("sessions/codex.jsonl", realRepo, o.Now())
	if err != nil {
		return err
	}
	claudeLog := filepath.Join(claudeDir, "4d5611e5-demo.jsonl")
	codexLog := filepath.Join(codexDir, "rollout-2026-01-01T00-00-00-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl")
	var claudeDone, codexDone int
	for _, s := range steps {
		claudeDone, err = appendUpTo(claudeLog, claude, claudeDone, s.claudeUpTo)
		if err != nil {
			return err
		}
		codexDone, err = appendUpTo(codexLog, codex, codexDone, s.codexUpTo)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(repo, s.file), []byte(s.content), 0o644); err != nil { //nolint:gosec // a demo file
			return fmt.Errorf("demo file: %w", err)
		}
		if _, err := run("git", "add", "-A"); err != nil {
			return err
		}
		args := []string{"commit", "-q", "-m", s.message}
		verb := "git commit"
		if s.amend {
			args = []string{"commit", "-q", "--amend", "--no-edit"}
			verb = "git commit --amend"
		}
		if _, err := run("git", args...); err != nil {
			return err
		}
		fmt.Fprintf(w, "$ %s   # %s\n", verb, s.message)
	}
	out, err = run(o.Binary, "log")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n$ tokenyield log\n%s\n", indent(out))
	out, err = run(o.Binary, "show", "HEAD~1")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "$ tokenyield show HEAD~1\n%s\n", indent(out))
	out, err = run("git", "log", "-1", "--format=%B", "HEAD~1")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "$ git log -1 --format=%%B HEAD~1   # the trailers travel inside the commit\n%s\n", indent(out))
	out, err = run(o.Binary, "log", "--json", "-n", "0")
	if err != nil {
		return err
	}
	md, err := Summary(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nA pull request summary of these commits (Markdown):\n\n%s", md)
	return nil
}

func indent(b []byte) string {
	s := strings.TrimRight(string(b), "\n")
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// cleanEnv is the process environment without the variables that would point
// the demo's git or agents at the user's real files.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "GIT_"), k == "HOME", k == "CLAUDE_CONFIG_DIR", k == "CODEX_HOME",
			k == "XDG_CONFIG_HOME", strings.HasPrefix(k, "TOKENYIELD_"):
			continue
		}
		out = append(out, kv)
	}
	return out
}

// replayable returns the embedded session's lines with every "cwd" moved to
// repo and every "timestamp" moved so the session ends a minute before now.
func replayable(name, repo string, now time.Time) ([][]byte, error) {
	data, err := sessions.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("embedded session %s: %w", name, err)
	}
	var lines []map[string]any
	var last time.Time
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue
		}
		walk(m, func(k string, v any) any {
			if s, ok := v.(string); ok && k == "timestamp" {
				if t, err := time.Parse(time.RFC3339Nano, s); err == nil && t.After(last) {
					last = t
				}
			}
			return v
		})
		lines = append(lines, m)
	}
	shift := now.Add(-time.Minute).Sub(last)
	out := make([][]byte, 0, len(lines))
	for _, m := range lines {
		walk(m, func(k string, v any) any {
			s, ok := v.(string)
			switch {
			case ok && k == "cwd":
				return repo
			case ok && k == "timestamp":
				if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
					return t.Add(shift).UTC().Format("2006-01-02T15:04:05.000Z")
				}
			}
			return v
		})
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("replay %s: %w", name, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// walk visits every key of a decoded JSON value, replacing values with f's.
func walk(v any, f func(key string, v any) any) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			x[k] = f(k, c)
			walk(x[k], f)
		}
	case []any:
		for _, c := range x {
			walk(c, f)
		}
	}
}

// appendUpTo appends lines [done, frac*len) to path and returns the new done.
func appendUpTo(path string, lines [][]byte, done int, frac float64) (int, error) {
	upTo := int(frac * float64(len(lines)))
	if upTo <= done {
		return done, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644) //nolint:gosec // the demo's own log
	if err != nil {
		return done, fmt.Errorf("replay: %w", err)
	}
	defer f.Close()
	for _, l := range lines[done:upTo] {
		if _, err := f.Write(append(l, '\n')); err != nil {
			return done, fmt.Errorf("replay: %w", err)
		}
	}
	return upTo, f.Close()
}
