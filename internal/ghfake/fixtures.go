package ghfake

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Fixture file names under testdata/github/rest (see SOURCES.md there).
const (
	fxPull          = "pulls-get.json"
	fxCommits       = "pulls-list-commits.json"
	fxFiles         = "pulls-list-files.json"
	fxReviews       = "pulls-list-reviews.json"
	fxReviewComment = "pulls-list-review-comments.json"
	fxComments      = "issues-list-comments.json"
	fxGitRef        = "git-get-ref.json"
	fxGitCommit     = "git-get-commit.json"
	fxGitTree       = "git-get-tree.json"
	fxGitBlob       = "git-get-blob.json"

	fxErrRefNotFound   = "errors/git-ref-not-found.404.json"
	fxErrTooLong       = "errors/issue-comment-body-too-long.422.json"
	fxErrPrimary403    = "errors/rate-limit-primary.403.json"
	fxErrPrimary429    = "errors/rate-limit-primary.429.json"
	fxErrSecondary     = "errors/rate-limit-secondary-no-retry-after.403.json"
	fxErrSecondaryWait = "errors/rate-limit-secondary-retry-after.403.json"
	fxErrReadOnly      = "errors/resource-not-accessible-by-integration.403.json"
)

// exampleRepo and exampleAPI are what the examples' URLs name; they are
// rewritten to the fake's repository and address.
const (
	exampleRepo = "octocat/Hello-World"
	exampleAPI  = "https://api.github.com"
)

// errorFixture is one file of testdata/github/rest/errors: a status, the
// response headers and the body.
type errorFixture struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

var (
	fixturesOnce sync.Once
	fixtures     map[string]json.RawMessage
	examples     map[string]object // the decoded example object of each non-error fixture
	fixturesErr  error
)

// fixtureDir is testdata/github/rest at the repository root, found from
// this source file's location (the package is only used by tests, which
// run inside the source tree).
func fixtureDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("testdata", "github", "rest")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "github", "rest")
}

// loadFixtures reads every fixture once per process.
func loadFixtures() (map[string]json.RawMessage, error) {
	fixturesOnce.Do(func() {
		dir := fixtureDir()
		fixtures = map[string]json.RawMessage{}
		examples = map[string]object{}
		for _, name := range []string{
			fxPull, fxCommits, fxFiles, fxReviews, fxReviewComment, fxComments,
			fxGitRef, fxGitCommit, fxGitTree, fxGitBlob,
			fxErrRefNotFound, fxErrTooLong, fxErrPrimary403, fxErrPrimary429,
			fxErrSecondary, fxErrSecondaryWait, fxErrReadOnly,
		} {
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				fixturesErr = fmt.Errorf("ghfake: read fixture: %w", err)
				return
			}
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				fixturesErr = fmt.Errorf("ghfake: fixture %s: %w", name, err)
				return
			}
			if arr, ok := v.([]any); ok && len(arr) > 0 {
				v = arr[0]
			}
			if o, ok := v.(object); ok && !strings.HasPrefix(name, "errors/") {
				examples[name] = o
			}
			fixtures[name] = data
		}
	})
	return fixtures, fixturesErr
}

// object is a decoded JSON object.
type object = map[string]any

// template returns a fresh, mutable copy of a fixture's example object (the
// first element when the fixture is an array), with its URLs rewritten to
// base (the fake's address) and ownerRepo.
func (s *Server) template(name, ownerRepo string) object {
	return rewrite(examples[name], strings.NewReplacer(exampleAPI, s.srv.URL, exampleRepo, ownerRepo)).(object)
}

// errorFixture returns a decoded error fixture.
func (s *Server) errorFixture(name string) errorFixture {
	var e errorFixture
	if err := json.Unmarshal(s.fixtures[name], &e); err != nil {
		panic(fmt.Sprintf("ghfake: fixture %s: %v", name, err)) // validated at load
	}
	return e
}

// rewrite returns a deep copy of v (decoded JSON) with r applied to every
// string in it.
func rewrite(v any, r *strings.Replacer) any {
	switch t := v.(type) {
	case string:
		return r.Replace(t)
	case []any:
		out := make([]any, len(t))
		for i := range t {
			out[i] = rewrite(t[i], r)
		}
		return out
	case object:
		out := make(object, len(t))
		for k, x := range t {
			out[k] = rewrite(x, r)
		}
		return out
	}
	return v
}

// set assigns value at a dotted path ("commit.author.name") in o, creating
// intermediate objects.
func set(o object, path string, value any) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := o[k].(object)
		if !ok {
			next = object{}
			o[k] = next
		}
		o = next
	}
	o[keys[len(keys)-1]] = value
}

// merge deep-merges extra into o: objects merge key by key, anything else
// replaces.
func merge(o, extra object) {
	for k, v := range extra {
		if sub, ok := v.(map[string]any); ok {
			if dst, ok := o[k].(object); ok {
				merge(dst, sub)
				continue
			}
		}
		o[k] = v
	}
}
