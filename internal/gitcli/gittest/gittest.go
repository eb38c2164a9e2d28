// Package gittest builds throwaway git repositories for tests with the real
// git binary, isolated from the user's configuration: HOME and
// XDG_CONFIG_HOME point to a temporary directory, the system config is off,
// identities and dates are fixed, and git variables that a surrounding hook
// may have set (GIT_DIR, GIT_INDEX_FILE, ...) are removed.
package gittest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Date is the fixed author and committer date of test commits.
const Date = "2026-01-02T03:04:05Z"

// leaked are variables a git hook exports that would redirect git.
var leaked = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE",
	"GIT_CEILING_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_GLOBAL",
	"GIT_CONFIG_SYSTEM", "GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS",
	"GIT_NOTES_REF", "GIT_NOTES_DISPLAY_REF", "GIT_NOTES_REWRITE_REF",
	"GIT_NOTES_REWRITE_MODE", "GIT_QUARANTINE_PATH", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR",
	"LC_ALL", "LANG", "LANGUAGE",
}

// Isolate sets the process environment for the test (not parallel-safe, like
// t.Setenv) and returns the temporary HOME.
func Isolate(t testing.TB) string {
	t.Helper()
	home := t.TempDir()
	for _, k := range leaked {
		t.Setenv(k, "")
		if err := os.Unsetenv(k); err != nil {
			t.Fatal(err)
		}
	}
	set := map[string]string{
		"HOME":                home,
		"XDG_CONFIG_HOME":     filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME":     "Test Author",
		"GIT_AUTHOR_EMAIL":    "author@example.com",
		"GIT_COMMITTER_NAME":  "Test Committer",
		"GIT_COMMITTER_EMAIL": "committer@example.com",
		"GIT_AUTHOR_DATE":     Date,
		"GIT_COMMITTER_DATE":  Date,
		"GIT_TERMINAL_PROMPT": "0",
		"GIT_EDITOR":          "true",
	}
	for k, v := range set {
		t.Setenv(k, v)
	}
	return home
}

// Git runs git in dir and returns stdout with trailing newlines trimmed,
// failing the test on error.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := GitInput(dir, nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// GitInput runs git in dir with stdin and returns stdout with trailing
// newlines trimmed; the error includes stderr.
func GitInput(dir string, stdin []byte, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimRight(stdout.String(), "\n"), nil
}

// Init creates a repository with branch main in a new temporary directory
// and returns its path. Call Isolate first.
func Init(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	Git(t, "", "init", "-q", "-b", "main", dir)
	return dir
}

// InitBare creates a bare repository in a new temporary directory.
func InitBare(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "remote.git")
	Git(t, "", "init", "-q", "--bare", "-b", "main", dir)
	return dir
}

// Commit writes file name with content, commits it with message and returns
// the new commit's hash.
func Commit(t testing.TB, dir, name, content, message string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	Git(t, dir, "add", "--", name)
	Git(t, dir, "commit", "-q", "-m", message)
	return Git(t, dir, "rev-parse", "HEAD")
}

// Commits creates n commits on branch main in one git fast-import run (fast
// even for thousands) and returns their hashes, oldest first. Each commit
// changes file "n.txt"; the branch must not exist yet or be fast-forwarded by
// the new commits from its current tip.
func Commits(t testing.TB, dir string, n int) []string {
	t.Helper()
	var b strings.Builder
	for i := 1; i <= n; i++ {
		msg := fmt.Sprintf("commit %d\n", i)
		content := fmt.Sprintf("%d\n", i)
		fmt.Fprintf(&b, "commit refs/heads/main\nmark :%d\ncommitter Test Committer <committer@example.com> %d +0000\ndata %d\n%s", i, 1767323045+i, len(msg), msg)
		if i == 1 {
			if _, err := GitInput(dir, nil, "rev-parse", "--verify", "-q", "refs/heads/main"); err == nil {
				b.WriteString("from refs/heads/main^0\n")
			}
		}
		fmt.Fprintf(&b, "M 100644 inline n.txt\ndata %d\n%s\n", len(content), content)
	}
	b.WriteString("done\n")
	if _, err := GitInput(dir, []byte(b.String()), "fast-import", "--quiet", "--done"); err != nil {
		t.Fatal(err)
	}
	out := Git(t, dir, "rev-list", "--reverse", fmt.Sprintf("-n%d", n), "refs/heads/main")
	hashes := strings.Fields(out)
	if len(hashes) != n {
		t.Fatalf("fast-import made %d commits, want %d", len(hashes), n)
	}
	return hashes
}
