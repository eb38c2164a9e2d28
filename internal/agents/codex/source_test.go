package codex

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

func TestRoots(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  tail.Env
		want []string
	}{
		{
			name: "CODEX_HOME set",
			env:  tail.Env{Home: "/home/u", GOOS: "linux", Getenv: func(k string) string { return map[string]string{"CODEX_HOME": "/data/codex/"}[k] }},
			want: []string{filepath.Join("/data/codex", "sessions"), filepath.Join("/data/codex", "archived_sessions")},
		},
		{
			name: "CODEX_HOME unset",
			env:  tail.Env{Home: "/home/u", GOOS: "linux", Getenv: func(string) string { return "" }},
			want: []string{filepath.Join("/home/u", ".codex", "sessions"), filepath.Join("/home/u", ".codex", "archived_sessions")},
		},
		{
			name: "windows uses the home directory too",
			env:  tail.Env{Home: "/Users/u", GOOS: "windows"},
			want: []string{filepath.Join("/Users/u", ".codex", "sessions"), filepath.Join("/Users/u", ".codex", "archived_sessions")},
		},
		{
			name: "no home, no CODEX_HOME",
			env:  tail.Env{GOOS: "linux"},
			want: nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Source().Roots(tc.env); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Roots = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	for rel, want := range map[string]bool{
		"2026/02/23/rollout-2026-02-23T13-19-38-019c8a70-dda7-7f33-98ea-f30553347322.jsonl":     true,
		"2026/02/23/rollout-2026-02-23T13-19-38-019c8a70-dda7-7f33-98ea-f30553347322.jsonl.zst": true,
		"rollout-2026-02-23T13-19-38-019c8a70-dda7-7f33-98ea-f30553347322.jsonl":                true, // archived_sessions is flat
		"2026/02/23/rollout-x.json":       false,
		"2026/02/23/rollout-x.jsonl.tmp":  false,
		"2026/02/23/rollout-x.zst":        false,
		"history.jsonl":                   false,
		"session_index.jsonl":             false,
		"2026/02/23/notes-rollout-.jsonl": false,
	} {
		if got := Source().Match(rel); got != want {
			t.Errorf("Match(%q) = %v, want %v", rel, got, want)
		}
	}
	if Source().Agent != attribution.AgentCodex {
		t.Errorf("Agent = %q", Source().Agent)
	}
}

// TestDiscovery walks fake homes: CODEX_HOME replaces ~/.codex entirely.
func TestDiscovery(t *testing.T) {
	home := t.TempDir()
	custom := t.TempDir()
	for _, p := range []string{
		filepath.Join(home, ".codex", "sessions", "2026", "01", "01", "rollout-home.jsonl"),
		filepath.Join(custom, "sessions", "2026", "01", "01", "rollout-a.jsonl"),
		filepath.Join(custom, "sessions", "2026", "01", "02", "rollout-b.jsonl.zst"),
		filepath.Join(custom, "archived_sessions", "rollout-c.jsonl"),
		filepath.Join(custom, "sessions", "2026", "01", "01", "history.jsonl"),
		filepath.Join(custom, "session_index.jsonl"),
		filepath.Join(custom, "rollout-outside-roots.jsonl"),
	} {
		writeFile(t, p, nil)
	}
	env := tail.Env{Home: home, GOOS: "linux", Getenv: func(k string) string {
		if k == "CODEX_HOME" {
			return custom
		}
		return ""
	}}
	got := discover(t, Source(), env)
	want := []string{
		filepath.Join(custom, "archived_sessions", "rollout-c.jsonl"),
		filepath.Join(custom, "sessions", "2026", "01", "01", "rollout-a.jsonl"),
		filepath.Join(custom, "sessions", "2026", "01", "02", "rollout-b.jsonl.zst"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with CODEX_HOME: %q, want %q", got, want)
	}
	env.Getenv = func(string) string { return "" }
	got = discover(t, Source(), env)
	want = []string{filepath.Join(home, ".codex", "sessions", "2026", "01", "01", "rollout-home.jsonl")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("without CODEX_HOME: %q, want %q", got, want)
	}
}

func TestFallbackThread(t *testing.T) {
	for path, want := range map[string]string{
		"/x/rollout-2026-02-23T13-19-38-019c8a70-dda7-7f33-98ea-f30553347322.jsonl":     "019c8a70-dda7-7f33-98ea-f30553347322",
		"/x/rollout-2026-02-23T13-19-38-019C8A70-DDA7-7F33-98EA-F30553347322.jsonl.zst": "019c8a70-dda7-7f33-98ea-f30553347322",
		"/x/session-alpha.jsonl": "session-alpha",
		"":                       "unknown",
	} {
		if got := fallbackThread(path); got != want {
			t.Errorf("fallbackThread(%q) = %q, want %q", path, got, want)
		}
	}
	ms, ok := uuidV7Millis("019c8a70-dda7-7f33-98ea-f30553347322")
	if !ok || ms != 0x019c8a70dda7 {
		t.Errorf("uuidV7Millis = %d, %v", ms, ok)
	}
	if _, ok := uuidV7Millis("019c8a70-dda7-4f33-98ea-f30553347322"); ok {
		t.Error("a version 4 UUID has no time")
	}
}
