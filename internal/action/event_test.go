package action

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func readEvent(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "github", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePullRequest(t *testing.T) {
	tests := []struct {
		file, event string
		number      int
		fork        bool
		wantErr     error
	}{
		{"pull_request.opened.json", "pull_request", 2, false, nil},
		{"pull_request.synchronize.json", "pull_request", 0, false, nil},
		{"pull_request.opened.fork.json", "pull_request", 2, true, nil},
		{"pull_request_review.submitted.json", "pull_request_review", 0, false, nil},
		{"push.json", "push", 0, false, errNoPR},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			pr, err := ParsePullRequest(tt.event, readEvent(t, tt.file))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pr.BaseSHA == "" || pr.HeadSHA == "" || pr.BaseSHA == pr.HeadSHA || pr.Owner == "" || pr.Repo == "" {
				t.Fatalf("incomplete: %+v", pr)
			}
			if tt.number != 0 && pr.Number != tt.number {
				t.Errorf("number %d, want %d", pr.Number, tt.number)
			}
			if pr.Fork != tt.fork {
				t.Errorf("fork %v, want %v", pr.Fork, tt.fork)
			}
		})
	}
	if _, err := ParsePullRequest("pull_request", []byte(`{"pull_request":{}}`)); !errors.Is(err, errNoPR) {
		t.Errorf("empty pull request: %v", err)
	}
	if _, err := ParsePullRequest("pull_request", []byte(`{`)); err == nil {
		t.Error("truncated payload accepted")
	}
}

func TestParsePush(t *testing.T) {
	p, err := ParsePush(readEvent(t, "push.json"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Owner == "" || p.Repo == "" || p.After == "" || p.Ref == "" {
		t.Fatalf("incomplete: %+v", p)
	}
	del, err := ParsePush(readEvent(t, "push.tag-deleted.json"))
	if err != nil {
		t.Fatal(err)
	}
	if del.OnDefaultBranch() {
		t.Error("a deleted tag is not a push to the default branch")
	}
}
