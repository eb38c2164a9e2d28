// Package ghapi is the GitHub REST client of the Action and of `tokenyield
// pr`: a thin wrapper over github.com/google/go-github/v60 that fetches
// everything a pull-request report needs, keeps one sticky comment, reads
// usage notes without a checkout, and survives GitHub's rate limits.
//
// # Pagination
//
// Every list asks for per_page=100 and follows the Link header
// (Response.NextPage) until there is no rel="next". GitHub caps two lists:
// a pull request's commits at MaxPRCommits (250) and its files at
// MaxPRFiles (3000). PRCommits and PRFiles compare what they got with the
// counts on the pull request itself (commits, changed_files) and return
// complete=false when the list was cut, so the report can say which figures
// are partial; the full lists then come from git.
//
// # Rate limits
//
// GitHub answers an exhausted quota with 403 or 429 and these headers; the
// client follows GitHub's documented rules, in this order:
//
//   - retry-after present: wait that many seconds (secondary limit, or any
//     limited response that names its own wait);
//   - x-ratelimit-remaining: 0: wait until x-ratelimit-reset, plus one
//     second because the reset is rounded down to the second (primary
//     limit);
//   - otherwise, a 429, or a 403 whose body names the secondary or abuse
//     rate limit: wait 60 s, then twice as long on each further retry.
//
// A 403 that is none of these (for example "Resource not accessible by
// integration") is not a rate limit and is returned at once. GET requests
// that fail with 502, 503 or 504 are retried after 1 s, then 2 s, 4 s, ...
// A rate-limited write is retried too (GitHub did not perform it), with its
// body re-sent.
//
// The waits happen in an http.RoundTripper under go-github, so go-github
// only sees the final answer. Two go-github v60 quirks are handled above
// it: v60 does not recognise 429 at all (it becomes a plain
// *github.ErrorResponse, which this package classifies itself), and once
// v60 has seen x-ratelimit-remaining: 0 it answers every later call with a
// fabricated 403 *github.RateLimitError without touching the network until
// the reset time. A call that was refused that way (detected because no
// request reached the transport) waits until the reset, asks GET /rate_limit
// (free of charge, and it refreshes go-github's memory of the quota, which
// also covers a local clock that runs behind GitHub's), and tries again.
//
// Waiting is bounded twice: at most DefaultMaxRetries retries per request
// (WithMaxRetries) and at most DefaultMaxWait of sleeping over the client's
// whole life (WithMaxWait), so an Action run never stalls for long. A wait
// that does not fit in what is left of the budget is not started: the call
// fails at once with a *RateLimitError saying when the limit resets.
// Tests replace the sleep (WithSleep) and the clock (WithClock): nothing in
// the tests really sleeps.
//
// After a secondary limit the client gave up on, go-github v60 refuses
// further calls from memory until what it believes is the end of the limit;
// without Retry-After it takes the primary quota's x-ratelimit-reset for
// that, which can be up to an hour away. Such calls fail at once with a
// *RateLimitError (Status 0) rather than wait.
//
// # Errors
//
// Every error names the operation and the repository and wraps the
// go-github error (errors.As with *github.ErrorResponse still works), plus
// one of the sentinels when it applies: ErrNotFound (404), ErrReadOnly (403
// "Resource not accessible by ..." on a write: the GITHUB_TOKEN of a pull
// request from a fork is read-only), ErrBodyTooLong (a comment over
// MaxCommentChars, refused before sending or by GitHub's 422) and
// ErrRateLimited (with a *RateLimitError).
//
// # Sticky comment
//
// UpsertComment keeps one report comment per pull request, found by a hidden
// marker at the start of a line of its body. Two runs that raced may both
// have created one; the next run edits the oldest (by creation time, then
// id) and deletes the others, so the pull request heals to one comment. An
// unchanged body is not re-sent.
//
// # Notes through the Git Data API
//
// Notes reads a notes ref without a checkout: the ref gives a commit, the
// commit a tree, the tree (fetched recursively) the note blobs, which are
// named by the annotated commit's id either flat ("<sha>") or under fan-out
// directories ("ab/cdef…", any depth). A recursive tree that GitHub
// truncated is completed by walking only the fan-out subtrees of the wanted
// commits. A missing ref (404, or 409 for an empty repository) means no
// notes. Blobs larger than attribution.MaxNoteBytes are skipped from the
// size in the tree, without downloading them, and reported (ReadNotes'
// Skipped, or the WithWarnings function for Notes).
package ghapi
