package ghapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Retry timing (see the package documentation).
const (
	// secondaryBackoff is the first wait for a secondary limit that names no
	// wait of its own ("wait for at least one minute", GitHub's docs); it
	// doubles on each further retry.
	secondaryBackoff = time.Minute
	// resetSlack is added to a primary limit's reset time, which GitHub
	// rounds down to the second.
	resetSlack = time.Second
	// serverBackoff is the first wait after a 502/503/504 on a GET.
	serverBackoff = time.Second
	// maxErrorBody bounds how much of a 403/429 body is read to classify it.
	maxErrorBody = 1 << 20
)

// policy is the retry state shared by the transport and the Client: how to
// sleep and tell the time, how many retries a call may make, and the total
// wait budget with what has been spent of it.
type policy struct {
	sleep      func(context.Context, time.Duration) error
	now        func() time.Time
	maxRetries int

	mu      sync.Mutex
	maxWait time.Duration
	slept   time.Duration
}

// take reserves d of the wait budget; false (and nothing reserved) when d
// does not fit in what is left.
func (p *policy) take(d time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d < 0 || p.slept+d > p.maxWait {
		return false
	}
	p.slept += d
	return true
}

// waited returns the budget spent so far and the whole budget.
func (p *policy) waited() (spent, budget time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.slept, p.maxWait
}

// sleepContext waits for d or until ctx ends; the default sleep.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// networkKey marks a call's context with a flag the transport sets, so the
// Client can tell a call that reached the network from one go-github
// refused from memory.
type networkKey struct{}

func withNetworkFlag(ctx context.Context) (context.Context, *atomic.Bool) {
	hit := new(atomic.Bool)
	return context.WithValue(ctx, networkKey{}, hit), hit
}

// transport retries rate-limited (403/429) requests and, for GETs, 502/503/504
// answers, sleeping through policy. A response it does not retry, or the
// last one when retries or budget run out, is returned unchanged.
type transport struct {
	base http.RoundTripper
	p    *policy
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if hit, ok := req.Context().Value(networkKey{}).(*atomic.Bool); ok {
		hit.Store(true)
	}
	var st backoffs
	for attempt := 0; ; attempt++ {
		try := req
		if attempt > 0 {
			var err error
			if try, err = rewind(req); err != nil {
				return nil, err
			}
		}
		resp, err := t.base.RoundTrip(try)
		if err != nil {
			return nil, err
		}
		if attempt >= t.p.maxRetries || !rewindable(req) {
			return resp, nil
		}
		wait, retry := t.retryWait(resp, req.Method, &st)
		if !retry || !t.p.take(wait) {
			return resp, nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
		if err := t.p.sleep(req.Context(), wait); err != nil {
			return nil, fmt.Errorf("waiting %s to retry %s %s: %w", wait, req.Method, req.URL.Path, err)
		}
	}
}

// backoffs counts, for one request, the waits that grow exponentially:
// secondary limits that named no wait, and server errors.
type backoffs struct {
	secondary, server int
}

// retryWait decides whether resp is worth retrying and after how long,
// counting exponential backoffs in st. It reads and restores the body of
// 403 and 429 answers to recognise secondary limits.
func (t *transport) retryWait(resp *http.Response, method string, st *backoffs) (time.Duration, bool) {
	switch resp.StatusCode {
	case http.StatusForbidden, http.StatusTooManyRequests:
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(data))
		if err != nil {
			return 0, false
		}
		var body struct {
			Message          string `json:"message"`
			DocumentationURL string `json:"documentation_url"`
		}
		_ = json.Unmarshal(data, &body) // a body that is not JSON classifies by headers alone
		lim, ok := classifyLimit(resp.StatusCode, resp.Header, body.Message, body.DocumentationURL, t.p.now(), st.secondary)
		if ok && lim.backoff {
			st.secondary++
		}
		return lim.wait, ok
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if method == http.MethodGet || method == http.MethodHead {
			st.server++
			return serverBackoff << min(st.server-1, 10), true
		}
	}
	return 0, false
}

// limit is a recognised rate-limit answer: which limit, how long to wait
// before the next attempt (backoff: a wait of our choosing, GitHub named
// none), and the primary reset time when known.
type limit struct {
	kind    LimitKind
	wait    time.Duration
	backoff bool
	reset   time.Time
}

// classifyLimit applies GitHub's documented retry rules to a 403 or 429
// answer (see the package documentation); backoffs (from 0) is how many
// backoff waits this request already had, which doubles the next. ok is
// false when the answer is not a rate limit.
func classifyLimit(status int, h http.Header, message, docURL string, now time.Time, backoffs int) (limit, bool) {
	if status != http.StatusForbidden && status != http.StatusTooManyRequests {
		return limit{}, false
	}
	var lim limit
	primary := h.Get("X-RateLimit-Remaining") == "0"
	if primary {
		lim.kind = Primary
		if s, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil && s > 0 {
			lim.reset = time.Unix(s, 0)
		}
	}
	if d, ok := retryAfter(h.Get("Retry-After"), now); ok {
		if !primary {
			lim.kind = Secondary
		}
		lim.wait = d
		return lim, true
	}
	if primary && !lim.reset.IsZero() {
		lim.wait = max(lim.reset.Sub(now), 0) + resetSlack
		return lim, true
	}
	if primary || status == http.StatusTooManyRequests || secondaryText(message, docURL) {
		if !primary {
			lim.kind = Secondary
		}
		lim.wait, lim.backoff = secondaryBackoff<<min(backoffs, 10), true
		return lim, true
	}
	return limit{}, false
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// secondaryText recognises a secondary-limit 403 by its body: the
// documentation link go-github v60 also uses, or the wording of the
// message ("You have exceeded a secondary rate limit", "abuse detection
// mechanism").
func secondaryText(message, docURL string) bool {
	if strings.HasSuffix(docURL, "#abuse-rate-limits") || strings.HasSuffix(docURL, "secondary-rate-limits") {
		return true
	}
	m := strings.ToLower(message)
	return strings.Contains(m, "secondary rate limit") || strings.Contains(m, "abuse detection")
}

// rewindable reports whether req can be sent again: no body, or a body
// that GetBody can recreate (go-github's JSON bodies can).
func rewindable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// rewind returns a copy of req with a fresh body for another attempt.
func rewind(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("rewind body of %s %s: %w", req.Method, req.URL.Path, err)
		}
		r.Body = body
	}
	return r, nil
}
