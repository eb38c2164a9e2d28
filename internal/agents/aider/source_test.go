package aider

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// TestFiles checks which files are read, with which role, for each way
// aider can be configured, including the no-double-counting rules: a
// repository with a per-repository analytics log has its chat histories
// skipped, and an existing global analytics log replaces every chat
// history.
func TestFiles(t *testing.T) {
	base := t.TempDir()
	a, b := filepath.Join(base, "a"), filepath.Join(base, "b")
	global := filepath.Join(base, "global", "aider.jsonl")
	outside := filepath.Join(base, "notes", "chat.md")
	writeFile(t, global, nil)

	an := func(p, cwd string) namedFile { return namedFile{p, role{kind: kindAnalytics, cwd: cwd}} }
	hi := func(p, cwd string) namedFile { return namedFile{p, role{kind: kindHistory, cwd: cwd}} }
	for _, tc := range []struct {
		name     string
		vars     map[string]string
		repos    []string
		existing []string // files created for the case (below base)
		want     []namedFile
	}{
		{
			name:  "defaults: per-repository log candidates and chat histories",
			repos: []string{a, b},
			want: []namedFile{
				an(filepath.Join(a, analyticsName), a), an(filepath.Join(b, analyticsName), b),
				hi(filepath.Join(a, historyName), a), hi(filepath.Join(b, historyName), b),
			},
		},
		{
			name:     "a per-repository log hides that repository's chat history",
			repos:    []string{a, b},
			existing: []string{filepath.Join(a, analyticsName)},
			want: []namedFile{
				an(filepath.Join(a, analyticsName), a), an(filepath.Join(b, analyticsName), b),
				hi(filepath.Join(b, historyName), b),
			},
		},
		{
			name:     "a relative AIDER_ANALYTICS_LOG is per repository",
			vars:     map[string]string{envAnalyticsLog: filepath.Join("logs", "aider.jsonl")},
			repos:    []string{a, b},
			existing: []string{filepath.Join(b, "logs", "aider.jsonl")},
			want: []namedFile{
				an(filepath.Join(a, analyticsName), a), an(filepath.Join(a, "logs", "aider.jsonl"), a),
				an(filepath.Join(b, analyticsName), b), an(filepath.Join(b, "logs", "aider.jsonl"), b),
				hi(filepath.Join(a, historyName), a),
			},
		},
		{
			name:  "an existing global log replaces every chat history",
			vars:  map[string]string{envAnalyticsLog: global, envChatHistory: outside},
			repos: []string{a},
			want:  []namedFile{an(global, ""), an(filepath.Join(a, analyticsName), a)},
		},
		{
			name:  "a missing global log does not",
			vars:  map[string]string{envAnalyticsLog: filepath.Join(base, "missing.jsonl")},
			repos: []string{a},
			want: []namedFile{
				an(filepath.Join(base, "missing.jsonl"), ""), an(filepath.Join(a, analyticsName), a),
				hi(filepath.Join(a, historyName), a),
			},
		},
		{
			name:  "a global log inside a repository stays global",
			vars:  map[string]string{envAnalyticsLog: filepath.Join(a, analyticsName)},
			repos: []string{a},
			want:  []namedFile{an(filepath.Join(a, analyticsName), ""), hi(filepath.Join(a, historyName), a)},
		},
		{
			name:  "absolute AIDER_CHAT_HISTORY_FILE: cwd is its directory",
			vars:  map[string]string{envChatHistory: outside},
			repos: []string{a},
			want: []namedFile{
				an(filepath.Join(a, analyticsName), a),
				hi(filepath.Join(a, historyName), a), hi(outside, filepath.Dir(outside)),
			},
		},
		{
			name:     "absolute AIDER_CHAT_HISTORY_FILE inside a repository with a log",
			vars:     map[string]string{envChatHistory: filepath.Join(a, "sub", "chat.md")},
			repos:    []string{a},
			existing: []string{filepath.Join(a, analyticsName)},
			want:     []namedFile{an(filepath.Join(a, analyticsName), a)},
		},
		{
			name:     "a nested repository keeps its chat history",
			repos:    []string{a, filepath.Join(a, "sub")},
			existing: []string{filepath.Join(a, analyticsName)},
			want: []namedFile{
				an(filepath.Join(a, analyticsName), a), an(filepath.Join(a, "sub", analyticsName), filepath.Join(a, "sub")),
				hi(filepath.Join(a, "sub", historyName), filepath.Join(a, "sub")),
			},
		},
		{
			name:  "relative AIDER_CHAT_HISTORY_FILE: below each repository",
			vars:  map[string]string{envChatHistory: "chat.md"},
			repos: []string{a},
			want: []namedFile{
				an(filepath.Join(a, analyticsName), a),
				hi(filepath.Join(a, historyName), a), hi(filepath.Join(a, "chat.md"), a),
			},
		},
		{
			name:  "no repositories, no variables: nothing",
			repos: []string{"", "relative/repo"},
		},
		{
			name:  "duplicate and unclean repositories count once",
			repos: []string{a, a + string(filepath.Separator), filepath.Join(a, "x", "..")},
			want:  []namedFile{an(filepath.Join(a, analyticsName), a), hi(filepath.Join(a, historyName), a)},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range tc.existing {
				writeFile(t, p, nil)
			}
			env := agenttest.Env(t, tc.vars)
			env.Repos = tc.repos
			if got := files(env); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("files:\n got %+v\nwant %+v", got, tc.want)
			}
			for _, d := range []string{a, b} {
				if err := os.RemoveAll(d); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestRoleByName checks how a path that Files did not name is read.
func TestRoleByName(t *testing.T) {
	dir := filepath.Join(string(filepath.Separator)+"r", "repo")
	for _, tc := range []struct {
		path string
		want role
	}{
		{filepath.Join(dir, historyName), role{kindHistory, dir}},
		{filepath.Join(dir, "NOTES.MD"), role{kindHistory, dir}},
		{filepath.Join(dir, "chat.markdown"), role{kindHistory, dir}},
		{filepath.Join(dir, analyticsName), role{kindAnalytics, dir}},
		{filepath.Join(dir, "aider.jsonl"), role{kindAnalytics, ""}},
		{filepath.Join(dir, "aider.log"), role{kindAnalytics, ""}},
	} {
		if got := roleByName(tc.path); got != tc.want {
			t.Errorf("roleByName(%s) = %+v, want %+v", tc.path, got, tc.want)
		}
	}
}

// TestSourceUsesFileRoles: a chat history named by AIDER_CHAT_HISTORY_FILE
// without a Markdown extension is still read as a chat history, because
// Files told the parser so.
func TestSourceUsesFileRoles(t *testing.T) {
	dir := t.TempDir()
	hist := filepath.Join(dir, "history.txt")
	writeFile(t, hist, []byte("# aider chat started at 2024-08-05 19:33:02\n> Tokens: 1,000 sent, 20 received.\n"))
	env := agenttest.Env(t, map[string]string{envChatHistory: hist})
	res := agenttest.Scan(t, env, Source())
	if len(res.Events) != 1 || res.Total != (attribution.Usage{Input: 1000, Output: 20}) || res.Events[0].Cwd != dir {
		t.Fatalf("events %+v, problems %v", res.Events, res.Problems)
	}
	src := Source()
	if src.Roots(env) != nil || src.Match(historyName) || src.Agent != attribution.AgentAider {
		t.Errorf("Roots and Match must be inert, Agent %q", src.Agent)
	}
}

// analyticsLog2 returns an analytics log with two message_send events
// (hand-made; 1000+20 and 2000+40 tokens).
func analyticsLog2() []byte {
	return []byte(`{"event": "launched", "properties": {}, "user_id": "u", "time": 1723000000}
{"event": "message_send", "properties": {"main_model": "gpt-4o", "prompt_tokens": 1000, "completion_tokens": 20, "cost": 0.01, "total_cost": 0.01}, "user_id": "u", "time": 1723000010}
{"event": "message_send", "properties": {"main_model": "gpt-4o", "prompt_tokens": 2000, "completion_tokens": 40, "cost": 0.02, "total_cost": 0.03}, "user_id": "u", "time": 1723000020}
`)
}

// TestNoDoubleCount scans repositories holding both records of the same
// usage: only one of them may count.
func TestNoDoubleCount(t *testing.T) {
	head := readFile(t, sampleHead) // 161,861 input + 6,564 output in 12 requests
	headUsage := attribution.Usage{Input: 161861, Output: 6564}
	logUsage := attribution.Usage{Input: 3000, Output: 60}

	setup := func(t *testing.T, withLog bool) (a, b string) {
		base := t.TempDir()
		a, b = filepath.Join(base, "a"), filepath.Join(base, "b")
		if withLog {
			writeFile(t, filepath.Join(a, analyticsName), analyticsLog2())
		}
		writeFile(t, filepath.Join(a, historyName), head)
		writeFile(t, filepath.Join(b, historyName), head) // a copy: same keys
		return a, b
	}
	byCwd := func(events []attribution.Event) map[string]attribution.Usage {
		m := map[string]attribution.Usage{}
		for _, e := range events {
			m[e.Cwd] = m[e.Cwd].Add(e.Usage)
		}
		return m
	}

	t.Run("per-repository log wins in its repository", func(t *testing.T) {
		a, b := setup(t, true)
		env := agenttest.Env(t, nil)
		env.Repos = []string{a}
		res := agenttest.Scan(t, env, Source())
		if res.Total != logUsage || res.Requests != 2 || byCwd(res.Events)[a] != logUsage {
			t.Errorf("repo a: %+v in %d requests, want only the analytics log %+v", res.Total, res.Requests, logUsage)
		}
		env.Repos = []string{b}
		res = agenttest.Scan(t, env, Source())
		if res.Total != headUsage || res.Requests != 12 || byCwd(res.Events)[b] != headUsage {
			t.Errorf("repo b: %+v in %d requests, want its chat history %+v", res.Total, res.Requests, headUsage)
		}
	})

	t.Run("copies of a chat history count once", func(t *testing.T) {
		a, b := setup(t, false)
		env := agenttest.Env(t, nil)
		env.Repos = []string{a, b}
		res := agenttest.Scan(t, env, Source())
		if res.Total != headUsage || res.Requests != 12 {
			t.Errorf("%+v in %d requests, want %+v in 12", res.Total, res.Requests, headUsage)
		}
	})

	t.Run("an existing global log replaces chat histories", func(t *testing.T) {
		a, b := setup(t, true)
		global := filepath.Join(t.TempDir(), "aider-analytics.jsonl")
		writeFile(t, global, []byte(`{"event": "message_send", "properties": {"main_model": "gpt-4o", "prompt_tokens": 7, "completion_tokens": 3}, "user_id": "u", "time": 1723000030}`+"\n"))
		env := agenttest.Env(t, map[string]string{envAnalyticsLog: global})
		env.Repos = []string{a, b}
		res := agenttest.Scan(t, env, Source())
		want := logUsage.Add(attribution.Usage{Input: 7, Output: 3})
		got := byCwd(res.Events)
		if res.Total != want || res.Requests != 3 || got[a] != logUsage || got[""] != (attribution.Usage{Input: 7, Output: 3}) {
			t.Errorf("%+v in %d requests by cwd %+v; want the per-repository log of a and the global log only", res.Total, res.Requests, got)
		}
	})
}
