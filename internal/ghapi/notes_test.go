package ghapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/ghfake"
)

const notesRef = "refs/notes/tokenyield"

// TestNotes reads notes through the Git Data API in every layout git and
// GitHub produce.
func TestNotes(t *testing.T) {
	a, b, c, d := ghfake.SHA("a"), ghfake.SHA("b"), ghfake.SHA("c"), ghfake.SHA("d")
	note := func(s string) []byte { return []byte(`{"v":1,"rows":[],"tool":"` + s + `"}` + "\n") }
	three := map[string][]byte{a: note("A"), b: note("B"), c: note("C")}
	big := bytes.Repeat([]byte("x"), attribution.MaxNoteBytes+1)
	huge := bytes.Repeat([]byte("y"), 10<<20)
	limit := bytes.Repeat([]byte("z"), attribution.MaxNoteBytes)

	tests := []struct {
		name    string
		notes   map[string][]byte // nil: no notes ref at all
		opts    []ghfake.NotesOption
		ref     string
		ask     []string
		want    map[string][]byte
		skipped []string
		// wantBlobs is the number of blobs downloaded (never a skipped one).
		wantBlobs int
	}{
		{name: "flat", notes: three, ask: []string{a, b, d}, want: map[string][]byte{a: note("A"), b: note("B")}, wantBlobs: 2},
		{name: "fan-out", notes: three, opts: []ghfake.NotesOption{ghfake.FanOut(1)}, ask: []string{a, b, d}, want: map[string][]byte{a: note("A"), b: note("B")}, wantBlobs: 2},
		{name: "fan-out two levels", notes: three, opts: []ghfake.NotesOption{ghfake.FanOut(2)}, ask: []string{c}, want: map[string][]byte{c: note("C")}, wantBlobs: 1},
		{
			name:  "mixed flat and fan-out",
			notes: map[string][]byte{a: note("A"), b[:2] + "/" + b[2:]: note("B")},
			ask:   []string{a, b}, want: map[string][]byte{a: note("A"), b: note("B")}, wantBlobs: 2,
		},
		{name: "truncated flat tree", notes: three, opts: []ghfake.NotesOption{ghfake.TruncatedTree()}, ask: []string{a, b, c, d}, want: three, wantBlobs: 3},
		{name: "truncated fan-out tree", notes: three, opts: []ghfake.NotesOption{ghfake.TruncatedTree(), ghfake.FanOut(1)}, ask: []string{a, b, c, d}, want: three, wantBlobs: 3},
		{name: "truncated two-level tree", notes: three, opts: []ghfake.NotesOption{ghfake.TruncatedTree(), ghfake.FanOut(2)}, ask: []string{c, a}, want: map[string][]byte{a: note("A"), c: note("C")}, wantBlobs: 2},
		{name: "no notes ref", notes: nil, ask: []string{a}, want: map[string][]byte{}},
		{name: "nothing asked", notes: three, ask: nil, want: map[string][]byte{}},
		{name: "ref without refs/", notes: three, ref: "notes/tokenyield", ask: []string{a}, want: map[string][]byte{a: note("A")}, wantBlobs: 1},
		{name: "bare ref name", notes: three, ref: "tokenyield", ask: []string{a}, want: map[string][]byte{a: note("A")}, wantBlobs: 1},
		{name: "ids in upper case", notes: three, ask: []string{strings.ToUpper(a), a}, want: map[string][]byte{strings.ToUpper(a): note("A")}, wantBlobs: 1},
		{
			name:  "oversized blobs skipped unread",
			notes: map[string][]byte{a: big, b: huge, c: limit},
			opts:  []ghfake.NotesOption{ghfake.FanOut(1)},
			ask:   []string{a, b, c}, want: map[string][]byte{c: limit}, skipped: []string{a, b}, wantBlobs: 1,
		},
		{
			name:  "oversized blob found by the walk of a truncated tree",
			notes: map[string][]byte{a: big, b: note("B"), c: note("C"), d: note("D")},
			opts:  []ghfake.NotesOption{ghfake.FanOut(1), ghfake.TruncatedTree()},
			ask:   []string{a, b, c, d}, want: map[string][]byte{b: note("B"), c: note("C"), d: note("D")}, skipped: []string{a}, wantBlobs: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, cl := setup(t)
			if tt.notes != nil {
				s.SetNotes(owner, repo, notesRef, tt.notes, tt.opts...)
			}
			ref := tt.ref
			if ref == "" {
				ref = notesRef
			}
			res, err := cl.ReadNotes(t.Context(), owner, repo, ref, tt.ask)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Notes) != len(tt.want) {
				t.Errorf("got %d notes, want %d", len(res.Notes), len(tt.want))
			}
			for sha, want := range tt.want {
				if !bytes.Equal(res.Notes[sha], want) {
					t.Errorf("note of %s = %.40q, want %.40q", sha, res.Notes[sha], want)
				}
			}
			var skipped []string
			for sha, why := range res.Skipped {
				skipped = append(skipped, sha)
				if !strings.Contains(why, fmt.Sprintf("over the %d byte limit", attribution.MaxNoteBytes)) {
					t.Errorf("skip reason %q", why)
				}
			}
			sort.Strings(skipped)
			equalLines(t, "skipped", skipped, tt.skipped)
			if n := s.Count(http.MethodGet, "/repos/octo/widgets/git/blobs/"); n != tt.wantBlobs {
				t.Errorf("%d blobs downloaded, want %d: %v", n, tt.wantBlobs, requestLines(s))
			}
			for _, r := range s.Requests() {
				if r.Status != http.StatusOK && !strings.Contains(r.Path, "/git/ref/") {
					t.Errorf("request %v failed", r)
				}
			}
		})
	}
}

// TestNotesRequests pins the requests of the common layouts: one
// recursive listing for a complete tree; for a truncated one, only the
// fan-out subtrees of the wanted commits.
func TestNotesRequests(t *testing.T) {
	a, b, c := ghfake.SHA("a"), ghfake.SHA("b"), ghfake.SHA("c")
	notes := map[string][]byte{a: []byte("A"), b: []byte("B"), c: []byte("C")}
	t.Run("complete tree", func(t *testing.T) {
		s, cl := setup(t)
		commit := s.SetNotes(owner, repo, notesRef, notes, ghfake.FanOut(1))
		if _, err := cl.Notes(t.Context(), owner, repo, notesRef, []string{b}); err != nil {
			t.Fatal(err)
		}
		lines := requestLines(s)
		if len(lines) != 4 ||
			lines[0] != "GET /git/ref/notes/tokenyield 200" ||
			lines[1] != "GET /git/commits/"+commit+" 200" ||
			!strings.HasSuffix(lines[2], "?recursive=1 200") ||
			!strings.HasPrefix(lines[3], "GET /git/blobs/") {
			t.Errorf("requests:\n%s", strings.Join(lines, "\n"))
		}
	})
	t.Run("truncated tree", func(t *testing.T) {
		s, cl := setup(t)
		s.SetNotes(owner, repo, notesRef, notes, ghfake.FanOut(1), ghfake.TruncatedTree())
		got, err := cl.Notes(t.Context(), owner, repo, notesRef, []string{a, b, c})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("got %d notes", len(got))
		}
		// The truncated listing (first half: a's directory and blob, then
		// one more directory) gives a; the root's plain listing and the
		// subtrees of the two others give the rest: 2 subtrees at most.
		var plain int
		for _, r := range s.Requests() {
			if strings.Contains(r.Path, "/git/trees/") && r.Query == "" {
				plain++
			}
		}
		if plain != 3 { // root + 2 subtrees
			t.Errorf("%d plain tree listings, want 3: %v", plain, requestLines(s))
		}
	})
}

// TestNotesWarnings: Notes passes skipped notes to WithWarnings.
func TestNotesWarnings(t *testing.T) {
	var warnings []string
	s, cl := setup(t, ghapi.WithWarnings(func(m string) { warnings = append(warnings, m) }))
	a := ghfake.SHA("a")
	s.SetNotes(owner, repo, notesRef, map[string][]byte{a: bytes.Repeat([]byte("x"), 10<<20)})
	got, err := cl.Notes(t.Context(), owner, repo, notesRef, []string{a})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("note of commit %s skipped: note blob ", a)
	if len(got) != 0 || len(warnings) != 1 || !strings.HasPrefix(warnings[0], want) || !strings.Contains(warnings[0], "10485760 bytes") {
		t.Errorf("notes %v, warnings %q", got, warnings)
	}
}

// TestNotesErrors: a ref that is not a commit, an empty repository (409)
// and a bad ref name.
func TestNotesErrors(t *testing.T) {
	t.Run("empty repository", func(t *testing.T) {
		s, cl := setup(t)
		s.Respond(http.MethodGet, "/repos/octo/widgets/git/ref/notes/tokenyield", http.StatusConflict, map[string]any{"message": "Git Repository is empty."})
		got, err := cl.Notes(t.Context(), owner, repo, notesRef, []string{ghfake.SHA("a")})
		if err != nil || len(got) != 0 {
			t.Errorf("notes %v, err %v", got, err)
		}
	})
	t.Run("ref to a tree", func(t *testing.T) {
		s, cl := setup(t)
		s.Respond(http.MethodGet, "/repos/octo/widgets/git/ref/notes/tokenyield", http.StatusOK,
			map[string]any{"ref": notesRef, "object": map[string]any{"type": "tree", "sha": ghfake.SHA("t")}})
		if _, err := cl.Notes(t.Context(), owner, repo, notesRef, []string{ghfake.SHA("a")}); err == nil || !strings.Contains(err.Error(), `points to a "tree"`) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("bad ref", func(t *testing.T) {
		_, cl := setup(t)
		for _, ref := range []string{"", "refs/", "notes/a/..", "notes/"} {
			if _, err := cl.Notes(t.Context(), owner, repo, ref, []string{ghfake.SHA("a")}); err == nil {
				t.Errorf("ref %q accepted", ref)
			}
		}
	})
}
