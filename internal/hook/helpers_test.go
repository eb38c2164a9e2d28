package hook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// TestMain isolates every test from the real home, system git config and any
// git or tokenyield environment inherited (for instance from a hook running
// the tests). Each test also gets its own HOME through testEnv.
func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") || strings.HasPrefix(k, "TOKENYIELD_") ||
			strings.HasPrefix(k, "LEFTHOOK") || strings.HasPrefix(k, "HUSKY") {
			os.Unsetenv(k)
		}
	}
	tmp, err := os.MkdirTemp("", "tokenyield-hook-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("HOME", filepath.Join(tmp, "home"))
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(tmp, "xdg"))
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

// testEnv is one test's private HOME, XDG_CONFIG_HOME and TMPDIR, and the
// environment git and the hooks run with.
type testEnv struct {
	t     *testing.T
	root  string
	home  string
	xdg   string
	tmp   string   // TMPDIR of the hooks (their stdin copies)
	extra []string // the per-test variables, also Options.Env
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("hook scripts are tested with a POSIX sh")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root := t.TempDir()
	e := &testEnv{t: t, root: root, home: filepath.Join(root, "home"), xdg: filepath.Join(root, "xdg"), tmp: filepath.Join(root, "tmp")}
	for _, d := range []string{e.home, e.tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e.extra = []string{
		"HOME=" + e.home,
		"XDG_CONFIG_HOME=" + e.xdg,
		"TMPDIR=" + e.tmp,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Test Author",
		"GIT_AUTHOR_EMAIL=author@example.com",
		"GIT_COMMITTER_NAME=Test Committer",
		"GIT_COMMITTER_EMAIL=committer@example.com",
		"GIT_TERMINAL_PROMPT=0",
	}
	return e
}

// with returns the per-test environment with extra variables appended.
func (e *testEnv) with(vars ...string) []string {
	return append(append([]string(nil), e.extra...), vars...)
}

// exec runs a command with the test environment plus vars.
func (e *testEnv) exec(dir string, vars []string, name string, args ...string) (string, string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), e.with(vars...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// git runs git and fails the test on error.
func (e *testEnv) git(dir string, args ...string) string {
	e.t.Helper()
	out, stderr, err := e.exec(dir, nil, "git", args...)
	if err != nil {
		e.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSuffix(out, "\n")
}

// gitVars runs git with extra variables and returns stdout, stderr, error.
func (e *testEnv) gitVars(dir string, vars []string, args ...string) (string, string, error) {
	return e.exec(dir, vars, "git", args...)
}

// repo creates a repository with one commit in root/name.
func (e *testEnv) repo(name string) string {
	e.t.Helper()
	dir := filepath.Join(e.root, name)
	e.git(e.root, "init", "-q", "-b", "main", dir)
	e.git(dir, "commit", "-q", "--allow-empty", "-m", "initial")
	return dir
}

// bare creates a bare repository and adds it as origin of repo.
func (e *testEnv) bare(repo string) string {
	e.t.Helper()
	dir := filepath.Join(e.root, "remote.git")
	e.git(e.root, "init", "-q", "--bare", dir)
	e.git(repo, "remote", "add", "origin", dir)
	return dir
}

// fakeBinary writes a stand-in for tokenyield at dir/tokenyield that logs
// each call (argv, stdin and TOKENYIELD_IN_HOOK) to the returned log, adds
// a trailer to the commit-msg file, and exits with $FAKE_EXIT.
func (e *testEnv) fakeBinary(dir string) (bin, log string) {
	e.t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		e.t.Fatal(err)
	}
	bin = filepath.Join(dir, "tokenyield")
	log = filepath.Join(e.root, "calls.log")
	src := "#!/bin/sh\n" +
		"in=$(cat | tr '\\n' ';')\n" +
		"printf '%s|%s|%s|%s\\n' \"$1 $2\" \"$(shift 2; echo \"$*\")\" \"$in\" \"${TOKENYIELD_IN_HOOK-}\" >>" + shQuote(log) + "\n" +
		"if [ \"$2\" = commit-msg ]; then printf '\\nAI-Tokens: 42\\n' >>\"$3\"; fi\n" +
		"exit ${FAKE_EXIT:-0}\n"
	if err := os.WriteFile(bin, []byte(src), 0o755); err != nil {
		e.t.Fatal(err)
	}
	return bin, log
}

// call is one logged call of the fake binary.
type call struct{ cmd, args, stdin, inHook string }

func readCalls(t *testing.T, log string) []call {
	t.Helper()
	data, err := os.ReadFile(log)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var calls []call
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 4 {
			t.Fatalf("bad log line %q", line)
		}
		calls = append(calls, call{f[0], f[1], f[2], f[3]})
	}
	return calls
}

// hookCalls returns the logged calls for one hook.
func hookCalls(calls []call, name string) []call {
	var out []call
	for _, c := range calls {
		if c.cmd == "hook "+name {
			out = append(out, c)
		}
	}
	return out
}

func (e *testEnv) opts(dir, bin string) Options {
	return Options{Dir: dir, Binary: bin, Home: e.home, Env: e.with()}
}

func (e *testEnv) install(o Options) Report {
	e.t.Helper()
	rep, err := Install(context.Background(), o)
	if err != nil {
		e.t.Fatalf("Install: %v\n%s", err, rep)
	}
	return rep
}

func (e *testEnv) uninstall(o Options) Report {
	e.t.Helper()
	rep, err := Uninstall(context.Background(), o)
	if err != nil {
		e.t.Fatalf("Uninstall: %v\n%s", err, rep)
	}
	return rep
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// snapshot records a directory tree: each entry's mode and content (or link
// target); missing is reported as the single key "<missing>".
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		out["<missing>"] = ""
		return out
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = fmt.Sprintf("%v -> %s", fi.Mode(), target)
		case fi.IsDir():
			out[rel] = fi.Mode().String()
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = fmt.Sprintf("%v %q", fi.Mode(), data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func diffSnapshots(before, after map[string]string) string {
	var keys []string
	seen := map[string]bool{}
	for k := range before {
		keys, seen[k] = append(keys, k), true
	}
	for k := range after {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if before[k] != after[k] {
			fmt.Fprintf(&b, "%s:\n  before %s\n  after  %s\n", k, before[k], after[k])
		}
	}
	return b.String()
}

// configList is `git config --list --<scope>`, empty when there is no file.
func (e *testEnv) configList(dir, scope string) string {
	out, _, err := e.gitVars(dir, nil, "config", "--list", "--"+scope)
	if err != nil {
		return ""
	}
	return out
}

func countKind(rep Report, kind ActionKind) int {
	n := 0
	for _, a := range rep.Actions {
		if a.Kind == kind {
			n++
		}
	}
	return n
}

// assertInstalled checks the four scripts in dir are ours and call bin.
func assertInstalled(t *testing.T, dir, bin string) {
	t.Helper()
	for _, name := range hookNames {
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if fi.Mode().Perm() != 0o755 {
			t.Errorf("%s mode %v, want 0755", name, fi.Mode().Perm())
		}
		data := readFile(t, p)
		if !isManaged([]byte(data)) {
			t.Errorf("%s is not tokenyield's:\n%s", name, data)
		}
		if got, ok := scriptBinary([]byte(data)); !ok || got != bin {
			t.Errorf("%s runs %q (%v), want %q", name, got, ok, bin)
		}
	}
}
