package qwen

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
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
		{"default", home, "linux", nil, []string{j(home, ".qwen", "projects")}},
		{"macOS is the same", home, "darwin", nil, []string{j(home, ".qwen", "projects")}},
		{"Windows: below the user profile", `C:\Users\me`, "windows", nil, []string{j(`C:\Users\me`, ".qwen", "projects")}},
		{"QWEN_RUNTIME_DIR is added first", home, "linux", map[string]string{"QWEN_RUNTIME_DIR": "~/rt"},
			[]string{j(home, "rt", "projects"), j(home, ".qwen", "projects")}},
		{"QWEN_DATA_DIR replaces ~/.qwen", home, "linux", map[string]string{"QWEN_DATA_DIR": "/a, ~/b ,,/a/"},
			[]string{j("/a", "projects"), j(home, "b", "projects")}},
		{"both, without repeats", home, "linux", map[string]string{"QWEN_DATA_DIR": "/q", "QWEN_RUNTIME_DIR": "/q/"},
			[]string{j("/q", "projects")}},
		{"blank QWEN_DATA_DIR", home, "linux", map[string]string{"QWEN_DATA_DIR": " , "}, []string{j(home, ".qwen", "projects")}},
		{"no home", "", "linux", nil, nil},
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
		"-home-me-app/chats/69f0814a-8bfc-4c8e-93d3-05757f17b96f.jsonl": true,
		"-home-me-app/chats/system_telemetry.jsonl":                     true,
		"-home-me-app/subagents/69f0814a/agent-explore-1a2b.jsonl":      true,
		"-home-me-app/subagents/69f0814a/agent-explore-1a2b.meta.json":  false,
		"-home-me-app/subagents/69f0814a/agent-x.jsonl.stream":          false,
		"-home-me-app/subagents/69f0814a/agent-.jsonl":                  false,
		"-home-me-app/subagents/69f0814a/notes.jsonl":                   false,
		"-home-me-app/chats/.jsonl":                                     false,
		"-home-me-app/chats/x/y.jsonl":                                  false,
		"-home-me-app/session.jsonl":                                    false,
		"-home-me-app/chats/s.json":                                     false,
		"chats/s.jsonl":                                                 false,
	} {
		if got := match(rel); got != want {
			t.Errorf("match(%q) = %v, want %v", rel, got, want)
		}
	}
}

func TestFileSession(t *testing.T) {
	j := filepath.Join
	for path, want := range map[string]string{
		j("/q", "projects", "p", "chats", "s-1.jsonl"):                      "s-1",
		j("/q", "projects", "p", "subagents", "s-1", "agent-explore.jsonl"): "s-1",
	} {
		if got := fileSession(path); got != want {
			t.Errorf("fileSession(%s) = %q, want %q", path, got, want)
		}
	}
}

// writeSubagent writes a subagent transcript (empty) and its sidecar, and
// returns the transcript's path.
func writeSubagent(t *testing.T, session, name, meta string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "projects", "-home-me-app", "subagents", session)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".jsonl")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if meta != "" {
		if err := os.WriteFile(filepath.Join(dir, name+".meta.json"), []byte(meta), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestSidecarModel(t *testing.T) {
	for meta, want := range map[string]string{
		`{"agentId":"a","model":"qwen3-coder-flash"}`: "qwen3-coder-flash",
		`{"agentId":"a"}`:            "",
		`{"model":"bad model name"}`: "unknown",
		`{"model":`:                  "",
		`[]`:                         "",
		"":                           "",
	} {
		if got := sidecarModel(writeSubagent(t, "s", "agent-a", meta)); got != want {
			t.Errorf("sidecar %q: model %q, want %q", meta, got, want)
		}
	}
	if got := sidecarModel("/q/projects/p/chats/s.jsonl"); got != "" {
		t.Errorf("a session transcript has no sidecar: %q", got)
	}
}

func TestSource(t *testing.T) {
	s := Source()
	if s.Agent != attribution.AgentQwenCode || s.Roots == nil || s.Match == nil || s.NewParser == nil || s.Read != nil {
		t.Errorf("Source() = %+v", s)
	}
}

// TestHomeLayout reads the synthetic tree where Qwen Code keeps it: in
// ~/.qwen, and in QWEN_RUNTIME_DIR next to an empty ~/.qwen.
func TestHomeLayout(t *testing.T) {
	env := agenttest.Env(t, nil)
	if err := os.Rename(agenttest.CopyTree(t, syntheticDir), filepath.Join(env.Home, ".qwen")); err != nil {
		t.Fatal(err)
	}
	if got := agenttest.Scan(t, env, Source()); got.Total != syntheticWant || got.Requests != 5 {
		t.Errorf("~/.qwen: %+v in %d requests", got.Total, got.Requests)
	}
	rt := agenttest.CopyTree(t, syntheticDir)
	env = agenttest.Env(t, map[string]string{"QWEN_RUNTIME_DIR": rt})
	if got := agenttest.Scan(t, env, Source()); got.Total != syntheticWant || !strings.HasPrefix(got.Events[0].Cwd, "/home/dev") {
		t.Errorf("QWEN_RUNTIME_DIR: %+v", got.Total)
	}
}
