package action

import (
	"context"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
)

// A history with a squash merge (trailers kept in its message), a true
// merge of a branch (one of whose commits has a note) and a direct commit:
// LocalHistory finds the two pull requests, newest first, with their tokens
// and code lines, and leaves out the one being reported.
func TestLocalHistory(t *testing.T) {
	gittest.Isolate(t)
	dir := gittest.Init(t)
	gittest.Commit(t, dir, "README", "hello\n", "initial")
	gittest.Commit(t, dir, "a.go", "package a\n\nfunc A() {}\n", "Feature A (#1)\n\nAI-Tokens: codex gpt-5 in=100 out=50 cr=0 cw=0 rs=0 req=1 usd=?\n")
	gittest.Git(t, dir, "checkout", "-q", "-b", "b")
	c1 := gittest.Commit(t, dir, "b.go", "package b\n", "b: start")
	gittest.Commit(t, dir, "b2.go", "package b\n\nfunc B() {}\n", "b: more")
	n := attribution.Sum([]attribution.Event{{Agent: attribution.AgentClaudeCode, Session: "ab12", Model: "claude-sonnet-4-6",
		Time: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Usage: attribution.Usage{Input: 10, Output: 20, CacheRead: 300}}}, nil)
	raw, err := n.Encode()
	if err != nil {
		t.Fatal(err)
	}
	note := string(raw)
	gittest.Git(t, dir, "notes", "--ref=tokenyield", "add", "-m", note, c1)
	gittest.Git(t, dir, "checkout", "-q", "main")
	gittest.Git(t, dir, "merge", "-q", "--no-ff", "-m", "Merge pull request #3 from me/b", "b")
	gittest.Commit(t, dir, "typo.txt", "fixed\n", "Fix a typo")
	// #4: a rebase merge keeping "(#4)" on both commits: one pull request.
	gittest.Commit(t, dir, "c.go", "package c\n", "Part one (#4)\n\nAI-Tokens: codex gpt-5 in=7 out=3 cr=0 cw=0 rs=0 req=1 usd=?\n")
	gittest.Commit(t, dir, "c2.go", "package c\n\nvar C = 1\n", "Part two (#4)\n\nAI-Tokens: codex gpt-5 in=20 out=10 cr=0 cw=0 rs=0 req=1 usd=?\n")
	g, err := gitcli.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := LocalHistory(context.Background(), g, dir, "main", 20, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 || hist[0].Number != 4 || hist[1].Number != 3 || hist[2].Number != 1 {
		t.Fatalf("history %+v, want #4, #3 then #1", hist)
	}
	// #4: both commits' trailers (10 + 30 tokens) and 1 + 3 lines; #3: its
	// note (330 tokens) and 1 + 3 lines; #1: its trailers (150) and 3 lines.
	if hist[0].Tokens != 40 || hist[0].LinesChanged != 4 || hist[1].Tokens != 330 || hist[1].LinesChanged != 4 || hist[2].Tokens != 150 || hist[2].LinesChanged != 3 {
		t.Fatalf("history %+v", hist)
	}
	hist, err = LocalHistory(context.Background(), g, dir, "main", 20, 3)
	if err != nil || len(hist) != 2 || hist[0].Number != 4 || hist[1].Number != 1 {
		t.Fatalf("skipping #3: %+v %v", hist, err)
	}
	if hist, _ := LocalHistory(context.Background(), g, dir, "main", 1, 0); len(hist) != 1 || hist[0].Tokens != 40 {
		t.Fatalf("n=1 gave %+v, want #4 whole", hist)
	}
}
