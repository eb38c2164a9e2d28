package ghapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/ghfake"
)

// marker is the report's hidden marker (internal/report.Marker).
const marker = "<!-- tokenyield:pr-report -->"

// TestUpsertComment: the sticky comment in every state a pull request can
// be in before a run.
func TestUpsertComment(t *testing.T) {
	t0 := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	report := marker + "\n## Tokens\nnew report"
	human := func(body string, at time.Duration) ghfake.Comment {
		return ghfake.Comment{User: "alice", Body: body, CreatedAt: t0.Add(at)}
	}
	bot := func(id int64, body string, at time.Duration) ghfake.Comment {
		return ghfake.Comment{ID: id, Body: body, CreatedAt: t0.Add(at)}
	}
	tests := []struct {
		name     string
		existing []ghfake.Comment
		body     string
		wantID   int64 // 0: a new comment
		// want: the comments after the run, "id:body" ("new" for the created id), oldest first.
		want     []string
		wantReqs []string
	}{
		{
			name:     "none: create",
			existing: []ghfake.Comment{human("LGTM", 0)},
			body:     report,
			want:     []string{"LGTM", report},
			wantReqs: []string{"GET /issues/7/comments?per_page=100 200", "POST /issues/7/comments 201"},
		},
		{
			name:     "one: edit in place",
			existing: []ghfake.Comment{bot(11, marker+"\nold report", 0), human("thanks", time.Minute)},
			body:     report,
			wantID:   11,
			want:     []string{report, "thanks"},
			wantReqs: []string{"GET /issues/7/comments?per_page=100 200", "PATCH /issues/comments/11 200"},
		},
		{
			name:     "one, unchanged: no write",
			existing: []ghfake.Comment{bot(11, report, 0)},
			body:     report,
			wantID:   11,
			want:     []string{report},
			wantReqs: []string{"GET /issues/7/comments?per_page=100 200"},
		},
		{
			// Three runs raced and each created a comment. The oldest by
			// creation time (id 22, not the lowest id) is kept and edited.
			name: "three after a race: keep the oldest, delete two",
			existing: []ghfake.Comment{
				bot(21, marker+"\nrun B", 2*time.Second),
				bot(22, marker+"\nrun A", 0),
				human("a question", time.Second),
				bot(23, marker+"\nrun C", 3*time.Second),
			},
			body:   report,
			wantID: 22,
			want:   []string{report, "a question"},
			wantReqs: []string{
				"GET /issues/7/comments?per_page=100 200",
				"PATCH /issues/comments/22 200",
				"DELETE /issues/comments/21 204",
				"DELETE /issues/comments/23 204",
			},
		},
		{
			name:     "same creation time: lowest id wins",
			existing: []ghfake.Comment{bot(31, marker+"\nx", 0), bot(30, marker+"\ny", 0)},
			body:     report,
			wantID:   30,
			want:     []string{report},
			wantReqs: []string{"GET /issues/7/comments?per_page=100 200", "PATCH /issues/comments/30 200", "DELETE /issues/comments/31 204"},
		},
		{
			// A reply quoting the report carries the marker after "> ": it is
			// not the report and must survive.
			name:     "a quotation is not the report",
			existing: []ghfake.Comment{human("> "+marker+"\n> old numbers\n\nwhy so many tokens?", 0)},
			body:     report,
			want:     []string{"> " + marker + "\n> old numbers\n\nwhy so many tokens?", report},
			wantReqs: []string{"GET /issues/7/comments?per_page=100 200", "POST /issues/7/comments 201"},
		},
		{
			name:     "body without the marker gets it",
			body:     "plain",
			want:     []string{marker + "\nplain"},
			wantReqs: []string{"GET /issues/7/comments?per_page=100 200", "POST /issues/7/comments 201"},
		},
		{
			name:     "other markers are other reports",
			existing: []ghfake.Comment{bot(41, "<!-- other-tool -->\nreport", 0)},
			body:     report,
			want:     []string{"<!-- other-tool -->\nreport", report},
			wantReqs: []string{"GET /issues/7/comments?per_page=100 200", "POST /issues/7/comments 201"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := setup(t)
			s.SetPR(owner, repo, 7, ghfake.PR{})
			for _, cm := range tt.existing {
				s.AddComment(owner, repo, 7, cm)
			}
			id, err := c.UpsertComment(t.Context(), owner, repo, 7, marker, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantID != 0 && id != tt.wantID {
				t.Errorf("id %d, want %d", id, tt.wantID)
			}
			var got []string
			for _, cm := range s.Comments(owner, repo, 7) {
				got = append(got, cm.Body)
				if strings.Contains(cm.Body, "new report") && cm.ID != id {
					t.Errorf("report is comment %d, UpsertComment returned %d", cm.ID, id)
				}
			}
			equalLines(t, "comments", got, tt.want)
			equalLines(t, "requests", requestLines(s), tt.wantReqs)
		})
	}
}

// TestUpsertCommentTwice: two runs leave one comment, edited once.
func TestUpsertCommentTwice(t *testing.T) {
	s, c := setup(t)
	s.SetPR(owner, repo, 7, ghfake.PR{})
	first, err := c.UpsertComment(t.Context(), owner, repo, 7, marker, marker+"\nrun 1")
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.UpsertComment(t.Context(), owner, repo, 7, marker, marker+"\nrun 2")
	if err != nil {
		t.Fatal(err)
	}
	got := s.Comments(owner, repo, 7)
	if first != second || len(got) != 1 || got[0].Body != marker+"\nrun 2" || got[0].Edits != 1 {
		t.Errorf("ids %d %d, comments %+v", first, second, got)
	}
}

// TestUpsertCommentPaginates: the report is found among many comments.
func TestUpsertCommentPaginates(t *testing.T) {
	s, c := setup(t)
	s.SetPR(owner, repo, 7, ghfake.PR{})
	t0 := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	var reportID int64
	for i := range 250 {
		cm := ghfake.Comment{User: "alice", Body: fmt.Sprint("comment ", i), CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
		if i == 230 {
			cm = ghfake.Comment{Body: marker + "\nold", CreatedAt: cm.CreatedAt}
		}
		if id := s.AddComment(owner, repo, 7, cm); i == 230 {
			reportID = id
		}
	}
	id, err := c.UpsertComment(t.Context(), owner, repo, 7, marker, marker+"\nnew")
	if err != nil {
		t.Fatal(err)
	}
	if id != reportID || len(s.Comments(owner, repo, 7)) != 250 {
		t.Errorf("id %d want %d; %d comments", id, reportID, len(s.Comments(owner, repo, 7)))
	}
	if n := s.Count(http.MethodGet, "/repos/octo/widgets/issues/7/comments"); n != 3 {
		t.Errorf("%d list pages, want 3", n)
	}
}

// TestUpsertCommentRace: another run deletes the comment to be edited
// between the listing and the edit (it kept an older one we had not seen,
// or cleaned up): the edit's 404 makes the client list again and carry on;
// the deletion of a duplicate already gone is no error either.
func TestUpsertCommentRace(t *testing.T) {
	s, c := setup(t)
	s.SetPR(owner, repo, 7, ghfake.PR{})
	t0 := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	a := s.AddComment(owner, repo, 7, ghfake.Comment{Body: marker + "\nA", CreatedAt: t0})
	b := s.AddComment(owner, repo, 7, ghfake.Comment{Body: marker + "\nB", CreatedAt: t0.Add(time.Second)})
	cc := s.AddComment(owner, repo, 7, ghfake.Comment{Body: marker + "\nC", CreatedAt: t0.Add(2 * time.Second)})
	s.OnNext(http.MethodPatch, fmt.Sprintf("/repos/octo/widgets/issues/comments/%d", a), func() { s.DeleteComment(owner, repo, a) })
	s.OnNext(http.MethodDelete, fmt.Sprintf("/repos/octo/widgets/issues/comments/%d", cc), func() { s.DeleteComment(owner, repo, cc) })
	id, err := c.UpsertComment(t.Context(), owner, repo, 7, marker, marker+"\nnew")
	if err != nil {
		t.Fatal(err)
	}
	got := s.Comments(owner, repo, 7)
	if id != b || len(got) != 1 || got[0].ID != b || got[0].Body != marker+"\nnew" {
		t.Errorf("id %d (want %d), comments %+v", id, b, got)
	}
	equalLines(t, "requests", requestLines(s), []string{
		"GET /issues/7/comments?per_page=100 200",
		fmt.Sprintf("PATCH /issues/comments/%d 404", a),
		"GET /issues/7/comments?per_page=100 200",
		fmt.Sprintf("PATCH /issues/comments/%d 200", b),
		fmt.Sprintf("DELETE /issues/comments/%d 404", cc),
	})
}

// TestUpsertCommentReadOnly: a fork pull request's token can read but not
// write; the error says so and is recognised.
func TestUpsertCommentReadOnly(t *testing.T) {
	for _, existing := range []bool{false, true} {
		t.Run(fmt.Sprint("existing=", existing), func(t *testing.T) {
			s, c := setup(t)
			s.SetPR(owner, repo, 7, ghfake.PR{})
			if existing {
				s.AddComment(owner, repo, 7, ghfake.Comment{Body: marker + "\nold"})
			}
			s.ReadOnly()
			_, err := c.UpsertComment(t.Context(), owner, repo, 7, marker, marker+"\nnew")
			if !ghapi.IsReadOnly(err) || !errors.Is(err, ghapi.ErrReadOnly) {
				t.Fatalf("err = %v, want read-only", err)
			}
			if ghapi.IsRateLimited(err) {
				t.Errorf("read-only taken for a rate limit: %v", err)
			}
			if !strings.Contains(err.Error(), "Resource not accessible by integration") || !strings.Contains(err.Error(), "pull-requests: write") {
				t.Errorf("error text: %v", err)
			}
			if n := len(s.Requests()); n != 2 {
				t.Errorf("%d requests, want 2 (list, one refused write, no retry): %v", n, s.Requests())
			}
		})
	}
}

// TestUpsertCommentTooLong: GitHub counts characters, not bytes; the client
// refuses a body over 65536 characters without sending it, and GitHub's own
// 422 is recognised too.
func TestUpsertCommentTooLong(t *testing.T) {
	fits := marker + "\n" + strings.Repeat("é", ghapi.MaxCommentChars-len(marker)-1) // 65536 characters, 131,0xx bytes
	tests := []struct {
		name      string
		serverMax int
		body      string
		wantErr   bool
		wantReqs  int
	}{
		{"exactly the limit in 2-byte characters", 0, fits, false, 2},
		{"one character over: refused locally", 0, fits + "x", true, 0},
		{"GitHub's 422", 100, marker + "\n" + strings.Repeat("x", 200), true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := setup(t)
			s.SetPR(owner, repo, 7, ghfake.PR{})
			if tt.serverMax > 0 {
				s.SetMaxCommentChars(tt.serverMax)
			}
			_, err := c.UpsertComment(t.Context(), owner, repo, 7, marker, tt.body)
			if n := len(s.Requests()); n != tt.wantReqs {
				t.Errorf("%d requests, want %d", n, tt.wantReqs)
			}
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !ghapi.IsBodyTooLong(err) || !errors.Is(err, ghapi.ErrBodyTooLong) || ghapi.IsReadOnly(err) {
				t.Errorf("err = %v, want body too long", err)
			}
		})
	}
}

func TestUpsertCommentEmptyMarker(t *testing.T) {
	_, c := setup(t)
	if _, err := c.UpsertComment(t.Context(), owner, repo, 7, " ", "body"); err == nil {
		t.Fatal("empty marker accepted")
	}
}
