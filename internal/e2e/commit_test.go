package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

func TestCommitsTakeEachEventOnce(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("repo")
	first := w.log(call{session: "s1", id: "a1", cwd: repo, in: 10, out: 20, cr: 300, cw: 40},
		call{session: "s1", id: "a2", cwd: filepath.Join(repo, "sub"), in: 1, out: 2})
	w.commit(repo, "first")
	w.wantUsage(repo, "HEAD", first)

	w.commit(repo, "no AI here")
	w.wantUsage(repo, "HEAD", attribution.Usage{})

	second := w.log(call{session: "s1", id: "a3", cwd: repo, in: 5, out: 6})
	w.log(call{session: "s9", id: "elsewhere", cwd: "/somewhere/else", in: 7, out: 7})
	w.commit(repo, "second")
	w.wantUsage(repo, "HEAD", second)

	// The trailer in the message agrees with the note.
	msg := w.run(repo, "git", "log", "-1", "--format=%B")
	if !strings.Contains(msg, "AI-Tokens: claude-code claude-sonnet-4-5 in=5 out=6") {
		t.Fatalf("trailer missing or wrong:\n%s", msg)
	}
}

func TestHistoryBeforeInstallIsNotAttributed(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(w.root, "repo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w.run(dir, "git", "init", "-q", "-b", "main")
	w.log(call{session: "s0", id: "before", cwd: dir, in: 100, out: 100})
	w.ty(dir, "install")
	w.commit(dir, "first after install")
	w.wantUsage(dir, "HEAD", attribution.Usage{})
}

func TestStreamedResponseAcrossCommits(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("repo")
	w.log(call{session: "s", id: "m1", cwd: repo, in: 3, cr: 100, out: 10})
	w.commit(repo, "mid-stream")
	w.wantUsage(repo, "HEAD", attribution.Usage{Input: 3, CacheRead: 100, Output: 10})
	// The same response logged again with its final output count: the next
	// commit takes only the increase.
	w.log(call{session: "s", id: "m1", cwd: repo, in: 3, cr: 100, out: 299})
	w.commit(repo, "after")
	w.wantUsage(repo, "HEAD", attribution.Usage{Output: 289})
}

func TestAmendCarriesAndAddsUsage(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("repo")
	a := w.log(call{session: "s", id: "x1", cwd: repo, in: 10, out: 10})
	w.commit(repo, "work")
	b := w.log(call{session: "s", id: "x2", cwd: repo, in: 1, out: 1})
	w.write(repo, "extra.txt", "more\n")
	w.run(repo, "git", "add", "-A")
	w.run(repo, "git", "commit", "-q", "--amend", "--no-edit")
	w.wantUsage(repo, "HEAD", a.Add(b))
	msg := w.run(repo, "git", "log", "-1", "--format=%B")
	if strings.Count(msg, "AI-Tokens:") != 1 || !strings.Contains(msg, "in=11 out=11") {
		t.Fatalf("amended trailer:\n%s", msg)
	}
	// Amending again without new usage keeps the figures.
	w.run(repo, "git", "commit", "-q", "--amend", "-m", "work, reworded")
	w.wantUsage(repo, "HEAD", a.Add(b))
}

func TestRebaseSquashFixupReorder(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("repo")
	u1 := w.log(call{session: "s", id: "r1", cwd: repo, in: 1, out: 1})
	w.commit(repo, "one")
	u2 := w.log(call{session: "s", id: "r2", cwd: repo, in: 20, out: 20})
	w.commit(repo, "two")
	u3 := w.log(call{session: "s", id: "r3", cwd: repo, in: 300, out: 300})
	w.commit(repo, "three")
	u4 := w.log(call{session: "s", id: "r4", cwd: repo, in: 4000, out: 4000})
	w.commit(repo, "four")
	// Reorder: four before three; squash two into one; fixup.
	script := filepath.Join(w.root, "seq.sh")
	w.write(w.root, "seq.sh", "#!/bin/sh\n"+
		`awk 'NR==1{print; next} NR==2{sub(/^pick/,"squash"); print; next} NR==3{three=$0; next} NR==4{print; print three; next} {print}' "$1" > "$1.new" && mv "$1.new" "$1"`+"\n")
	if err := os.Chmod(script, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := w.try(repo, []string{"GIT_SEQUENCE_EDITOR=" + script, "GIT_EDITOR=true"}, "git", "rebase", "-q", "-i", "HEAD~4")
	if err != nil {
		t.Fatalf("rebase: %v\n%s", err, out)
	}
	subjects := w.run(repo, "git", "log", "--format=%s", "-3")
	if !strings.HasPrefix(subjects, "three\nfour\none") {
		t.Fatalf("unexpected history after rebase:\n%s", subjects)
	}
	w.wantUsage(repo, "HEAD", u3)
	w.wantUsage(repo, "HEAD~1", u4)
	w.wantUsage(repo, "HEAD~2", u1.Add(u2))
	// Every note is one canonical document, not a concatenation.
	if raw := w.rawNote(repo, "HEAD~2"); strings.Count(raw, `"v":1`) != 1 {
		t.Fatalf("squashed note is not canonical:\n%s", raw)
	}
	// Fixup too.
	w.write(w.root, "fix.sh", "#!/bin/sh\n"+`sed -i '2s/^pick/fixup/' "$1"`+"\n")
	_ = os.Chmod(filepath.Join(w.root, "fix.sh"), 0o755)
	if out, err := w.try(repo, []string{"GIT_SEQUENCE_EDITOR=" + filepath.Join(w.root, "fix.sh")}, "git", "rebase", "-q", "-i", "HEAD~2"); err != nil {
		t.Fatalf("rebase fixup: %v\n%s", err, out)
	}
	w.wantUsage(repo, "HEAD", u4.Add(u3))
}

func TestCherryPickCopiesNothingTwice(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("repo")
	w.run(repo, "git", "switch", "-q", "-c", "topic")
	u := w.log(call{session: "s", id: "c1", cwd: repo, in: 50, out: 50})
	w.commit(repo, "on topic")
	topic := strings.TrimSpace(w.run(repo, "git", "rev-parse", "HEAD"))
	w.run(repo, "git", "switch", "-q", "main")
	w.commit(repo, "main moves on")
	w.run(repo, "git", "cherry-pick", topic)
	if head := strings.TrimSpace(w.run(repo, "git", "rev-parse", "HEAD")); head == topic {
		t.Fatal("cherry-pick did not make a new commit")
	}
	w.wantUsage(repo, topic, u)
	if msg := w.run(repo, "git", "log", "-1", "--format=%B"); !strings.Contains(msg, "AI-Tokens:") {
		t.Fatalf("the cherry-pick did not copy the trailer:\n%s", msg)
	}
	// The cherry-picked commit carries the copied trailer but no usage of
	// its own: reports must not count it again.
	w.wantUsage(repo, "HEAD", attribution.Usage{})
}

func TestWorktreesAndNestedRepos(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("repo")
	wt := filepath.Join(w.root, "wt")
	w.run(repo, "git", "worktree", "add", "-q", "-b", "other", wt)
	nested := filepath.Join(repo, "vendor", "lib")
	if err := os.MkdirAll(nested, 0o755); err != nil {
		t.Fatal(err)
	}
	w.run(nested, "git", "init", "-q")
	w.write(repo, ".gitignore", "vendor/\n")
	mine := w.log(call{session: "a", id: "w1", cwd: repo, in: 1, out: 1})
	theirs := w.log(call{session: "b", id: "w2", cwd: wt, in: 20, out: 20})
	w.log(call{session: "c", id: "w3", cwd: nested, in: 300, out: 300})
	w.commit(repo, "main worktree")
	w.wantUsage(repo, "HEAD", mine)
	w.commit(wt, "other worktree")
	w.wantUsage(wt, "HEAD", theirs)
}

func TestConcurrentCommitsInTwoWorktrees(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("repo")
	wt := filepath.Join(w.root, "wt")
	w.run(repo, "git", "worktree", "add", "-q", "-b", "other", wt)
	var want [2]attribution.Usage
	dirs := [2]string{repo, wt}
	for round := range 3 {
		for i, d := range dirs {
			want[i] = want[i].Add(w.log(call{session: fmt.Sprintf("s%d", i), id: fmt.Sprintf("cc%d-%d", round, i), cwd: d, in: int64(1 + i), out: 1}))
		}
		var wg sync.WaitGroup
		for i, d := range dirs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.write(d, "c.txt", d+string(rune('a'+round)))
				w.run(d, "git", "add", "-A")
				w.run(d, "git", "commit", "-q", "-m", "concurrent "+string(rune('a'+i)))
			}()
		}
		wg.Wait()
	}
	for i, d := range dirs {
		var got attribution.Usage
		for _, rev := range []string{"HEAD", "HEAD~1", "HEAD~2"} {
			if n, ok := w.note(d, rev); ok {
				got = got.Add(n.Total.Usage)
			}
		}
		if got != want[i] {
			t.Fatalf("worktree %d: notes sum to %+v, want %+v", i, got, want[i])
		}
	}
}

func TestPushFetchMergeBetweenClones(t *testing.T) {
	w := newWorld(t)
	origin := filepath.Join(w.root, "origin.git")
	w.run(w.root, "git", "init", "-q", "--bare", "-b", "main", origin)
	a := w.repo("a")
	w.run(a, "git", "remote", "add", "origin", origin)
	w.run(a, "git", "push", "-q", "origin", "main")
	b := filepath.Join(w.root, "b")
	w.run(w.root, "git", "clone", "-q", origin, b)
	w.ty(b, "install")

	ua := w.log(call{session: "a", id: "pa", cwd: a, in: 1, out: 1})
	w.commit(a, "from a")
	w.run(a, "git", "push", "-q", "origin", "main") // the pre-push hook pushes the notes
	w.ty(b, "fetch")
	w.run(b, "git", "pull", "-q", "--rebase=false", "origin", "main")
	w.wantUsage(b, "HEAD", ua)

	ub := w.log(call{session: "b", id: "pb", cwd: b, in: 20, out: 20})
	w.commit(b, "from b")
	uc := w.log(call{session: "a", id: "pc", cwd: a, in: 300, out: 300})
	w.commit(a, "a again")
	// Both clones push notes; the second must merge, not force.
	w.run(b, "git", "push", "-q", "origin", "main")
	w.run(a, "git", "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
	w.run(a, "git", "push", "-q", "origin", "main")
	w.ty(b, "fetch")
	w.run(b, "git", "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
	for _, d := range []string{a, b} {
		w.wantUsage(d, ":/from b", ub)
		w.wantUsage(d, ":/a again", uc)
		w.wantUsage(d, ":/from a", ua)
	}
}

func TestStatusAndDoctor(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("repo")
	if out := w.ty(repo, "doctor"); !strings.Contains(out, "ok:") {
		t.Fatalf("doctor on a clean install:\n%s", out)
	}
	w.log(call{session: "s", id: "st1", cwd: repo, in: 4, out: 5})
	out := w.ty(repo, "status")
	if !strings.Contains(out, "The next commit would get:") || !strings.Contains(out, "claude-sonnet-4-5") || !strings.Contains(out, "healthy") {
		t.Fatalf("status:\n%s", out)
	}
	// status previews without taking: the commit still gets the usage.
	w.commit(repo, "after status")
	w.wantUsage(repo, "HEAD", attribution.Usage{Input: 4, Output: 5})
	w.ty(repo, "uninstall")
	if _, err := w.try(repo, nil, binary(t), "doctor"); err == nil {
		t.Fatal("doctor after uninstall reported no problem")
	}
}

// A commit that fails after its commit-msg hook (here: signing fails) gives
// its usage back: the next commit gets it.
func TestAbortedCommitGivesUsageBack(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("repo")
	u := w.log(call{session: "s", id: "ab1", cwd: repo, in: 8, out: 9})
	w.write(repo, "x.txt", "x\n")
	w.run(repo, "git", "add", "-A")
	if _, err := w.try(repo, nil, "git", "-c", "commit.gpgsign=true", "-c", "gpg.program=false", "commit", "-q", "-m", "signed"); err == nil {
		t.Fatal("the signed commit was expected to fail")
	}
	w.commit(repo, "after the failed one")
	w.wantUsage(repo, "HEAD", u)
}

// Usage for the main worktree found by a hook in another worktree is not
// missed by the main worktree's quick path (the watch that lets the
// commit-msg script skip tokenyield is invalidated).
func TestUsageFoundByAnotherWorktree(t *testing.T) {
	w := newWorld(t)
	repo := w.repo("repo")
	wt := filepath.Join(w.root, "wt")
	w.run(repo, "git", "worktree", "add", "-q", "-b", "other", wt)
	w.commit(repo, "main, nothing new") // leaves a watch
	w.commit(repo, "main, nothing new again")
	u := w.log(call{session: "m", id: "x1", cwd: repo, in: 3, out: 4})
	w.commit(wt, "the other worktree scans first")
	w.wantUsage(wt, "HEAD", attribution.Usage{})
	w.commit(repo, "main")
	w.wantUsage(repo, "HEAD", u)
}
