package ghapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// Sentinels that errors returned by Client wrap; test them with errors.Is.
var (
	// ErrNotFound: GitHub answered 404 (no such pull request, commit, ...;
	// also what a token without access to a private repository sees).
	ErrNotFound = errors.New("not found on GitHub")
	// ErrReadOnly: a write was refused with 403 "Resource not accessible by
	// integration" (or "... by personal access token"). The GITHUB_TOKEN of
	// a pull request from a fork is always read-only; elsewhere the workflow
	// lacks `pull-requests: write`.
	ErrReadOnly = errors.New("the GitHub token may not write here (read-only token: fork pull request or missing `pull-requests: write` permission)")
	// ErrBodyTooLong: a comment body over MaxCommentChars characters, refused
	// by the client before sending or by GitHub with 422 "Body is too long".
	ErrBodyTooLong = errors.New("comment body is too long for GitHub")
	// ErrRateLimited: GitHub's rate limit stopped the call; the error chain
	// holds a *RateLimitError with the details.
	ErrRateLimited = errors.New("GitHub API rate limit")
	// ErrUnprocessable: GitHub answered 422 for another reason than a long
	// body (for the pull requests of a commit: "No commit found for SHA",
	// a commit not pushed).
	ErrUnprocessable = errors.New("GitHub could not process the request")
	// ErrServer: GitHub answered 5xx after the client's retries; a later
	// call may work.
	ErrServer = errors.New("GitHub server error")
)

// IsReadOnly reports whether err says the token may not write: it wraps
// ErrReadOnly, or it is go-github's 403 "Resource not accessible by ..."
// answer to a POST, PATCH, PUT or DELETE.
func IsReadOnly(err error) bool {
	if errors.Is(err, ErrReadOnly) {
		return true
	}
	var er *github.ErrorResponse
	return errors.As(err, &er) && readOnly(er)
}

// IsBodyTooLong reports whether err says a comment body was too long.
func IsBodyTooLong(err error) bool {
	if errors.Is(err, ErrBodyTooLong) {
		return true
	}
	var er *github.ErrorResponse
	return errors.As(err, &er) && bodyTooLong(er)
}

// IsRateLimited reports whether err is a rate-limit failure, ours or one of
// go-github's types.
func IsRateLimited(err error) bool {
	if errors.Is(err, ErrRateLimited) {
		return true
	}
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	return errors.As(err, &rl) || errors.As(err, &ab)
}

// LimitKind tells GitHub's two rate limits apart.
type LimitKind int

// The rate limits.
const (
	// Primary is the hourly request quota (x-ratelimit-remaining: 0).
	Primary LimitKind = iota + 1
	// Secondary is GitHub's abuse protection (too many requests at once or
	// per minute, or too many content-creating requests).
	Secondary
)

// String returns "primary" or "secondary".
func (k LimitKind) String() string {
	switch k {
	case Primary:
		return "primary"
	case Secondary:
		return "secondary"
	}
	return fmt.Sprintf("LimitKind(%d)", int(k))
}

// RateLimitError is a call that a rate limit stopped after the client
// waited as long as its budget allowed.
type RateLimitError struct {
	// Kind is Primary or Secondary.
	Kind LimitKind
	// Status is GitHub's status code (403 or 429), or 0 when go-github v60
	// refused the call from memory without asking GitHub.
	Status int
	// Reset is when the primary quota resets (zero when unknown).
	Reset time.Time
	// RetryAfter is the wait GitHub asked for (Retry-After), zero when it
	// named none.
	RetryAfter time.Duration
	// Waited is how long the client had slept for rate limits in total,
	// and Budget the most it may (WithMaxWait).
	Waited, Budget time.Duration
	// Err is the underlying go-github error.
	Err error
}

// Error says which limit, when it lifts and why the client stopped waiting.
func (e *RateLimitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "GitHub API %s rate limit", e.Kind)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	} else {
		b.WriteString(" (refused by the client until the reset, no request sent)")
	}
	switch {
	case !e.Reset.IsZero():
		fmt.Fprintf(&b, "; the limit resets at %s", e.Reset.UTC().Format(time.RFC3339))
	case e.RetryAfter > 0:
		fmt.Fprintf(&b, "; GitHub asks to retry after %s", e.RetryAfter)
	default:
		b.WriteString("; GitHub named no wait (retry in a minute or more)")
	}
	fmt.Fprintf(&b, "; gave up after waiting %s of the %s budget", e.Waited, e.Budget)
	return b.String()
}

// Unwrap returns ErrRateLimited and the go-github error.
func (e *RateLimitError) Unwrap() []error { return []error{ErrRateLimited, e.Err} }

// opError is an error of one Client operation: which operation and
// repository (op), the sentinel that classifies it (kind, may be nil) and
// the underlying error.
type opError struct {
	op   string
	kind error
	err  error
}

func (e *opError) Error() string {
	if e.kind == nil || errors.Is(e.err, e.kind) {
		return "ghapi: " + e.op + ": " + e.err.Error()
	}
	return "ghapi: " + e.op + ": " + e.kind.Error() + ": " + e.err.Error()
}

func (e *opError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err}
	}
	return []error{e.kind, e.err}
}

// classifyError wraps err, the result of operation op, with the sentinel
// that applies. p supplies the clock and the wait budget for rate limits;
// fromMemory says go-github refused the call without sending it.
func classifyError(op string, err error, p *policy, fromMemory bool) error {
	if lim := asRateLimit(err, p, fromMemory); lim != nil {
		return &opError{op: op, err: lim}
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		switch {
		case readOnly(er):
			return &opError{op: op, kind: ErrReadOnly, err: err}
		case bodyTooLong(er):
			return &opError{op: op, kind: ErrBodyTooLong, err: err}
		case er.Response.StatusCode == http.StatusNotFound:
			return &opError{op: op, kind: ErrNotFound, err: err}
		case er.Response.StatusCode == http.StatusUnprocessableEntity:
			return &opError{op: op, kind: ErrUnprocessable, err: err}
		case er.Response.StatusCode >= http.StatusInternalServerError:
			return &opError{op: op, kind: ErrServer, err: err}
		}
	}
	return &opError{op: op, err: err}
}

// asRateLimit turns any of go-github's ways of reporting a rate limit (its
// two typed errors, or a plain ErrorResponse for 429 and for limits its
// CheckResponse does not know) into a *RateLimitError; nil if err is not a
// rate limit.
func asRateLimit(err error, p *policy, fromMemory bool) *RateLimitError {
	out := &RateLimitError{Err: err}
	out.Waited, out.Budget = p.waited()
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	var er *github.ErrorResponse
	switch {
	case errors.As(err, &rl):
		out.Kind = Primary
		out.Reset = rl.Rate.Reset.Time
		if rl.Response != nil && !fromMemory {
			out.Status = rl.Response.StatusCode
		}
	case errors.As(err, &ab):
		out.Kind = Secondary
		switch {
		case fromMemory && ab.RetryAfter != nil:
			out.RetryAfter = *ab.RetryAfter
		case ab.Response != nil:
			// Not ab.RetryAfter: without Retry-After, go-github v60 takes the
			// primary quota's x-ratelimit-reset, up to an hour away.
			out.Status = ab.Response.StatusCode
			out.RetryAfter, _ = retryAfter(ab.Response.Header.Get("Retry-After"), p.now())
		}
	case errors.As(err, &er) && er.Response != nil:
		lim, ok := classifyLimit(er.Response.StatusCode, er.Response.Header, er.Message, er.DocumentationURL, p.now(), 0)
		if !ok {
			return nil
		}
		out.Kind, out.Status, out.Reset = lim.kind, er.Response.StatusCode, lim.reset
		out.RetryAfter, _ = retryAfter(er.Response.Header.Get("Retry-After"), p.now())
	default:
		return nil
	}
	return out
}

// readOnly: 403 "Resource not accessible by integration" (GITHUB_TOKEN) or
// "... by personal access token" (fine-grained PAT) on a write.
func readOnly(er *github.ErrorResponse) bool {
	if er.Response == nil || er.Response.StatusCode != http.StatusForbidden {
		return false
	}
	if !strings.Contains(strings.ToLower(er.Message), "resource not accessible by") {
		return false
	}
	req := er.Response.Request
	return req == nil || isWrite(req.Method)
}

// bodyTooLong: 422 whose message or errors say "too long" (GitHub's text is
// "Body is too long (maximum is 65536 characters)").
func bodyTooLong(er *github.ErrorResponse) bool {
	if er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	if strings.Contains(strings.ToLower(er.Message), "too long") {
		return true
	}
	for _, e := range er.Errors {
		if strings.Contains(strings.ToLower(e.Message), "too long") {
			return true
		}
	}
	return false
}

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}
