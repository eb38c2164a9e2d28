package cli

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tokenyield/tokenyield/internal/agents/custom"
)

// runRecord appends one usage record in the open format (internal/agents/
// custom) for tools that have no log tokenyield reads.
func runRecord(env *Env, args []string) error {
	var r custom.Record
	var at, cwd string
	fs := newFlags(env, "record", "--model M --input N --output N [--cache-read N] [--cache-write N] [--reasoning N] [--agent A] [--cwd DIR] [--session S] [--id ID] [--time T] [--estimated]")
	fs.StringVar(&r.Agent, "agent", "", "agent name (default \"custom\"; a-z, 0-9, '.', '_', '-')")
	fs.StringVar(&r.Model, "model", "", "model name, as priced (e.g. claude-sonnet-4-6, gpt-5) (required)")
	fs.Int64Var(&r.Input, "input", 0, "input tokens, excluding cache reads and writes")
	fs.Int64Var(&r.CacheRead, "cache-read", 0, "input tokens read from the prompt cache")
	fs.Int64Var(&r.CacheWrite, "cache-write", 0, "input tokens written to the prompt cache")
	fs.Int64Var(&r.Output, "output", 0, "output tokens, reasoning included")
	fs.Int64Var(&r.Reasoning, "reasoning", 0, "the part of output spent reasoning")
	fs.StringVar(&cwd, "cwd", "", "working directory of the call (default: the current one); attributes it to a repository")
	fs.StringVar(&r.Session, "session", "", "session or run id (stored hashed)")
	fs.StringVar(&r.ID, "id", "", "the call's unique id, e.g. the API response id (default: a random one)")
	fs.StringVar(&at, "time", "", "when the call happened, RFC 3339 (default: now)")
	fs.BoolVar(&r.Estimated, "estimated", false, "the counts are estimates")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	r.V = custom.Version
	r.Time = env.Now()
	if at != "" {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return fmt.Errorf("%w: --time: %w", errUsage, err)
		}
		r.Time = t
	}
	if cwd == "" {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("current directory: %w", err)
		}
		cwd = wd
	}
	abs, err := filepath.Abs(cwd)
	if err != nil {
		return fmt.Errorf("--cwd: %w", err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	r.Cwd = abs
	if r.ID == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("record id: %w", err)
		}
		r.ID = "rec_" + hex.EncodeToString(b[:])
	}
	if err := r.Validate(); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	dir := custom.Dir(env.Agents)
	if dir == "" {
		return fmt.Errorf("no home directory: set TOKENYIELD_HOME")
	}
	return custom.Append(filepath.Join(dir, custom.RecordFile), r)
}
