package copilot

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

func TestRoots(t *testing.T) {
	tests := []struct {
		name  string
		goos  string
		vars  map[string]string
		want  []string
		files []string
	}{
		{
			name: "default home",
			goos: "linux",
			want: []string{"/home/u/.copilot/session-state", "/home/u/.copilot/history-session-state", "/home/u/.copilot/otel"},
		},
		{
			name: "windows and macOS use the same home folder",
			goos: "windows",
			want: []string{"/home/u/.copilot/session-state", "/home/u/.copilot/history-session-state", "/home/u/.copilot/otel"},
		},
		{
			name:  "COPILOT_HOME and an exporter file",
			goos:  "darwin",
			vars:  map[string]string{envHome: " ~/cp ", envOTelFile: "~/traces/a.jsonl", envXDGState: "/state"},
			want:  []string{"/home/u/cp/session-state", "/home/u/cp/history-session-state", "/home/u/cp/otel"},
			files: []string{"/home/u/traces/a.jsonl"},
		},
		{
			name: "older versions' XDG state folder",
			goos: "linux",
			vars: map[string]string{envXDGState: "/state"},
			want: []string{"/home/u/.copilot/session-state", "/home/u/.copilot/history-session-state", "/home/u/.copilot/otel",
				"/state/.copilot/session-state", "/state/.copilot/history-session-state"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tail.Env{Home: "/home/u", GOOS: tt.goos, Getenv: func(k string) string { return tt.vars[k] }}
			src := Source()
			for i := range tt.want {
				tt.want[i] = filepath.FromSlash(tt.want[i])
			}
			for i := range tt.files {
				tt.files[i] = filepath.FromSlash(tt.files[i])
			}
			if got := src.Roots(env); !slices.Equal(got, tt.want) {
				t.Errorf("roots =\n%q\nwant\n%q", got, tt.want)
			}
			if got := src.Files(env); !slices.Equal(got, tt.files) {
				t.Errorf("files = %q, want %q", got, tt.files)
			}
		})
	}
	if got := roots(tail.Env{}); len(got) != 0 {
		t.Errorf("no home: %q", got)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		path string
		want fileKind
		home string
	}{
		{"/h/.copilot/session-state/abc/events.jsonl", kindEvents, "/h/.copilot"},
		{"/h/.copilot/session-state/abc.jsonl", kindEvents, "/h/.copilot"},
		{"/h/.copilot/history-session-state/abc/events.jsonl", kindEvents, "/h/.copilot"},
		{"/h/.copilot/session-state/abc/files/data.jsonl", kindIgnore, "/h/.copilot"},
		{"/h/.copilot/session-state/abc/other.jsonl", kindIgnore, "/h/.copilot"},
		{"/h/.copilot/otel/a.jsonl", kindOTel, "/h/.copilot"},
		{"/h/.copilot/otel/2026/03/a.jsonl", kindOTel, "/h/.copilot"},
		{"/tmp/copilot-otel.jsonl", kindOTel, ""},
	}
	for _, tt := range tests {
		p := filepath.FromSlash(tt.path)
		if got := classify(p); got != tt.want {
			t.Errorf("classify(%q) = %d, want %d", tt.path, got, tt.want)
		}
		if tt.home != "" {
			if got := homeOf(p); got != filepath.FromSlash(tt.home) {
				t.Errorf("homeOf(%q) = %q, want %q", tt.path, got, tt.home)
			}
		}
	}
	for rel, want := range map[string]bool{"a/events.jsonl": true, "a.jsonl": true, "x/y/z.jsonl": true, "a.json": false, ".jsonl": false, "a/.jsonl": false} {
		if match(rel) != want {
			t.Errorf("match(%q) = %v", rel, !want)
		}
	}
}

// TestArtifactsIgnored: a .jsonl file among a session's artifacts is read
// (once) without emitting anything, even when it looks like an export.
func TestArtifactsIgnored(t *testing.T) {
	h := newHome(t)
	h.put(handmade+"/"+otelExport, "session-state/"+otlpSession+"/files/trace.jsonl")
	got := h.scan()
	if len(got.Events) != 0 || got.Stats[attribution.AgentCopilotCLI].Files != 1 {
		t.Errorf("events %+v, stats %+v", got.Events, got.Stats[attribution.AgentCopilotCLI])
	}
}

// TestXDGStateCopy: a session left in an older version's XDG state folder
// and migrated to ~/.copilot is read in both places and counts once.
func TestXDGStateCopy(t *testing.T) {
	env := agenttest.Env(t, nil)
	state := t.TempDir()
	env.Getenv = func(k string) string {
		if k == envXDGState {
			return state
		}
		return ""
	}
	for _, base := range []string{filepath.Join(env.Home, ".copilot"), filepath.Join(state, ".copilot")} {
		h := &home{t: t, dir: base}
		h.session(resumeSession)
	}
	got := agenttest.Scan(t, env, Source())
	want := attribution.Usage{Input: 7000, CacheRead: 36000, CacheWrite: 5000, Output: 620, Reasoning: 70}
	if got.Total != want || got.Requests != 6 || got.Stats[attribution.AgentCopilotCLI].Files != 2 {
		t.Errorf("total %+v in %d requests, stats %+v", got.Total, got.Requests, got.Stats[attribution.AgentCopilotCLI])
	}
}
