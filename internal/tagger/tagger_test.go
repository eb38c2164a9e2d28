package tagger

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
	"github.com/tokenyield/tokenyield/internal/scan"
)

func TestPendingList(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var p pendingList
	for i := range 4 {
		p.add(attribution.Event{Agent: "a", Cwd: "/r", Time: t0.Add(time.Duration(i) * time.Hour), Usage: attribution.Usage{Output: int64(10 * (i + 1))}})
	}
	if n := p.expire(t0.Add(90 * time.Minute)); n != 2 || p.Expired != 2 || p.ExpiredTokens != 30 {
		t.Fatalf("expire: n=%d %+v", n, p)
	}
	p.remove([]uint64{3})
	if len(p.Events) != 1 || p.Events[0].Seq != 4 {
		t.Fatalf("remove left %+v", p.Events)
	}
	path := filepath.Join(t.TempDir(), "pending")
	if err := p.save(path); err != nil {
		t.Fatal(err)
	}
	back, err := loadPending(path)
	if err != nil || back.NextSeq != 4 || len(back.Events) != 1 || back.Events[0].event().Usage.Output != 40 {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if p2, err := loadPending(path); err == nil || len(p2.Events) != 0 {
		t.Fatal("a damaged pending list must start over with an error")
	}
}

func TestPendingEventsEncoding(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	events := pendingEvents{
		{Seq: 1, Agent: "claude-code", Session: "s1", Model: "m1", Cwd: "/r", Time: t0, Usage: attribution.Usage{Input: 1, CacheRead: 2, CacheWrite: 3, Output: 4, Reasoning: 5}},
		{Seq: 2, Agent: "codex", Model: "m2", Cwd: "/r/sub", Time: t0.Add(time.Second), Usage: attribution.Usage{Output: 7}, Estimated: true},
		{Seq: 3, Agent: "claude-code", Session: "s1", Model: "m1", Cwd: "/r", Time: t0.Add(2 * time.Second), Usage: attribution.Usage{Output: 1}, Increment: true},
		{Seq: 5, Agent: "claude-code", Session: "s1", Model: "m1", Cwd: "/r", Time: t0.Add(3 * time.Second), LowerBound: true},
	}
	b, err := json.Marshal(events)
	if err != nil {
		t.Fatal(err)
	}
	var back pendingEvents
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(events, back, func(a, b pendingEvent) bool { return a == b }) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", back, events)
	}
	if n := strings.Count(string(b), `"agent"`); n != 3 {
		t.Errorf("%d groups, want 3: %s", n, b)
	}
	for _, bad := range []string{
		`[{"agent":"a","model":"m","cwd":"/","seq":[1,2],"time":[1],"usage":[0,0,0,0,0,0,0,0,0,0]}]`,
		`[{"agent":"a","model":"m","cwd":"/","seq":[1],"time":[1],"usage":[0,0,0]}]`,
		`{"agent":"a"}`,
	} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func runGit(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestDiscoverWithoutGit(t *testing.T) {
	root, _ := filepath.EvalSymlinks(t.TempDir())
	main := filepath.Join(root, "main")
	if err := os.MkdirAll(filepath.Join(main, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	runGit(t, main, "init", "-q", "-b", "main")
	runGit(t, main, "commit", "-q", "--allow-empty", "-m", "x")
	wt := filepath.Join(root, "wt")
	runGit(t, main, "worktree", "add", "-q", "-b", "b", wt)
	tests := []struct {
		dir, top, gitDir string
	}{
		{filepath.Join(main, "sub"), main, filepath.Join(main, ".git")},
		{wt, wt, filepath.Join(main, ".git", "worktrees", "wt")},
	}
	for _, tt := range tests {
		r, ok := discoverFiles(tt.dir)
		if !ok || r.Top != tt.top || r.GitDir != tt.gitDir || r.CommonDir != filepath.Join(main, ".git") {
			t.Fatalf("discoverFiles(%s) = %+v %v", tt.dir, r, ok)
		}
	}
	r, err := Discover(t.Context(), wt)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Worktrees) != 2 || !r.Owns(filepath.Join(main, "x")) || r.Owns(root) {
		t.Fatalf("worktrees %v", r.Worktrees)
	}
	// A nested repository below the worktree is excluded.
	nested := filepath.Join(main, "vendor", "lib")
	if err := os.MkdirAll(filepath.Join(nested, "deep"), 0o755); err != nil {
		t.Fatal(err)
	}
	runGit(t, nested, "init", "-q")
	rm, _ := Discover(t.Context(), main)
	ex := rm.excluded(map[string]bool{filepath.Join(nested, "deep"): true, filepath.Join(main, "sub"): true})
	if len(ex) != 1 || ex[0] != nested {
		t.Fatalf("excluded = %v", ex)
	}
}

func TestConfigFromFiles(t *testing.T) {
	root, _ := filepath.EvalSymlinks(t.TempDir())
	home := filepath.Join(root, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(root, "r")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	runGit(t, repo, "init", "-q")
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[tokenyield]\n\ttrailer = false\n\thorizon = 48h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	runGit(t, repo, "config", "tokenyield.horizon", "12h") // local wins
	r, err := Discover(t.Context(), repo)
	if err != nil {
		t.Fatal(err)
	}
	tg := &Tagger{Repo: r, Config: DefaultConfig(), Agents: tail.Env{Home: home}}
	if err := tg.readConfig(); err != nil {
		t.Fatal(err)
	}
	if tg.Config.Trailer || tg.Config.Horizon != 12*time.Hour || tg.Config.Budget != 2*time.Second {
		t.Fatalf("config = %+v", tg.Config)
	}
	runGit(t, repo, "config", "tokenyield.timeout", "soon")
	if err := tg.readConfig(); err == nil {
		t.Fatal("a bad duration was accepted")
	}
}

// The watch lists hot log files (with a database's write-ahead log, where
// its writes land), the sources' single files, existing or not, and every
// directory; cold files are left to the directories and the full walk.
func TestWatchList(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	st := scan.NewState()
	st.Cursors["claude-code\x00/logs/p/s.jsonl"] = &tail.Cursor{ModNano: now.Add(-time.Hour).UnixNano()}
	st.Cursors["opencode\x00/data/opencode.db"] = &tail.Cursor{ModNano: now.Add(-time.Hour).UnixNano()}
	st.Cursors["claude-code\x00/logs/p/old.jsonl"] = &tail.Cursor{ModNano: now.Add(-30 * 24 * time.Hour).UnixNano()}
	st.Dirs["claude-code\x00/logs/p"] = scan.DirInfo{Agent: "claude-code", Root: "/logs", Rel: "p"}
	got := watchList(st, []string{"/repo/.aider.analytics.jsonl", "/goose/sessions.db", "/data/opencode.db"}, now)
	want := []string{
		"/data/opencode.db", "/data/opencode.db-wal",
		"/goose/sessions.db", "/goose/sessions.db-wal",
		"/logs/p/s.jsonl",
		"/repo/.aider.analytics.jsonl",
		"/logs/p",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("watch list\n got %q\nwant %q", got, want)
	}
}
