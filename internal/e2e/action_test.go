package e2e

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/ghfake"
	"github.com/tokenyield/tokenyield/internal/report"
)

// actionWorld is a pull request as the Action's runner sees it: a bare
// remote with the PR's commits and their notes, a full clone as the
// workspace (checked out at the head, without notes, like actions/checkout),
// the official pull_request event adjusted to those commits, and a fake
// GitHub API.
type actionWorld struct {
	*world
	remote, workspace string
	base, head        string
	commits           []string // the PR's commits, oldest first
	api               *ghfake.Server
	event             string
}

const (
	actionOwner = "Codertocat"
	actionRepo  = "Hello-World"
	actionPR    = 2
	actionToken = "ghs_e2etoken"
)

// actionNote is the note of the PR's first commit.
func actionNote(t *testing.T) string {
	t.Helper()
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	n := attribution.Sum([]attribution.Event{{Agent: attribution.AgentClaudeCode, Session: "ab12cd34ef56ab12", Model: "claude-sonnet-4-6",
		Time: at, Usage: attribution.Usage{Input: 1200, CacheRead: 90000, CacheWrite: 4000, Output: 2500}}}, nil)
	n.Tool = "tokenyield/e2e"
	b, err := n.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newActionWorld(t *testing.T) *actionWorld {
	t.Helper()
	w := &actionWorld{world: newWorld(t)}
	// Fixed dates: the comment (a golden file) shows commit ids.
	w.env = append(w.env, "GIT_AUTHOR_DATE=2026-11-20T10:00:00Z", "GIT_COMMITTER_DATE=2026-11-20T10:00:00Z")
	src := filepath.Join(w.root, "src")
	w.run("", "git", "init", "-q", "-b", "main", src)
	w.write(src, "README", "hello\n")
	w.run(src, "git", "add", "-A")
	w.run(src, "git", "commit", "-q", "-m", "initial")
	w.base = strings.TrimSpace(w.run(src, "git", "rev-parse", "HEAD"))
	w.run(src, "git", "checkout", "-q", "-b", "feature")
	steps := []struct {
		file, content, message string
	}{
		{"parser.go", "package p\n\nfunc Parse() {}\n", "Add the parser <img src=x onerror=alert(1)> @everyone"},
		{"parser_test.go", "package p\n\nimport \"testing\"\n\nfunc TestParse(t *testing.T) { Parse() }\n",
			"Test the parser\n\nAI-Tokens: codex gpt-5.3-codex in=3000 out=800 cr=20000 cw=0 rs=100 req=2 usd=?\n"},
		{"package-lock.json", "{\n  \"lockfileVersion\": 3\n}\n", "Lock the dependencies (no AI)"},
	}
	for _, s := range steps {
		w.write(src, s.file, s.content)
		w.run(src, "git", "add", "-A")
		w.run(src, "git", "commit", "-q", "-m", s.message)
		w.commits = append(w.commits, strings.TrimSpace(w.run(src, "git", "rev-parse", "HEAD")))
	}
	w.head = w.commits[len(w.commits)-1]
	w.run(src, "git", "notes", "--ref=tokenyield", "add", "-m", actionNote(t), w.commits[0])

	w.remote = filepath.Join(w.root, "remote.git")
	w.run("", "git", "init", "-q", "--bare", w.remote)
	w.run(src, "git", "push", "-q", w.remote, "main", "feature", "refs/notes/tokenyield")
	w.workspace = filepath.Join(w.root, "workspace")
	w.run("", "git", "clone", "-q", "--no-checkout", w.remote, w.workspace)
	w.run(w.workspace, "git", "checkout", "-q", "--detach", w.head)

	w.api = ghfake.New(t)
	w.api.RequireToken(actionToken)
	w.api.SetPR(actionOwner, actionRepo, actionPR, ghfake.PR{Title: "Amazing new feature", Author: "Codertocat", HeadSHA: w.head, BaseSHA: w.base})
	w.api.AddReviews(actionOwner, actionRepo, actionPR,
		ghfake.Review{User: "reviewer", State: "CHANGES_REQUESTED", CommitID: w.commits[1], SubmittedAt: time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC)},
		ghfake.Review{User: "reviewer", State: "APPROVED", CommitID: w.head, SubmittedAt: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)})
	w.api.AddReviewComments(actionOwner, actionRepo, actionPR, ghfake.ReviewComment{User: "reviewer", Body: "please test", Path: "parser.go", CommitID: w.commits[1]})

	// The official event, pointed at these commits.
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "github", "events", "pull_request.opened.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	pr := ev["pull_request"].(map[string]any)
	pr["number"] = actionPR
	pr["base"].(map[string]any)["sha"] = w.base
	pr["head"].(map[string]any)["sha"] = w.head
	ev["number"] = actionPR
	b, _ := json.Marshal(ev)
	w.event = filepath.Join(w.root, "event.json")
	if err := os.WriteFile(w.event, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// runAction runs `tokenyield action` as the runner does and returns its
// stdout (workflow commands), outputs, summary and exit error.
func (w *actionWorld) runAction(inputs map[string]string) (stdout string, outputs map[string]string, summary string, err error) {
	w.t.Helper()
	dir := w.t.TempDir()
	outFile, sumFile := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	for _, f := range []string{outFile, sumFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
	env := []string{
		"GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=pull_request", "GITHUB_EVENT_PATH=" + w.event,
		"GITHUB_OUTPUT=" + outFile, "GITHUB_STEP_SUMMARY=" + sumFile, "GITHUB_WORKSPACE=" + w.workspace,
		"GITHUB_API_URL=" + w.api.URL(), "GITHUB_REPOSITORY=" + actionOwner + "/" + actionRepo,
		"GITHUB_SHA=0000000000000000000000000000000000000000", "RUNNER_TEMP=" + dir,
		"INPUT_GITHUB-TOKEN=" + actionToken,
	}
	for k, v := range inputs {
		env = append(env, "INPUT_"+strings.ToUpper(k)+"="+v)
	}
	cmd := exec.Command(binary(w.t), "action")
	cmd.Dir = w.workspace
	cmd.Env = append(append([]string{}, w.env...), env...)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		w.t.Logf("stderr: %s", ee.Stderr)
	}
	raw, _ := os.ReadFile(outFile)
	sum, _ := os.ReadFile(sumFile)
	return string(out), parseOutputs(w.t, string(raw)), string(sum), err
}

// parseOutputs reads GITHUB_OUTPUT's name<<DELIMITER heredocs.
func parseOutputs(t *testing.T, raw string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(raw, "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

// TestActionPullRequest runs the Action on a pull request twice: one sticky
// comment (a golden file), edited in place; outputs, job summary and JSON
// report agree; budgets fail the step or warn; a read-only token (a fork's
// pull request) still gives the summary and a warning.
func TestActionPullRequest(t *testing.T) {
	w := newActionWorld(t)
	stdout, outputs, summary, err := w.runAction(nil)
	if err != nil {
		t.Fatalf("action failed: %v\n%s", err, stdout)
	}
	comments := w.api.Comments(actionOwner, actionRepo, actionPR)
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1", len(comments))
	}
	body := comments[0].Body
	golden(t, "action-comment.md", body)
	// 1,200 + 90,000 + 4,000 + 2,500 from the note, 3,000 + 20,000 + 800
	// from the trailers; the lock file's lines are not code.
	if outputs["tokens"] != "121500" || outputs["lines-added"] != "8" || outputs["lines-deleted"] != "0" {
		t.Errorf("outputs %v", outputs)
	}
	if cov := outputs["coverage"]; !strings.HasPrefix(cov, "66.") {
		t.Errorf("coverage %q, want 2 of 3 commits", cov)
	}
	if outputs["cost-usd"] != "" {
		t.Errorf("cost-usd %q: one model has no price here, cost is unknown", outputs["cost-usd"])
	}
	if !strings.Contains(summary, report.Marker) || !strings.Contains(summary, "121,500") {
		t.Errorf("job summary lacks the report:\n%s", summary)
	}
	for _, bad := range []string{"<img", "@everyone"} {
		if strings.Contains(body, bad) {
			t.Errorf("comment carries %q unescaped", bad)
		}
	}
	jsonPath := outputs["report-json"]
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatalf("report-json %q: %v", jsonPath, err)
	}
	var doc struct {
		Schema   string `json:"schema"`
		Markdown string `json:"markdown"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Schema == "" || doc.Markdown != body {
		t.Errorf("report JSON: %v schema %q, markdown equal to the comment: %v", err, doc.Schema, doc.Markdown == body)
	}

	// Again, nothing changed: still one comment, not even edited.
	if _, _, _, err := w.runAction(nil); err != nil {
		t.Fatal(err)
	}
	comments = w.api.Comments(actionOwner, actionRepo, actionPR)
	if len(comments) != 1 || comments[0].Edits != 0 {
		t.Fatalf("second run: %d comments, edits %d; want the one comment, unedited", len(comments), comments[0].Edits)
	}

	// A budget breach fails the step with an error annotation naming the
	// figure and the limit; warn-only makes it a warning.
	stdout, _, _, err = w.runAction(map[string]string{"max-tokens": "100000"})
	if err == nil || !strings.Contains(stdout, "::error::tokenyield: tokens 121,500 exceed max-tokens 100,000") {
		t.Errorf("over budget: error %v, stdout:\n%s", err, stdout)
	}
	// The breach shows in the comment: the same comment, edited.
	comments = w.api.Comments(actionOwner, actionRepo, actionPR)
	if len(comments) != 1 || comments[0].Edits != 1 || !strings.Contains(comments[0].Body, "max-tokens") {
		t.Fatalf("after the breach: %d comments, edits %d; want the one comment edited, naming max-tokens", len(comments), comments[0].Edits)
	}
	stdout, _, _, err = w.runAction(map[string]string{"max-tokens": "100000", "warn-only": "true"})
	if err != nil || !strings.Contains(stdout, "::warning::tokenyield: tokens 121,500 exceed max-tokens 100,000") {
		t.Errorf("warn-only: error %v, stdout:\n%s", err, stdout)
	}

	// A read-only token: no failure, the summary, a warning saying how to
	// enable comments.
	w.api.ReadOnly()
	stdout, _, summary, err = w.runAction(nil)
	if err != nil || !strings.Contains(stdout, "workflow_run") || !strings.Contains(summary, report.Marker) {
		t.Errorf("read-only: error %v, summary %d bytes, stdout:\n%s", err, len(summary), stdout)
	}
}

// runActionEvent runs `tokenyield action` for another event and inputs.
func (w *actionWorld) runActionEvent(eventName, eventPath, sha string, inputs map[string]string) (string, error) {
	w.t.Helper()
	dir := w.t.TempDir()
	outFile, sumFile := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	env := []string{
		"GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=" + eventName, "GITHUB_EVENT_PATH=" + eventPath,
		"GITHUB_OUTPUT=" + outFile, "GITHUB_STEP_SUMMARY=" + sumFile, "GITHUB_WORKSPACE=" + w.workspace,
		"GITHUB_API_URL=" + w.api.URL(), "GITHUB_REPOSITORY=" + actionOwner + "/" + actionRepo,
		"GITHUB_SHA=" + sha, "RUNNER_TEMP=" + dir, "INPUT_GITHUB-TOKEN=" + actionToken,
	}
	for k, v := range inputs {
		env = append(env, "INPUT_"+strings.ToUpper(k)+"="+v)
	}
	cmd := exec.Command(binary(w.t), "action")
	cmd.Dir = w.workspace
	cmd.Env = append(append([]string{}, w.env...), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestActionTagMode: an agent ran in the job and committed; tag mode puts
// the usage of its result file on the job's last commit and pushes the
// notes to the remote.
func TestActionTagMode(t *testing.T) {
	w := newActionWorld(t)
	w.run(w.workspace, "git", "checkout", "-q", "-b", "agent-work", w.head)
	start := w.head
	w.write(w.workspace, "agent.go", "package p\n")
	w.run(w.workspace, "git", "add", "-A")
	w.run(w.workspace, "git", "commit", "-q", "-m", "Work by the agent in CI")
	made := strings.TrimSpace(w.run(w.workspace, "git", "rev-parse", "HEAD"))
	w.run(w.workspace, "git", "push", "-q", "origin", "agent-work")
	result, err := filepath.Abs(filepath.Join("..", "sessionlog", "testdata", "claude-result.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := w.runActionEvent("workflow_dispatch", w.event, start, map[string]string{"mode": "tag", "session-log": result})
	if err != nil {
		t.Fatalf("tag mode: %v\n%s", err, out)
	}
	// The remote has the note: 42 input, 3,100 output, 210,000 cache read,
	// 18,000 cache write (the result file's per-model figures).
	raw := w.run("", "git", "--git-dir", w.remote, "notes", "--ref=tokenyield", "show", made)
	n, err := attribution.DecodeNote([]byte(raw))
	if err != nil {
		t.Fatalf("remote note: %v\n%s", err, raw)
	}
	if n.Total.Total != 42+3100+210000+18000 || len(n.Rows) != 2 {
		t.Fatalf("remote note %+v", n)
	}
	// The PR's first commit kept its note: other notes were not touched.
	if _, err := w.try("", nil, "git", "--git-dir", w.remote, "notes", "--ref=tokenyield", "show", w.commits[0]); err != nil {
		t.Fatalf("the existing note is gone: %v", err)
	}
}

// TestActionPushRollup: after a squash merge the default branch has a new
// commit without a note; on push the action finds its pull request with the
// API and writes the sum of the PR commits' notes on it, then pushes.
func TestActionPushRollup(t *testing.T) {
	w := newActionWorld(t)
	// The squash commit GitHub made on main.
	w.run(w.workspace, "git", "checkout", "-q", "-B", "main", w.base)
	w.run(w.workspace, "git", "merge", "-q", "--squash", w.head)
	w.run(w.workspace, "git", "commit", "-q", "-m", "Amazing new feature (#2)")
	squash := strings.TrimSpace(w.run(w.workspace, "git", "rev-parse", "HEAD"))
	w.run(w.workspace, "git", "push", "-q", "origin", "main")

	w.api.SetPR(actionOwner, actionRepo, actionPR, ghfake.PR{Title: "Amazing new feature", Author: "Codertocat", HeadSHA: w.head, BaseSHA: w.base,
		State: "closed", Merged: true, MergeCommitSHA: squash})
	for i, sha := range w.commits {
		msg := strings.TrimSpace(w.run(w.workspace, "git", "log", "-1", "--format=%B", sha))
		c := ghfake.Commit{SHA: sha, Message: msg}
		if i > 0 {
			c.Parents = []string{w.commits[i-1]}
		} else {
			c.Parents = []string{w.base}
		}
		w.api.AddCommits(actionOwner, actionRepo, actionPR, c)
	}
	w.api.SetNotes(actionOwner, actionRepo, "refs/notes/tokenyield", map[string][]byte{w.commits[0]: []byte(actionNote(t))})

	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "github", "events", "push.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	ev["ref"], ev["after"], ev["deleted"] = "refs/heads/main", squash, false
	ev["commits"] = []any{map[string]any{"id": squash, "message": "Amazing new feature (#2)"}}
	repo := ev["repository"].(map[string]any)
	repo["default_branch"], repo["name"] = "main", actionRepo
	repo["owner"].(map[string]any)["login"] = actionOwner
	b, _ := json.Marshal(ev)
	path := filepath.Join(w.root, "push.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := w.runActionEvent("push", path, squash, nil)
	if err != nil {
		t.Fatalf("push: %v\n%s", err, out)
	}
	note := w.run("", "git", "--git-dir", w.remote, "notes", "--ref=tokenyield", "show", squash)
	n, err := attribution.DecodeNote([]byte(note))
	if err != nil {
		t.Fatalf("rollup note: %v\n%s", err, note)
	}
	// The note of the first commit (97,700) and the trailers of the second
	// (23,800).
	if n.Total.Total != 121500 {
		t.Fatalf("rollup total %d, want 121,500: %+v", n.Total.Total, n)
	}
	// Twice: the commit has a note now, nothing is written again.
	if out, err := w.runActionEvent("push", path, squash, nil); err != nil || strings.Contains(out, "rollup of") {
		t.Fatalf("second push run: %v\n%s", err, out)
	}
}

// TestActionShallowCheckout: with actions/checkout's default depth of 1 the
// commits, their messages (trailers) and notes come from the API, and the
// report says which figures are partial instead of guessing them.
func TestActionShallowCheckout(t *testing.T) {
	w := newActionWorld(t)
	shallow := filepath.Join(w.root, "shallow")
	w.run("", "git", "clone", "-q", "--depth", "1", "--branch", "feature", "file://"+w.remote, shallow)
	w.workspace = shallow
	for i, sha := range w.commits {
		msg := strings.TrimSpace(w.run(w.root, "git", "--git-dir", w.remote, "log", "-1", "--format=%B", sha))
		c := ghfake.Commit{SHA: sha, Message: msg, Parents: []string{w.base}}
		if i > 0 {
			c.Parents = []string{w.commits[i-1]}
		}
		w.api.AddCommits(actionOwner, actionRepo, actionPR, c)
	}
	w.api.SetNotes(actionOwner, actionRepo, "refs/notes/tokenyield", map[string][]byte{w.commits[0]: []byte(actionNote(t))})
	stdout, outputs, _, err := w.runAction(nil)
	if err != nil {
		t.Fatalf("action failed: %v\n%s", err, stdout)
	}
	if outputs["tokens"] != "121500" || outputs["lines-added"] != "" || outputs["tokens-per-line"] != "" {
		t.Errorf("outputs %v: tokens from the API, lines unknown", outputs)
	}
	body := w.api.Comments(actionOwner, actionRepo, actionPR)[0].Body
	if !strings.Contains(body, "fetch-depth: 0") || !strings.Contains(stdout, "shallow") {
		t.Errorf("the partial figures are not explained:\n%s\n%s", body, stdout)
	}
}

// TestPRCommand: `tokenyield pr` gives the same report from any clone,
// without GitHub.
func TestPRCommand(t *testing.T) {
	w := newActionWorld(t)
	w.run(w.workspace, "git", "fetch", "-q", "origin", "refs/notes/tokenyield:refs/notes/tokenyield")
	out := w.ty(w.workspace, "pr", "--base", "origin/main", "--head", w.head, "--format", "json")
	var rep struct {
		Schema string `json:"schema"`
		Totals struct {
			Total int64 `json:"total"`
			Lines struct {
				Added int64 `json:"added"`
			} `json:"lines"`
		} `json:"totals"`
		Commits []json.RawMessage `json:"commits"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Schema != "tokenyield/pr-report" || rep.Totals.Total != 121500 || rep.Totals.Lines.Added != 8 || len(rep.Commits) != 3 {
		t.Fatalf("report %+v", rep)
	}
	md := w.ty(w.workspace, "pr", "--base", "origin/main", "--head", w.head)
	if !strings.HasPrefix(md, report.Marker) || !strings.Contains(md, "121,500 tokens") {
		t.Fatalf("markdown:\n%s", md)
	}
}

// TestActionHostileNotes: a fork can push any note or trailer. Malformed
// JSON, absurd numbers and a 10 MB note are rejected with a warning in the
// report, never trusted and never a failed run.
func TestActionHostileNotes(t *testing.T) {
	w := newActionWorld(t)
	src := filepath.Join(w.root, "src")
	w.run(src, "git", "notes", "--ref=tokenyield", "add", "-m", `{"v":1,"rows":[{"agent":"<script>","input":-1}]`, w.commits[2])
	big := filepath.Join(w.root, "big-note")
	if err := os.WriteFile(big, []byte(`{"v":1,"pad":"`+strings.Repeat("A", 10<<20)+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	w.run(src, "git", "notes", "--ref=tokenyield", "add", "-f", "-F", big, w.commits[1])
	w.run(src, "git", "push", "-q", "-f", w.remote, "refs/notes/tokenyield")
	stdout, outputs, _, err := w.runAction(nil)
	if err != nil {
		t.Fatalf("action failed: %v\n%s", err, stdout)
	}
	body := w.api.Comments(actionOwner, actionRepo, actionPR)[0].Body
	for _, bad := range []string{"<script>", "AAAAAAAA"} {
		if strings.Contains(body, bad) {
			t.Errorf("the comment carries %q", bad)
		}
	}
	// Only the first commit's genuine note counts: the second commit's
	// trailers are ignored too, since it has a (rejected) note.
	if outputs["tokens"] != "97700" && outputs["tokens"] != "121500" {
		t.Errorf("tokens %q", outputs["tokens"])
	}
	if !strings.Contains(strings.ToLower(body), "ignored") && !strings.Contains(strings.ToLower(body), "rejected") {
		t.Errorf("the rejected notes are not mentioned:\n%s", body)
	}
}

// TestReviewCommand: `tokenyield review` over a history with the pull
// request merged finds it, with the tokens its commits' notes and trailers
// hold, and writes every format.
func TestReviewCommand(t *testing.T) {
	w := newActionWorld(t)
	src := filepath.Join(w.root, "src")
	w.run(src, "git", "checkout", "-q", "main")
	w.run(src, "git", "merge", "-q", "--no-ff", "-m", "Merge pull request #2 from Codertocat/feature", "feature")
	out := w.ty(src, "review", "--format", "json", "--no-api")
	rep := parseReview(t, []byte(out))
	if rep.Schema != "tokenyield/review" || len(rep.PRs) != 1 || rep.PRs[0].Number != 2 || rep.PRs[0].Tokens != 121500 || rep.Totals.Tokens != 121500 {
		t.Fatalf("review %+v", rep)
	}
	dir := filepath.Join(w.root, "review-out")
	w.ty(src, "review", "--format", "all", "--out", dir, "--no-api")
	for _, f := range []string{"review.md", "review.html", "review.json", "prs.csv", "weeks.csv"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestReviewCommandAPI: with a token and a GitHub origin, `tokenyield
// review` asks the API which pull request landed the commits git cannot
// place and how each pull request's review went, once: a second run
// answers from the cache under the git directory (the open pull request
// #2 excepted, whose outcome can still change).
func TestReviewCommandAPI(t *testing.T) {
	w := newActionWorld(t)
	src := filepath.Join(w.root, "src")
	w.run(src, "git", "checkout", "-q", "main")
	w.run(src, "git", "merge", "-q", "--no-ff", "-m", "Merge pull request #2 from Codertocat/feature", "feature")
	rebased := w.landRebased(src)
	w.run(src, "git", "remote", "add", "origin", "https://github.com/"+actionOwner+"/"+actionRepo+".git")
	api := []string{"GITHUB_TOKEN=" + actionToken, "GITHUB_API_URL=" + w.api.URL()}
	out, err := w.try(src, api, binary(t), "review", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	checkRebasedPR(t, []byte(out), rebased)
	if !strings.Contains(out, `"state": "APPROVED"`) {
		t.Errorf("the outcome of #2 is missing:\n%s", out)
	}
	repoPath := "/repos/" + actionOwner + "/" + actionRepo
	counts := func() (lookups, pulls int) {
		return w.api.Count("GET", repoPath+"/commits/"), w.api.Count("GET", repoPath+"/pulls/")
	}
	lookups, pulls := counts()
	if lookups != 2 || pulls == 0 {
		t.Errorf("first run: %d commit lookups and %d pull request requests, want 2 and some", lookups, pulls)
	}
	if _, err := os.Stat(filepath.Join(src, ".git", "tokenyield", "review-cache.db")); err != nil {
		t.Errorf("no cache under the git directory: %v", err)
	}
	out2, err := w.try(src, api, binary(t), "review", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	checkRebasedPR(t, []byte(out2), rebased)
	lookups2, pulls2 := counts()
	// Only the open #2 is asked about again: GET /pulls/2 and its reviews.
	if lookups2 != lookups || pulls2-pulls != 2 {
		t.Errorf("second run: %d more commit lookups and %d more pull request requests, want 0 and 2", lookups2-lookups, pulls2-pulls)
	}
	// Without a token the cache still places #3 and knows #2's outcome as
	// last seen; nothing is asked.
	out3, err := w.try(src, []string{"GITHUB_TOKEN=", "GH_TOKEN=", "GITHUB_API_URL=" + w.api.URL()}, binary(t), "review", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	checkRebasedPR(t, []byte(out3), rebased)
	if !strings.Contains(out3, `"state": "APPROVED"`) {
		t.Errorf("without a token the cached outcome of #2 is missing:\n%s", out3)
	}
	if l, p := counts(); l != lookups2 || p != pulls2 {
		t.Errorf("without a token: %d commit lookups and %d pull request requests more, want none", l-lookups2, p-pulls2)
	}
	if out4, err := w.try(src, api, binary(t), "review", "--format", "json", "--no-api"); err != nil || strings.Contains(out4, `"number": 3`) {
		t.Errorf("--no-api still placed #3 (err %v)", err)
	}
}

// TestActionReviewMode: on a schedule the Action reviews the checkout's
// history: the Markdown in the job summary, every format in review-dir,
// review outcomes from the API, and the pull request of a commit git
// cannot place (a rebase merge) from the API, asked once.
func TestActionReviewMode(t *testing.T) {
	w := newActionWorld(t)
	w.run(w.workspace, "git", "checkout", "-q", "-B", "main", w.base)
	w.run(w.workspace, "git", "merge", "-q", "--no-ff", "-m", "Merge pull request #2 from Codertocat/feature", w.head)
	rebased := w.landRebased(w.workspace)
	w.run(w.workspace, "git", "fetch", "-q", "origin", "refs/notes/tokenyield:refs/notes/tokenyield")
	dir := w.t.TempDir()
	outFile, sumFile := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	run := func() {
		t.Helper()
		cmd := exec.Command(binary(t), "action")
		cmd.Dir = w.workspace
		cmd.Env = append(append([]string{}, w.env...),
			"GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=schedule", "GITHUB_EVENT_PATH="+filepath.Join("..", "..", "testdata", "github", "events", "schedule.json"),
			"GITHUB_OUTPUT="+outFile, "GITHUB_STEP_SUMMARY="+sumFile, "GITHUB_WORKSPACE="+w.workspace,
			"GITHUB_API_URL="+w.api.URL(), "GITHUB_REPOSITORY="+actionOwner+"/"+actionRepo, "RUNNER_TEMP="+dir,
			"INPUT_GITHUB-TOKEN="+actionToken, "INPUT_MODE=review")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("review mode: %v\n%s", err, out)
		}
	}
	run()
	commitLookups := "/repos/" + actionOwner + "/" + actionRepo + "/commits/"
	if n := w.api.Count("GET", commitLookups); n != 2 {
		t.Errorf("%d commit lookups, want 2 (the initial commit and the rebased one)", n)
	}
	sum, _ := os.ReadFile(sumFile)
	raw, _ := os.ReadFile(outFile)
	outputs := parseOutputs(t, string(raw))
	if !strings.Contains(string(sum), "121,500") {
		t.Errorf("job summary lacks the tokens:\n%s", sum)
	}
	rdir := outputs["review-dir"]
	for _, f := range []string{"review.md", "review.html", "review.json", "prs.csv"} {
		if fi, err := os.Stat(filepath.Join(rdir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s in %q: %v", f, rdir, err)
		}
	}
	js, _ := os.ReadFile(filepath.Join(rdir, "review.json"))
	if !strings.Contains(string(js), `"state": "APPROVED"`) && !strings.Contains(string(js), `"state":"APPROVED"`) {
		t.Errorf("review outcome from the API missing in review.json")
	}
	checkRebasedPR(t, js, rebased)
	run()
	if n := w.api.Count("GET", commitLookups); n != 2 {
		t.Errorf("%d commit lookups after a second run, want still 2 (cached)", n)
	}
}

// rebasedTokens are the tokens of the commit landRebased writes.
const rebasedTokens = 1000 + 200 + 5000

// landRebased commits, on the checked-out main of dir, a change as a
// GitHub rebase merge of pull request 3 leaves it (no number in the
// subject, its trailers kept), and tells the fake API that #3 landed it
// and that the initial commit came in no pull request. It returns the
// commit.
func (w *actionWorld) landRebased(dir string) string {
	w.t.Helper()
	w.write(dir, "rebased.go", "package p\n\nvar rebased = 1\n")
	w.run(dir, "git", "add", "-A")
	w.run(dir, "git", "commit", "-q", "-m", "Tune the parser\n\nAI-Tokens: codex gpt-5.3-codex in=1000 out=200 cr=5000 cw=0 rs=0 req=1 usd=?\n")
	sha := strings.TrimSpace(w.run(dir, "git", "rev-parse", "HEAD"))
	w.api.SetPR(actionOwner, actionRepo, 3, ghfake.PR{Title: "Tune the parser", Author: "Codertocat", State: "closed", Merged: true, MergeCommitSHA: sha, Landed: []string{sha}})
	w.api.AddCommitObject(actionOwner, actionRepo, ghfake.Commit{SHA: w.base, Message: "initial"})
	return sha
}

// checkRebasedPR checks that a review.json lists pull request 3, landed as
// rebased, with its tokens, and the totals both pull requests'.
func checkRebasedPR(t *testing.T, js []byte, rebased string) {
	t.Helper()
	rep := parseReview(t, js)
	found := false
	for _, pr := range rep.PRs {
		if pr.Number == 3 {
			found = true
			if pr.Tokens != rebasedTokens || pr.MergeSHA != rebased {
				t.Errorf("#3: tokens %d merge sha %s, want %d %s", pr.Tokens, pr.MergeSHA, rebasedTokens, rebased)
			}
		}
	}
	if !found || len(rep.PRs) != 2 || rep.Totals.Tokens != 121500+rebasedTokens {
		t.Errorf("review %+v, want #2 and #3 with %d tokens in all", rep, 121500+rebasedTokens)
	}
}

// TestActionPushRollupSkipsTrailers: a merge commit whose message already
// carries AI-Tokens trailers (GitHub's default squash message keeps them; a
// rebased copy keeps its own) gets no rollup, which would count twice.
func TestActionPushRollupSkipsTrailers(t *testing.T) {
	w := newActionWorld(t)
	w.run(w.workspace, "git", "checkout", "-q", "-B", "main", w.base)
	w.run(w.workspace, "git", "merge", "-q", "--squash", w.head)
	w.run(w.workspace, "git", "commit", "-q", "-m", "Amazing new feature (#2)\n\n* Test the parser\n\nAI-Tokens: codex gpt-5.3-codex in=3000 out=800 cr=20000 cw=0 rs=100 req=2 usd=?\n")
	squash := strings.TrimSpace(w.run(w.workspace, "git", "rev-parse", "HEAD"))
	w.api.SetPR(actionOwner, actionRepo, actionPR, ghfake.PR{Title: "Amazing new feature", HeadSHA: w.head, BaseSHA: w.base, State: "closed", Merged: true, MergeCommitSHA: squash})
	ev := map[string]any{"ref": "refs/heads/main", "after": squash, "deleted": false,
		"commits":    []any{map[string]any{"id": squash}},
		"repository": map[string]any{"name": actionRepo, "default_branch": "main", "owner": map[string]any{"login": actionOwner}}}
	b, _ := json.Marshal(ev)
	path := filepath.Join(w.root, "push.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := w.runActionEvent("push", path, squash, nil); err != nil || strings.Contains(out, "rollup of") {
		t.Fatalf("push: %v\n%s", err, out)
	}
	if n := w.api.Count("GET", "/repos/"+actionOwner+"/"+actionRepo+"/commits/"); n != 0 {
		t.Errorf("%d pull-request lookups for a commit that needs no rollup", n)
	}
}

// reviewReport is the part of a review.json the tests read.
type reviewReport struct {
	Schema string `json:"schema"`
	Totals struct {
		Tokens int64 `json:"tokens"`
	} `json:"totals"`
	PRs []struct {
		Number   int    `json:"number"`
		Tokens   int64  `json:"tokens"`
		MergeSHA string `json:"merge_sha"`
	} `json:"prs"`
}

// parseReview decodes a review.json.
func parseReview(t *testing.T, js []byte) reviewReport {
	t.Helper()
	var rep reviewReport
	if err := json.Unmarshal(js, &rep); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	return rep
}
