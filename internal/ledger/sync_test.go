package ledger_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/ledger"
)

// syncSetup makes a bare remote that refuses non-fast-forward updates (so a
// force push would fail) and n clones of it sharing commits.
func syncSetup(t *testing.T, n int) (remote string, clones []string, commits []string) {
	t.Helper()
	gittest.Isolate(t)
	remote = gittest.InitBare(t)
	gittest.Git(t, remote, "config", "receive.denyNonFastForwards", "true")
	gittest.Git(t, remote, "config", "receive.denyDeletes", "true")
	seed := gittest.Init(t)
	commits = gittest.Commits(t, seed, 6)
	gittest.Git(t, seed, "push", "-q", remote, "main")
	for i := 0; i < n; i++ {
		dir := filepath.Join(t.TempDir(), "clone")
		gittest.Git(t, "", "clone", "-q", remote, dir)
		clones = append(clones, dir)
	}
	return remote, clones, commits
}

func gitFor(t *testing.T, dir string) *gitcli.Git {
	t.Helper()
	g, err := gitcli.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// remoteTips records the remote's notes tip after each push and checks that
// it only ever moves forward.
type remoteTips struct {
	remote string
	tips   []string
}

func (r *remoteTips) record(t *testing.T) {
	t.Helper()
	tip, err := gittest.GitInput(r.remote, nil, "rev-parse", "--verify", "-q", ledger.NotesRef)
	if err != nil {
		return // no notes yet
	}
	if len(r.tips) > 0 {
		prev := r.tips[len(r.tips)-1]
		if _, err := gittest.GitInput(r.remote, nil, "merge-base", "--is-ancestor", prev, tip); err != nil {
			t.Errorf("remote notes ref moved from %s to %s, not a fast-forward", prev, tip)
		}
	}
	r.tips = append(r.tips, tip)
}

func TestSyncTwoClones(t *testing.T) {
	ctx := context.Background()
	for _, order := range []string{"AB", "BA", "fetch-first"} {
		t.Run(order, func(t *testing.T) {
			remote, clones, cs := syncSetup(t, 2)
			a, b := clones[0], clones[1]
			// Other notes refs must stay put and stay local.
			gittest.Git(t, a, "notes", "add", "-m", "plain note", cs[0])
			commitsRefA := gittest.Git(t, a, "rev-parse", "refs/notes/commits")

			nA1 := numbered(1)
			nB2 := numbered(2)
			// The same commit annotated on both sides: one shared session
			// seen bigger on A, and one session each.
			shared := row("claude-code", "s1", "claude-opus-4-6", 100, 10, 0.5)
			sharedBig := row("claude-code", "s1", "claude-opus-4-6", 150, 20, 0.75)
			nA3 := note(sharedBig, row("claude-code", "sA", "claude-opus-4-6", 5, 5, 0.1))
			nB3 := note(shared, row("codex", "tB", "gpt-5", 7, 7, -1))
			if err := open(t, a).WriteMany(map[plumbing.Hash]attribution.Note{hash(cs[1]): nA1, hash(cs[3]): nA3}); err != nil {
				t.Fatal(err)
			}
			if err := open(t, b).WriteMany(map[plumbing.Hash]attribution.Note{hash(cs[2]): nB2, hash(cs[3]): nB3}); err != nil {
				t.Fatal(err)
			}
			want := map[string]attribution.Note{cs[1]: nA1, cs[2]: nB2, cs[3]: attribution.Union(nA3, nB3)}

			tips := &remoteTips{remote: remote}
			first, second := a, b
			if order == "BA" {
				first, second = b, a
			}
			r1, err := ledger.Push(ctx, gitFor(t, first), "origin")
			if err != nil || !r1.Pushed || r1.Attempts != 1 || len(r1.Fetches) != 0 {
				t.Fatalf("first push: %+v, %v", r1, err)
			}
			tips.record(t)

			if order == "fetch-first" {
				f, err := ledger.Fetch(ctx, gitFor(t, second), "origin")
				if err != nil || f.Action != ledger.FetchMerged || f.Added != 1 || f.Merged != 1 || f.Rejected != 0 {
					t.Fatalf("fetch: %+v, %v", f, err)
				}
				if f.TrackingRef != ledger.TrackingPrefix+"origin" {
					t.Errorf("tracking ref %s", f.TrackingRef)
				}
				// Fetching again changes nothing.
				if f, err := ledger.Fetch(ctx, gitFor(t, second), "origin"); err != nil || f.Action != ledger.FetchUpToDate {
					t.Fatalf("second fetch: %+v, %v", f, err)
				}
			}
			r2, err := ledger.Push(ctx, gitFor(t, second), "origin")
			if err != nil || !r2.Pushed {
				t.Fatalf("second push: %+v, %v", r2, err)
			}
			if order == "fetch-first" {
				if r2.Attempts != 1 {
					t.Errorf("push after fetch took %d attempts", r2.Attempts)
				}
			} else {
				if r2.Attempts != 2 || len(r2.Fetches) != 1 {
					t.Fatalf("second push: %+v, want one rejection and a merge", r2)
				}
				f := r2.Fetches[0]
				if f.Action != ledger.FetchMerged || f.Added != 1 || f.Merged != 1 || f.Rejected != 0 {
					t.Errorf("merge after rejection: %+v", f)
				}
			}
			tips.record(t)

			// The first clone catches up with a fast-forward.
			f, err := ledger.Fetch(ctx, gitFor(t, first), "origin")
			if err != nil || f.Action != ledger.FetchFastForward || f.Added != 1 || f.Merged != 1 {
				t.Fatalf("catch-up fetch: %+v, %v", f, err)
			}
			r3, err := ledger.Push(ctx, gitFor(t, first), "origin")
			if err != nil || !r3.UpToDate {
				t.Errorf("push when up to date: %+v, %v", r3, err)
			}
			tips.record(t)

			remoteTip := gittest.Git(t, remote, "rev-parse", ledger.NotesRef)
			for _, clone := range clones {
				if tip := gittest.Git(t, clone, "rev-parse", ledger.NotesRef); tip != remoteTip {
					t.Errorf("%s: tip %s, remote %s", clone, tip, remoteTip)
				}
				l := open(t, clone)
				list, err := l.List()
				if err != nil || len(list) != len(want) {
					t.Errorf("%d notes, %v", len(list), err)
				}
				for c, n := range want {
					sameNote(t, "note "+c[:7], mustRead(t, l, c), n)
				}
			}
			// Nothing doubled: the shared session is the bigger sighting.
			got := mustRead(t, open(t, a), cs[3])
			for _, r := range got.Rows {
				if r.Session == "s1" && r.Input != 150 {
					t.Errorf("shared session input %d, want 150", r.Input)
				}
			}
			// Other refs untouched, only the notes ref (and main) on the remote.
			if got := gittest.Git(t, a, "rev-parse", "refs/notes/commits"); got != commitsRefA {
				t.Error("refs/notes/commits moved")
			}
			if got := gittest.Git(t, remote, "for-each-ref", "--format=%(refname)"); got != "refs/heads/main\n"+ledger.NotesRef {
				t.Errorf("remote refs:\n%s", got)
			}
			if got := gittest.Git(t, first, "rev-parse", "refs/heads/main"); got != cs[5] {
				t.Error("main moved")
			}
		})
	}
}

func TestSyncNoRemoteNotes(t *testing.T) {
	ctx := context.Background()
	_, clones, cs := syncSetup(t, 1)
	g := gitFor(t, clones[0])
	f, err := ledger.Fetch(ctx, g, "origin")
	if err != nil || f.Action != ledger.FetchNoRemoteNotes {
		t.Fatalf("Fetch: %+v, %v", f, err)
	}
	p, err := ledger.Push(ctx, g, "origin")
	if err != nil || !p.NothingToPush || p.Pushed {
		t.Fatalf("Push without notes: %+v, %v", p, err)
	}
	if _, err := gittest.GitInput(clones[0], nil, "rev-parse", "--verify", "-q", ledger.NotesRef); err == nil {
		t.Error("a notes ref appeared")
	}
	// The first push of notes creates the remote ref.
	if err := open(t, clones[0]).Write(hash(cs[0]), numbered(0)); err != nil {
		t.Fatal(err)
	}
	if p, err := ledger.Push(ctx, g, "origin"); err != nil || !p.Pushed {
		t.Fatalf("first push: %+v, %v", p, err)
	}
	// Errors: a bad remote.
	if _, err := ledger.Push(ctx, g, "--upload-pack=evil"); err == nil {
		t.Error("option-like remote accepted")
	}
	if _, err := ledger.Fetch(ctx, g, "no-such-remote"); err == nil {
		t.Error("fetch from a missing remote succeeded")
	}
}

func TestSyncURLRemote(t *testing.T) {
	ctx := context.Background()
	remote, clones, cs := syncSetup(t, 2)
	if err := open(t, clones[0]).Write(hash(cs[0]), numbered(0)); err != nil {
		t.Fatal(err)
	}
	if p, err := ledger.Push(ctx, gitFor(t, clones[0]), remote); err != nil || !p.Pushed {
		t.Fatalf("push to a path: %+v, %v", p, err)
	}
	f, err := ledger.Fetch(ctx, gitFor(t, clones[1]), remote)
	if err != nil || f.Action != ledger.FetchFastForward || f.Added != 1 {
		t.Fatalf("fetch from a path: %+v, %v", f, err)
	}
	if !strings.HasPrefix(f.TrackingRef, ledger.TrackingPrefix+"url-") {
		t.Errorf("tracking ref %q", f.TrackingRef)
	}
	sameNote(t, "fetched", mustRead(t, open(t, clones[1]), cs[0]), numbered(0))
}

func TestSyncRejectsBadRemoteNotes(t *testing.T) {
	ctx := context.Background()
	remote, clones, cs := syncSetup(t, 2)
	a, b := clones[0], clones[1]
	// B publishes a good note and two bad ones, one on a commit A annotated.
	if err := open(t, b).WriteMany(map[plumbing.Hash]attribution.Note{hash(cs[0]): numbered(0), hash(cs[4]): numbered(4)}); err != nil {
		t.Fatal(err)
	}
	gitNote(t, b, cs[1], []byte(`{"v":1,"rows":[{"agent":"<script>","model":"x"}]}`))
	gitNote(t, b, cs[2], []byte("not json"))
	gittest.Git(t, b, "push", "-q", "origin", ledger.NotesRef)
	tips := &remoteTips{remote: remote}
	tips.record(t)

	// A has its own notes: a merge drops the bad ones, keeps its own.
	// A bad local note (on cs[4], which B annotated well) is kept as is.
	if err := open(t, a).WriteMany(map[plumbing.Hash]attribution.Note{hash(cs[2]): numbered(2), hash(cs[3]): numbered(3)}); err != nil {
		t.Fatal(err)
	}
	badLocal := []byte("{\"v\":7}\n")
	gitNote(t, a, cs[4], badLocal)
	f, err := ledger.Fetch(ctx, gitFor(t, a), "origin")
	if err != nil || f.Action != ledger.FetchMerged || f.Added != 1 || f.Merged != 0 || f.Rejected != 2 || len(f.Warnings) != 3 {
		t.Fatalf("fetch: %+v, %v", f, err)
	}
	la := open(t, a)
	if _, ok, _ := la.Read(hash(cs[1])); ok {
		t.Error("bad remote note propagated")
	}
	sameNote(t, "local kept", mustRead(t, la, cs[2]), numbered(2))
	sameNote(t, "good remote note", mustRead(t, la, cs[0]), numbered(0))
	if raw, _, _ := la.ReadRaw(hash(cs[4])); string(raw) != string(badLocal) {
		t.Errorf("bad local note changed to %q", raw)
	}
	// Pushing the merge is a fast-forward that leaves the bad notes behind.
	if p, err := ledger.Push(ctx, gitFor(t, a), "origin"); err != nil || !p.Pushed || p.Attempts != 1 {
		t.Fatalf("push: %+v, %v", p, err)
	}
	tips.record(t)

	// The remote carries a bad note on top of A's merge; a clone without
	// notes does not fast-forward onto it but writes a commit on top of
	// the remote's without it.
	gitNote(t, a, cs[5], []byte(`{"v":1,"rows":[],"total":{"input":1}}`))
	gittest.Git(t, a, "push", "-q", "origin", ledger.NotesRef)
	tips.record(t)
	empty := filepath.Join(t.TempDir(), "fresh")
	gittest.Git(t, "", "clone", "-q", remote, empty)
	f, err = ledger.Fetch(ctx, gitFor(t, empty), "origin")
	if err != nil || f.Action != ledger.FetchMerged || f.Rejected != 2 || f.Added != 3 {
		t.Fatalf("fetch into an empty clone: %+v, %v", f, err)
	}
	le := open(t, empty)
	if _, ok, _ := le.Read(hash(cs[5])); ok {
		t.Error("bad note fast-forwarded")
	}
	parent := gittest.Git(t, empty, "rev-parse", ledger.NotesRef+"^")
	if parent != gittest.Git(t, remote, "rev-parse", ledger.NotesRef) {
		t.Error("the cleaned commit is not on top of the remote's")
	}
}

func TestTrackingRef(t *testing.T) {
	tests := map[string]string{
		"origin":            ledger.TrackingPrefix + "origin",
		"up-stream_2.x":     ledger.TrackingPrefix + "up-stream_2.x",
		"team/fork":         ledger.TrackingPrefix + "team/fork",
		"../remote.git":     "url-",
		"git@host:o/r.git":  "url-",
		"https://h/o/r.git": "url-",
		"a..b":              "url-",
		"x.lock":            "url-",
	}
	for remote, want := range tests {
		got := ledger.TrackingRef(remote)
		if !strings.HasPrefix(got, ledger.TrackingPrefix) || !strings.Contains(got, want) {
			t.Errorf("TrackingRef(%q) = %q", remote, got)
		}
		if _, err := gittest.GitInput("", nil, "check-ref-format", got); err != nil {
			t.Errorf("TrackingRef(%q) = %q is not a valid ref name", remote, got)
		}
	}
}

func TestPushNonFastForward(t *testing.T) {
	ctx := context.Background()
	remote, clones, cs := syncSetup(t, 2)
	a, b := clones[0], clones[1]
	if err := open(t, a).Write(hash(cs[0]), numbered(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.Push(ctx, gitFor(t, a), "origin"); err != nil {
		t.Fatal(err)
	}
	// B has the remote's notes commit (fetched elsewhere) but its own ref
	// does not descend from it: git says "non-fast-forward", not "fetch first".
	gittest.Git(t, b, "fetch", "-q", "origin", ledger.NotesRef+":refs/notes/elsewhere")
	if err := open(t, b).Write(hash(cs[1]), numbered(1)); err != nil {
		t.Fatal(err)
	}
	p, err := ledger.Push(ctx, gitFor(t, b), "origin")
	if err != nil || !p.Pushed || p.Attempts != 2 || p.Fetches[0].Action != ledger.FetchMerged {
		t.Fatalf("push: %+v, %v", p, err)
	}
	if got := strings.Split(gittest.Git(t, remote, "notes", "--ref", "tokenyield", "list"), "\n"); len(got) != 2 {
		t.Errorf("remote has %d notes", len(got))
	}
}
