package ghapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/ghfake"
)

const (
	owner = "octo"
	repo  = "widgets"
	token = "test-token"
)

// setup starts a fake GitHub that requires the test token and a client
// that sleeps on the fake's clock (so no test really sleeps).
func setup(t *testing.T, opts ...ghapi.Option) (*ghfake.Server, *ghapi.Client) {
	t.Helper()
	s := ghfake.New(t)
	s.RequireToken(token)
	base := []ghapi.Option{
		ghapi.WithHTTPClient(s.Client()),
		ghapi.WithSleep(s.Clock().Sleep),
		ghapi.WithClock(s.Clock().Now),
	}
	c, err := ghapi.New(s.URL(), token, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// commits returns n commits with distinct messages.
func commits(n int) []ghfake.Commit {
	out := make([]ghfake.Commit, n)
	for i := range out {
		out[i] = ghfake.Commit{Message: fmt.Sprintf("commit %d\n\nbody %d", i+1, i+1), AuthorLogin: "dev"}
	}
	return out
}

// files returns n changed files of 2 added and 1 deleted lines each.
func files(n int) []ghfake.File {
	out := make([]ghfake.File, n)
	for i := range out {
		out[i] = ghfake.File{Name: fmt.Sprintf("pkg/file%04d.go", i), Additions: 2, Deletions: 1, Patch: "@@ -1 +1,2 @@"}
	}
	return out
}

// requestLines renders the fake's request log compactly for comparisons:
// "GET /path?query 200", with the repository prefix cut.
func requestLines(s *ghfake.Server) []string {
	var out []string
	for _, r := range s.Requests() {
		line := fmt.Sprintf("%s %s", r.Method, strings.TrimPrefix(r.Path, "/repos/"+owner+"/"+repo))
		if r.Query != "" {
			line += "?" + r.Query
		}
		out = append(out, fmt.Sprintf("%s %d", line, r.Status))
	}
	return out
}

func equalLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func equalDurations(t *testing.T, got, want []time.Duration) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sleeps = %v, want %v", got, want)
	}
}
