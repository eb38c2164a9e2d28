package review_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/ledger"
)

// rvRepo is a test repository whose commits get increasing dates.
type rvRepo struct {
	t    *testing.T
	dir  string
	when time.Time
}

// rvBase is the first commit date of test repositories (a Monday).
var rvBase = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// git runs git in the repository with the current date as author and
// committer date, and returns its trimmed output.
func (r *rvRepo) git(args ...string) string {
	r.t.Helper()
	return r.gitAs("", "", args...)
}

// gitAs is git with another author (name, email; "" keeps the default).
func (r *rvRepo) gitAs(name, email string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	date := r.when.Format(time.RFC3339)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	if name != "" {
		cmd.Env = append(cmd.Env, "GIT_AUTHOR_NAME="+name, "GIT_AUTHOR_EMAIL="+email)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// tick moves the clock an hour on.
func (r *rvRepo) tick() { r.when = r.when.Add(time.Hour) }

// write writes a file of the working tree.
func (r *rvRepo) write(name, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// commit writes files (name, content pairs), commits them with message by
// the default author and returns the commit's hash.
func (r *rvRepo) commit(message string, files ...string) string {
	r.t.Helper()
	return r.commitAs("", "", message, files...)
}

// commitAs is commit by another author.
func (r *rvRepo) commitAs(name, email, message string, files ...string) string {
	r.t.Helper()
	r.tick()
	for i := 0; i+1 < len(files); i += 2 {
		r.write(files[i], files[i+1])
		r.git("add", "--", files[i])
	}
	r.gitAs(name, email, "commit", "-q", "--allow-empty", "-m", message)
	return r.git("rev-parse", "HEAD")
}

// note writes n as commit sha's note.
func (r *rvRepo) note(sha string, n attribution.Note) {
	r.t.Helper()
	led, err := ledger.Open(r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	defer func() { _ = led.Close() }()
	if err := led.Write(plumbing.NewHash(sha), n); err != nil {
		r.t.Fatal(err)
	}
}

// rvNote builds a canonical note of one row; cost < 0 is unknown.
func rvNote(agent, session, model string, input, output int64, cost float64) attribution.Note {
	row := attribution.Row{
		Agent: agent, Session: session, Model: model,
		Usage:    attribution.Usage{Input: input, Output: output, CacheRead: 10 * input, CacheWrite: input / 2, Reasoning: output / 4},
		Requests: 3, First: rvBase, Last: rvBase.Add(time.Minute),
	}
	if cost >= 0 {
		row.CostUSD = &cost
	}
	n := attribution.Note{V: attribution.NoteVersion, Tool: "tokenyield/test", Rows: []attribution.Row{row}}
	n.Canonicalize()
	return n
}

// rvTrailers returns message with n's AI-Tokens trailers.
func rvTrailers(message string, n attribution.Note) string {
	return ledger.RewriteMessage(message, n)
}

// rvSum adds notes up.
func rvSum(notes ...attribution.Note) attribution.Note {
	var s attribution.Note
	for _, n := range notes {
		s = attribution.Merge(s, n)
	}
	return s
}

// rvF returns a pointer to f.
func rvF(f float64) *float64 { return &f }

// rvTime returns a pointer to t.
func rvTime(t time.Time) *time.Time { return &t }

// rvClose reports whether a and b agree to 1e-9 (both nil counts).
func rvClose(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	d := *a - *b
	return d < 1e-9 && d > -1e-9
}

// rvFmt prints a *float64 for messages.
func rvFmt(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprintf("%g", *p)
}
