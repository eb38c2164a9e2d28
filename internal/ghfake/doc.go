// Package ghfake is an in-process fake of GitHub's REST API for tests: an
// httptest server that holds repositories, pull requests, comments and git
// objects in memory and answers the requests internal/ghapi (through
// go-github v60) makes, the way GitHub does.
//
// It is a normal package so that tests in other packages (the Action's end
// to end test) can use it, but nothing outside tests may import it.
//
// # Responses
//
// Every body is built from GitHub's own examples (testdata/github/rest/*.json
// at the repository root, from github/rest-api-description; see
// testdata/github/SOURCES.md) with the fields a test sets replaced; the
// example's URLs are rewritten to the fake's address and repository.
// Rate-limit, read-only, body-too-long and not-found answers use the status,
// headers and bodies of testdata/github/rest/errors/. GET /rate_limit is
// authored here in GitHub's documented shape (resources.core, rate).
//
// # Behaviours
//
//   - Pagination: per_page defaults to 30 and is capped at 100; page counts
//     from 1; a Link header carries rel="next", "last", "first" and "prev"
//     as GitHub's does; a page past the end is an empty array.
//   - Caps: a pull request's commits list stops at MaxPRCommits (250) and
//     its files list at MaxPRFiles (3000), while the pull request itself
//     reports the true counts.
//   - Rate limits: every answer carries x-ratelimit-* headers from a quota
//     (SetQuota); when the quota is used up, requests get 403 (or 429, see
//     SetExhaustedStatus) until the fake Clock passes the reset. RateLimit
//     injects the next answers: primary 403 or 429, secondary 403 with or
//     without Retry-After, secondary 429.
//   - Writes: ReadOnly makes every POST, PATCH, PUT and DELETE a 403
//     "Resource not accessible by integration"; a comment body over
//     MaxCommentChars characters (SetMaxCommentChars) is a 422 "Body is too
//     long".
//   - Strictness: a request that matches no route, names an object the test
//     did not create, lacks the expected token (RequireToken) or has a
//     malformed body fails the test (t.Errorf with method and path) and gets
//     a 404, 401 or 422. A missing git ref is not an error: it is how a
//     repository without notes answers.
//
// # Time
//
// The fake has its own Clock, started at the real current time (go-github
// v60 compares rate-limit resets with time.Now, so the fake's reset times
// must be real ones). Clock.Sleep advances the clock instead of sleeping and
// records the duration: pass it to ghapi.WithSleep, and Clock.Now to
// ghapi.WithClock, and a test waits out a rate limit in no time.
//
// # Assertions
//
// Requests returns the log of requests (method, path, query, status), Count
// counts them, Comments returns the comments of an issue as they stand.
package ghfake
