package claudecode

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
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
		{"default: XDG then ~/.claude", home, "linux", nil,
			[]string{j(home, ".config", "claude", "projects"), j(home, ".claude", "projects")}},
		{"XDG_CONFIG_HOME", home, "linux", map[string]string{"XDG_CONFIG_HOME": "/xdg"},
			[]string{j("/xdg", "claude", "projects"), j(home, ".claude", "projects")}},
		{"macOS is the same", home, "darwin", nil,
			[]string{j(home, ".config", "claude", "projects"), j(home, ".claude", "projects")}},
		{"Windows is the same under the home", `C:\Users\me`, "windows", nil,
			[]string{j(`C:\Users\me`, ".config", "claude", "projects"), j(`C:\Users\me`, ".claude", "projects")}},
		{"no home", "", "linux", nil, nil},
		{"no home but XDG", "", "linux", map[string]string{"XDG_CONFIG_HOME": "/xdg"},
			[]string{j("/xdg", "claude", "projects")}},
		{"CLAUDE_CONFIG_DIR replaces the defaults", home, "linux", map[string]string{"CLAUDE_CONFIG_DIR": "/cfg", "XDG_CONFIG_HOME": "/xdg"},
			[]string{j("/cfg", "projects")}},
		{"CLAUDE_CONFIG_DIR ending in projects", home, "linux", map[string]string{"CLAUDE_CONFIG_DIR": "/cfg/projects/"},
			[]string{j("/cfg", "projects")}},
		{"CLAUDE_CONFIG_DIR list, trimmed and de-duplicated", home, "linux",
			map[string]string{"CLAUDE_CONFIG_DIR": " /a , /b/projects,, /a/projects ,/b ,/c/"},
			[]string{j("/a", "projects"), j("/b", "projects"), j("/c", "projects")}},
		{"CLAUDE_CONFIG_DIR with ~", home, "linux", map[string]string{"CLAUDE_CONFIG_DIR": "~/work-claude,~"},
			[]string{j(home, "work-claude", "projects"), j(home, "projects")}},
		{"CLAUDE_CONFIG_DIR blank: defaults", home, "linux", map[string]string{"CLAUDE_CONFIG_DIR": " , "},
			[]string{j(home, ".config", "claude", "projects"), j(home, ".claude", "projects")}},
		{"relative CLAUDE_CONFIG_DIR kept as given", home, "linux", map[string]string{"CLAUDE_CONFIG_DIR": "rel/dir"},
			[]string{j("rel", "dir", "projects")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tail.Env{Home: tt.home, GOOS: tt.goos, Getenv: func(k string) string { return tt.env[k] }}
			if got := Source().Roots(env); !slices.Equal(got, tt.want) {
				t.Errorf("Roots = %q\nwant    %q", got, tt.want)
			}
		})
	}
	// A nil Getenv is no environment at all.
	if got := Source().Roots(tail.Env{Home: home}); len(got) != 2 {
		t.Errorf("Roots without Getenv = %q", got)
	}
}

func TestMatch(t *testing.T) {
	for rel, want := range map[string]bool{
		"-home-me-repo/4d5611e5-241a-462a-8d15-5122611a9569.jsonl":                    true,
		"-home-me-repo/4d5611e5-241a-462a-8d15-5122611a9569/subagents/agent-a1.jsonl": true,
		"-home-me-repo/agent-a2898e3.jsonl":                                           true,
		"-home-me-repo/s/subagents/workflows/wf/agent-x.jsonl":                        true,
		"top.jsonl": true,
		"-home-me-repo/s/subagents/workflows/wf/journal.jsonl": false,
		"-home-me-repo/s/subagents/agent-a1.meta.json":         false,
		"-home-me-repo/s.jsonl.bak":                            false,
		"-home-me-repo/.jsonl":                                 false,
		"-home-me-repo/s.json":                                 false,
	} {
		if got := Source().Match(rel); got != want {
			t.Errorf("Match(%q) = %v, want %v", rel, got, want)
		}
	}
}

func TestSource(t *testing.T) {
	s := Source()
	if s.Agent != attribution.AgentClaudeCode || s.Roots == nil || s.Match == nil || s.NewParser == nil {
		t.Errorf("Source() = %+v", s)
	}
}
