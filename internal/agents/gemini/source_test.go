package gemini

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

func TestRoots(t *testing.T) {
	j := filepath.Join
	home := j(string(filepath.Separator)+"home", "me")
	tests := []struct {
		name string
		home string
		goos string
		env  map[string]string
		want []string
	}{
		{"default", home, "linux", nil, []string{j(home, ".gemini", "tmp")}},
		{"macOS is the same", home, "darwin", nil, []string{j(home, ".gemini", "tmp")}},
		{"Windows: below the user profile", `C:\Users\me`, "windows", nil, []string{j(`C:\Users\me`, ".gemini", "tmp")}},
		{"GEMINI_CLI_HOME replaces the home", home, "linux", map[string]string{"GEMINI_CLI_HOME": "/sandbox/"},
			[]string{j("/sandbox", ".gemini", "tmp")}},
		{"GEMINI_CLI_HOME with ~", home, "linux", map[string]string{"GEMINI_CLI_HOME": "~/alt"},
			[]string{j(home, "alt", ".gemini", "tmp")}},
		{"GEMINI_DATA_DIR list is added", home, "linux", map[string]string{"GEMINI_DATA_DIR": " /a/tmp , ,~/b,/a/tmp/"},
			[]string{j(home, ".gemini", "tmp"), j("/a", "tmp"), j(home, "b")}},
		{"GEMINI_DATA_DIR naming the default", home, "linux", map[string]string{"GEMINI_DATA_DIR": "~/.gemini/tmp"},
			[]string{j(home, ".gemini", "tmp")}},
		{"no home", "", "linux", nil, nil},
		{"no home but GEMINI_CLI_HOME", "", "linux", map[string]string{"GEMINI_CLI_HOME": "/g"}, []string{j("/g", ".gemini", "tmp")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tail.Env{Home: tt.home, GOOS: tt.goos, Getenv: func(k string) string { return tt.env[k] }}
			if got := Source().Roots(env); !slices.Equal(got, tt.want) {
				t.Errorf("Roots = %q\nwant    %q", got, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	for rel, want := range map[string]bool{
		"my-repo/chats/session-2026-04-29T21-39-5e55a001.jsonl":  true,
		"my-repo/chats/session-2025-12-16T23-47-b4f17607.json":   true,
		"my-repo/chats/5e55a001-full-parent-id/9c2e7f10.jsonl":   true,
		"my-repo/chats/5e55a001-full-parent-id/9c2e7f10.json":    true,
		"0b7dfb12/chats/small.json":                              true,
		"my-repo/chats/session-x.jsonl.unreadable-1746086400000": false,
		"my-repo/chats/session-x.jsonl.tmp-4242":                 false,
		"my-repo/chats/.jsonl":                                   false,
		"my-repo/logs.json":                                      false,
		"my-repo/checkpoint-save.json":                           false,
		"my-repo/chats/a/b/c.jsonl":                              false,
		"chats/session-x.jsonl":                                  false,
		"my-repo/logs/session-x.jsonl":                           false,
		"tmp/my-repo/chats/session-x.jsonl":                      false,
	} {
		if got := match(rel); got != want {
			t.Errorf("match(%q) = %v, want %v", rel, got, want)
		}
	}
}

func TestPaths(t *testing.T) {
	j := filepath.Join
	for path, want := range map[string][2]string{
		j("/h", ".gemini", "tmp", "repo", "chats", "session-a.jsonl"):   {j("/h", ".gemini", "tmp", "repo"), "session-a"},
		j("/h", ".gemini", "tmp", "repo", "chats", "p-id", "s-id.json"): {j("/h", ".gemini", "tmp", "repo"), "s-id"},
		j("/elsewhere", "file.jsonl"):                                   {"", "file"},
	} {
		if d, s := projectDir(path), fileSession(path); d != want[0] || s != want[1] {
			t.Errorf("%s: projectDir %q, session %q; want %q", path, d, s, want)
		}
	}
}

func TestSource(t *testing.T) {
	s := Source()
	if s.Agent != attribution.AgentGeminiCLI || s.Roots == nil || s.Match == nil || s.NewParser == nil || s.Read == nil || s.Files != nil {
		t.Errorf("Source() = %+v", s)
	}
}

// TestHomeLayout reads the synthetic tree where Gemini CLI keeps it, under
// the home directory and under GEMINI_CLI_HOME, with projects.json next to
// tmp/ as in ~/.gemini.
func TestHomeLayout(t *testing.T) {
	tree := agenttest.CopyTree(t, syntheticDir)
	env := agenttest.Env(t, nil)
	if err := os.Rename(tree, filepath.Join(env.Home, ".gemini")); err != nil {
		t.Fatal(err)
	}
	if got := agenttest.Scan(t, env, Source()); got.Total != syntheticWant || got.Requests != 7 {
		t.Errorf("~/.gemini: %+v in %d requests", got.Total, got.Requests)
	}

	alt := agenttest.CopyTree(t, syntheticDir)
	sandbox := t.TempDir()
	if err := os.Rename(alt, filepath.Join(sandbox, ".gemini")); err != nil {
		t.Fatal(err)
	}
	env = agenttest.Env(t, map[string]string{"GEMINI_CLI_HOME": sandbox})
	got := agenttest.Scan(t, env, Source())
	if got.Total != syntheticWant || got.Requests != 7 {
		t.Errorf("GEMINI_CLI_HOME: %+v in %d requests", got.Total, got.Requests)
	}
	for _, e := range got.Events {
		if e.Session == attribution.HashSession(attribution.AgentGeminiCLI, synMain) && e.Cwd != "/home/dev/webapp" {
			t.Errorf("cwd = %q", e.Cwd)
		}
	}
}
