// Package gitcli is the one place that runs the git binary.
//
// Most repository access goes through go-git; the git binary is used where its
// behaviour must match what users see (line statistics) and where the user's
// own credentials, SSH configuration and remotes must apply (pushing and
// fetching the notes ref). The binary's absolute path is resolved once per
// process (Find); every failure is an *Error carrying the arguments, the exit
// code and git's trimmed stderr.
package gitcli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

var (
	findOnce sync.Once
	findPath string
	findErr  error
)

// Find returns the absolute path of the git binary, looked up on PATH once per
// process; later calls return the cached result (or the cached error).
func Find() (string, error) {
	findOnce.Do(func() {
		p, err := exec.LookPath("git")
		if err != nil {
			findErr = fmt.Errorf("git binary not found on PATH: %w", err)
			return
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			findErr = fmt.Errorf("resolve git path %q: %w", p, err)
			return
		}
		findPath = abs
	})
	return findPath, findErr
}

// Git runs git commands in one directory.
type Git struct {
	// Path is the absolute path of the git binary.
	Path string
	// Dir is the working directory of every command (absolute).
	Dir string
	// Env holds extra "KEY=value" entries appended to the process
	// environment; later entries win, so they override inherited ones.
	Env []string
}

// New returns a Git that runs the binary found by Find in dir (made absolute).
func New(dir string) (*Git, error) {
	p, err := Find()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve directory %q: %w", dir, err)
	}
	return &Git{Path: p, Dir: abs}, nil
}

// WithEnv returns a copy of g whose commands also get the given "KEY=value"
// entries, after g's own.
func (g *Git) WithEnv(env ...string) *Git {
	c := *g
	c.Env = append(append([]string(nil), g.Env...), env...)
	return &c
}

// Error is a git command that could not start or exited non-zero.
type Error struct {
	// Args are the arguments after "git".
	Args []string
	// ExitCode is git's exit status, or -1 when git did not run to completion
	// (not found, killed, context cancelled).
	ExitCode int
	// Stderr is git's standard error, trimmed of surrounding white space.
	Stderr string
	// Err is the underlying cause (an *exec.ExitError, a start failure, or the
	// context's error).
	Err error
}

// maxErrorStderr bounds how much of stderr Error() repeats.
const maxErrorStderr = 2000

// Error returns "git <args>: <cause>: <stderr>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("git")
	for _, a := range e.Args {
		b.WriteByte(' ')
		b.WriteString(a)
	}
	b.WriteString(": ")
	switch {
	case e.ExitCode >= 0:
		fmt.Fprintf(&b, "exit status %d", e.ExitCode)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString("failed")
	}
	if s := e.Stderr; s != "" {
		if len(s) > maxErrorStderr {
			s = "…" + s[len(s)-maxErrorStderr:]
		}
		b.WriteString(": ")
		b.WriteString(s)
	}
	return b.String()
}

// Unwrap returns the underlying cause, so that errors.Is(err,
// context.DeadlineExceeded) works on a timed-out command.
func (e *Error) Unwrap() error { return e.Err }

// ExitCode returns the exit status of a failed git command in err's chain, or
// -1 when err is not an *Error or git did not run to completion.
func ExitCode(err error) int {
	var ge *Error
	if errors.As(err, &ge) {
		return ge.ExitCode
	}
	return -1
}

// WaitDelay is how long a command whose context ended may keep its output
// pipes open (through children it started) before Run gives up on them.
const WaitDelay = time.Second

// Run runs git with args and returns its standard output.
func (g *Git) Run(ctx context.Context, args ...string) ([]byte, error) {
	return g.RunInput(ctx, nil, args...)
}

// RunInput runs git with args, feeding stdin to it, and returns its standard
// output. A nil stdin means no input (git reads /dev/null).
func (g *Git) RunInput(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	cmd := g.command(ctx, stdin, args)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), commandError(ctx, args, &stderr, err)
	}
	return stdout.Bytes(), nil
}

// command prepares git with args in g.Dir, with g.Env and stdin (nil: none).
func (g *Git) command(ctx context.Context, stdin []byte, args []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, g.Path, args...)
	cmd.Dir = g.Dir
	// A killed git may leave children (ssh, credential helpers, aliases)
	// holding its output pipes: stop waiting for them shortly after.
	cmd.WaitDelay = WaitDelay
	if len(g.Env) > 0 {
		cmd.Env = append(os.Environ(), g.Env...)
	}
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	return cmd
}

// commandError is the *Error of a git run that failed with err: its exit
// code when git exited, its standard error, or the context's end.
func commandError(ctx context.Context, args []string, stderr *bytes.Buffer, err error) *Error {
	e := &Error{Args: append([]string(nil), args...), ExitCode: -1, Stderr: strings.TrimSpace(stderr.String()), Err: err}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.Exited() {
		e.ExitCode = ee.ExitCode()
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		e.ExitCode = -1
		e.Err = ctxErr
	}
	return e
}

// RunStream runs git with args and hands its standard output to consume as
// it is produced, so output of any size needs no memory of that size. When
// consume returns early with an error, git is stopped.
func (g *Git) RunStream(ctx context.Context, consume func(io.Reader) error, args ...string) error {
	return g.RunStreamInput(ctx, nil, consume, args...)
}

// RunStreamInput is RunStream feeding stdin to git (nil: no input), for
// lists too long for a command line (git log --stdin).
func (g *Git) RunStreamInput(ctx context.Context, stdin []byte, consume func(io.Reader) error, args ...string) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := g.command(runCtx, stdin, args)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	if err := cmd.Start(); err != nil {
		return &Error{Args: append([]string(nil), args...), ExitCode: -1, Err: err}
	}
	cerr := consume(out)
	if cerr != nil {
		cancel()
	}
	_, _ = io.Copy(io.Discard, out) // let git finish writing
	werr := cmd.Wait()
	if cerr != nil {
		return cerr
	}
	if werr != nil {
		return commandError(ctx, args, &stderr, werr)
	}
	return nil
}

// output runs git and returns stdout without its trailing newline.
func (g *Git) output(ctx context.Context, args ...string) (string, error) {
	out, err := g.Run(ctx, args...)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(out), "\r\n"), nil
}

// TopLevel returns the absolute path of the working tree's top directory. It
// fails in a bare repository.
func (g *Git) TopLevel(ctx context.Context) (string, error) {
	s, err := g.output(ctx, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", err
	}
	return g.abs(s), nil
}

// GitDir returns the absolute path of the repository's git directory (for a
// linked worktree, its private directory under the common dir's worktrees/).
func (g *Git) GitDir(ctx context.Context) (string, error) {
	s, err := g.output(ctx, "rev-parse", "--absolute-git-dir")
	if err != nil {
		return "", err
	}
	return g.abs(s), nil
}

// CommonDir returns the absolute path of the git directory shared by all
// worktrees, where objects, refs (notes included), hooks and config live.
func (g *Git) CommonDir(ctx context.Context) (string, error) {
	s, err := g.output(ctx, "rev-parse", "--git-common-dir")
	if err != nil {
		return "", err
	}
	return g.abs(s), nil
}

// abs resolves a path git printed relative to g.Dir.
func (g *Git) abs(p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(g.Dir, p)
	}
	return filepath.Clean(p)
}

// ErrShallow reports a shallow clone, which lacks the history tokenyield needs.
var ErrShallow = errors.New("shallow clone: commits and notes are missing; " +
	"run `git fetch --unshallow`, or in GitHub Actions set `fetch-depth: 0` on actions/checkout")

// IsShallow reports whether the repository is a shallow clone. When it is, it
// returns true together with an error wrapping ErrShallow whose message says
// how to fix it, so that a caller needing full history can return err as is;
// a caller that only wants the answer checks errors.Is(err, ErrShallow).
// Any other error means the answer is unknown.
func (g *Git) IsShallow(ctx context.Context) (bool, error) {
	s, err := g.output(ctx, "rev-parse", "--is-shallow-repository")
	if err != nil {
		return false, err
	}
	switch s {
	case "false":
		return false, nil
	case "true":
		return true, fmt.Errorf("%s: %w", g.Dir, ErrShallow)
	default:
		return false, fmt.Errorf("git rev-parse --is-shallow-repository: unexpected output %q", s)
	}
}
