package ledger_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/gitcli/gittest"
	"github.com/tokenyield/tokenyield/internal/ledger"
)

var t0 = time.Date(2026, 2, 12, 16, 2, 27, 0, time.UTC)

func cost(f float64) *float64 { return &f }

// row builds a row; cost < 0 means unknown.
func row(agent, session, model string, in, out int64, usd float64) attribution.Row {
	r := attribution.Row{
		Agent: agent, Session: session, Model: model,
		Usage:    attribution.Usage{Input: in, Output: out, CacheRead: 10 * in, CacheWrite: in / 2},
		Requests: 1 + in/100,
		First:    t0, Last: t0.Add(time.Minute),
	}
	if usd >= 0 {
		r.CostUSD = cost(usd)
	}
	return r
}

func note(rows ...attribution.Row) attribution.Note {
	n := attribution.Note{V: attribution.NoteVersion, Tool: "tokenyield/test", Rows: rows}
	n.Canonicalize()
	return n
}

// numbered returns a distinct valid note for i.
func numbered(i int) attribution.Note {
	return note(row("claude-code", fmt.Sprintf("s%d", i), "claude-sonnet-4-5", int64(100+i), int64(7*i+1), float64(i)/1000))
}

func encode(t testing.TB, n attribution.Note) string {
	t.Helper()
	b, err := n.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sameNote(t testing.TB, what string, got, want attribution.Note) {
	t.Helper()
	if g, w := encode(t, got), encode(t, want); g != w {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func open(t testing.TB, dir string) *ledger.Ledger {
	t.Helper()
	l, err := ledger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func hash(s string) plumbing.Hash { return plumbing.NewHash(s) }

func mustRead(t testing.TB, l *ledger.Ledger, c string) attribution.Note {
	t.Helper()
	n, ok, err := l.Read(hash(c))
	if err != nil || !ok {
		t.Fatalf("Read(%s) = ok %v, err %v", c, ok, err)
	}
	return n
}

// gitNote adds a note with git itself, from raw bytes.
func gitNote(t testing.TB, dir, commit string, data []byte) {
	t.Helper()
	blob, err := gittest.GitInput(dir, data, "hash-object", "-w", "--stdin")
	if err != nil {
		t.Fatal(err)
	}
	gittest.Git(t, dir, "notes", "--ref", "tokenyield", "add", "-f", "-C", blob, commit)
}

// refsExcept lists every ref and its target, leaving out the given ones.
func refsExcept(t testing.TB, dir string, except ...string) string {
	t.Helper()
	var keep []string
	for _, line := range strings.Split(gittest.Git(t, dir, "for-each-ref", "--format=%(refname) %(objectname)"), "\n") {
		skip := false
		for _, e := range except {
			if strings.HasPrefix(line, e+" ") || (strings.HasSuffix(e, "/") && strings.HasPrefix(line, e)) {
				skip = true
			}
		}
		if !skip {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

func fsck(t testing.TB, dir string) {
	t.Helper()
	out, err := gittest.GitInput(dir, nil, "fsck", "--strict", "--no-progress", "--no-dangling")
	if err != nil {
		t.Fatalf("git fsck: %v\n%s", err, out)
	}
}

func TestMain(m *testing.M) {
	if os.Getenv("LEDGER_HELPER") == "1" {
		os.Exit(helperMain())
	}
	os.Exit(m.Run())
}

// helperMain is a second process writing notes: LEDGER_DIR is where to open
// the repository, LEDGER_COMMITS the commits to annotate (space separated).
func helperMain() int {
	l, err := ledger.Open(os.Getenv("LEDGER_DIR"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = l.Close() }()
	for i, c := range strings.Fields(os.Getenv("LEDGER_COMMITS")) {
		if err := l.Write(plumbing.NewHash(c), numbered(1000+i)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}
