package gitstat_test

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/gitstat"
	"github.com/tokenyield/tokenyield/internal/gitstat/synth"
)

// synthRepo imports a synthetic history of n commits (range
// synth-base..main) into a new repository with a checkout, for the
// .gitattributes of its tree to apply.
func synthRepo(t testing.TB, n int, seed uint64) string {
	t.Helper()
	gittest.Isolate(t)
	dir := gittest.Init(t)
	git, err := gitcli.Find()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Import(context.Background(), git, dir, synth.Options{Commits: n, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	gittest.Git(t, dir, "reset", "-q", "--hard", "main")
	return dir
}

// plainClass is the class a path of the synthetic history must get: the
// rules of its .gitattributes, written out here by hand, then Classify,
// then Binary for a binary file of class Code.
func plainClass(path string, binary bool) gitstat.Class {
	c := gitstat.Classify(path)
	switch {
	case strings.HasPrefix(path, "docs/generated/"): // linguist-generated
		c = gitstat.Generated
	case strings.HasPrefix(path, "internal/legacy/"): // linguist-vendored
		c = gitstat.Vendored
	case strings.HasPrefix(path, "web/dist/"): // -linguist-generated
		c = gitstat.Code
	}
	if binary && c == gitstat.Code {
		c = gitstat.Binary
	}
	return c
}

// TestLogMatchesPlainNumstat compares Log on a synthetic history of 400
// commits (edits, adds, deletes, renames, lock, vendored, generated and
// binary files, merges, empty commits) with a second, independent reading:
// the plain text output of `git log --numstat` (no -z, no custom format),
// parsed line by line, classified by plainClass. Every commit must have the
// same parents, code lines, excluded lines per class and file counts.
func TestLogMatchesPlainNumstat(t *testing.T) {
	dir := synthRepo(t, 400, 11)
	stats, by := logOf(t, dir, "synth-base..main")
	if len(stats) != 400 {
		t.Fatalf("Log listed %d commits, want 400", len(stats))
	}

	out := gittest.Git(t, dir, "-c", "core.quotePath=false", "log", "--numstat", "--no-renames",
		"--format=commit %H %P", "synth-base..main")
	want := map[string]*gitstat.CommitStat{}
	var cur *gitstat.CommitStat
	var order []string
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "commit "); ok {
			f := strings.Fields(rest)
			cur = &gitstat.CommitStat{SHA: f[0], Parents: f[1:]}
			want[f[0]] = cur
			order = append(order, f[0])
			continue
		}
		if line == "" {
			continue
		}
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 {
			t.Fatalf("plain numstat line %q", line)
		}
		binary := f[0] == "-"
		var l gitstat.Lines
		if !binary {
			a, err1 := strconv.ParseInt(f[0], 10, 64)
			d, err2 := strconv.ParseInt(f[1], 10, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("plain numstat line %q", line)
			}
			l = gitstat.Lines{Added: a, Deleted: d}
		}
		cur.Files++
		if binary {
			cur.BinaryFiles++
		}
		if c := plainClass(f[2], binary); c == gitstat.Code {
			cur.Code = cur.Code.Add(l)
		} else {
			if cur.Excluded == nil {
				cur.Excluded = map[gitstat.Class]gitstat.Lines{}
			}
			cur.Excluded[c] = cur.Excluded[c].Add(l)
		}
	}

	if len(order) != len(stats) {
		t.Fatalf("plain log has %d commits, Log %d", len(order), len(stats))
	}
	var merges, withExcluded int
	classes := map[gitstat.Class]bool{}
	for i, sha := range order {
		got, w := by[sha], want[sha]
		if stats[i].SHA != sha {
			t.Errorf("commit %d: Log has %s, git log %s", i, stats[i].SHA, sha)
		}
		if strings.Join(got.Parents, " ") != strings.Join(w.Parents, " ") || got.Code != w.Code ||
			!reflect.DeepEqual(got.Excluded, w.Excluded) || got.Files != w.Files || got.BinaryFiles != w.BinaryFiles {
			t.Errorf("commit %s:\n Log %+v %v %d/%d %v\nwant %+v %v %d/%d %v", sha,
				got.Code, got.Excluded, got.Files, got.BinaryFiles, got.Parents,
				w.Code, w.Excluded, w.Files, w.BinaryFiles, w.Parents)
		}
		if got.IsMerge() {
			merges++
		}
		for c := range got.Excluded {
			classes[c] = true
		}
		if got.Excluded != nil {
			withExcluded++
		}
	}
	// The history must exercise what it is meant to.
	if merges == 0 || len(classes) != 4 {
		t.Errorf("history too plain: %d merges, excluded classes %v", merges, classes)
	}
	code, _ := gitstat.Totals(stats)
	t.Logf("400 commits: %d merges, code +%d -%d, %d commits with excluded files", merges, code.Added, code.Deleted, withExcluded)
}
