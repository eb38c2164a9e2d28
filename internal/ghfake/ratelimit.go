package ghfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Limit is a kind of rate-limit answer RateLimit can inject.
type Limit int

// The injectable rate-limit answers. Bodies and headers come from
// testdata/github/rest/errors; the primary kinds get x-ratelimit-reset =
// the fake clock + the primary wait (SetPrimaryWait, default 30 s).
const (
	// Primary403 is the quota exhausted, answered 403 with
	// x-ratelimit-remaining: 0 (rate-limit-primary.403.json).
	Primary403 Limit = iota + 1
	// Primary429 is the same answered 429 (rate-limit-primary.429.json),
	// which go-github v60 does not recognise.
	Primary429
	// Secondary403 is a secondary limit without Retry-After
	// (rate-limit-secondary-no-retry-after.403.json).
	Secondary403
	// Secondary403RetryAfter is a secondary limit with Retry-After
	// (rate-limit-secondary-retry-after.403.json; the wait is 123 s unless
	// SetRetryAfter changes it).
	Secondary403RetryAfter
	// Secondary429 is a secondary limit answered 429 without Retry-After
	// (the secondary body with status 429).
	Secondary429
)

// String names the kind.
func (l Limit) String() string {
	switch l {
	case Primary403:
		return "primary-403"
	case Primary429:
		return "primary-429"
	case Secondary403:
		return "secondary-403"
	case Secondary403RetryAfter:
		return "secondary-403-retry-after"
	case Secondary429:
		return "secondary-429"
	}
	return fmt.Sprintf("Limit(%d)", int(l))
}

// quota is the primary rate limit the fake keeps.
type quota struct {
	limit, remaining int
	reset            time.Time
	exhausted        int // status when remaining is 0: 403 or 429

	primaryWait time.Duration // reset of injected primary answers, from now
	retryAfter  int           // seconds; 0 = the fixture's value
}

// SetQuota sets the primary quota: limit requests per window, remaining
// left, resetting resetIn from now on the fake clock (then remaining goes
// back to limit, for another hour).
func (s *Server) SetQuota(limit, remaining int, resetIn time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota.limit, s.quota.remaining, s.quota.reset = limit, remaining, s.clock.Now().Add(resetIn)
}

// SetExhaustedStatus sets the status of answers to requests made while the
// quota is used up: http.StatusForbidden (default) or
// http.StatusTooManyRequests.
func (s *Server) SetExhaustedStatus(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota.exhausted = status
}

// SetPrimaryWait sets how far after the fake clock's now the injected
// primary answers put x-ratelimit-reset (default 30 s).
func (s *Server) SetPrimaryWait(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota.primaryWait = d
}

// SetRetryAfter sets the Retry-After seconds of injected
// Secondary403RetryAfter answers (default: the fixture's 123).
func (s *Server) SetRetryAfter(seconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota.retryAfter = seconds
}

// RateLimit makes the next times requests (any route but /rate_limit) get
// the rate-limit answer kind. Calls queue up in order.
func (s *Server) RateLimit(kind Limit, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range times {
		s.faults = append(s.faults, kind)
	}
}

// refreshQuota starts a new window once the clock passed the reset.
func (s *Server) refreshQuota() {
	if now := s.clock.Now(); !now.Before(s.quota.reset) {
		s.quota.remaining = s.quota.limit
		s.quota.reset = now.Add(time.Hour)
	}
}

// rateHeaders sets GitHub's x-ratelimit-* headers from the quota.
func (s *Server) rateHeaders(h http.Header) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.quota.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(s.quota.remaining, 0)))
	h.Set("X-RateLimit-Used", strconv.Itoa(s.quota.limit-max(s.quota.remaining, 0)))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(s.quota.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
}

// limited answers the request with an injected fault or, when the quota is
// used up, with a primary limit; false when the request may proceed.
func (s *Server) limited(w http.ResponseWriter) bool {
	s.refreshQuota()
	if len(s.faults) > 0 {
		kind := s.faults[0]
		s.faults = s.faults[1:]
		s.writeLimit(w, kind)
		return true
	}
	if s.quota.remaining <= 0 {
		kind := Primary403
		if s.quota.exhausted == http.StatusTooManyRequests {
			kind = Primary429
		}
		s.writeLimit(w, kind)
		return true
	}
	return false
}

// writeLimit writes one rate-limit answer from its fixture.
func (s *Server) writeLimit(w http.ResponseWriter, kind Limit) {
	var e errorFixture
	switch kind {
	case Primary403:
		e = s.errorFixture(fxErrPrimary403)
	case Primary429:
		e = s.errorFixture(fxErrPrimary429)
	case Secondary403, Secondary429:
		e = s.errorFixture(fxErrSecondary)
		if kind == Secondary429 {
			e.Status = http.StatusTooManyRequests
		}
	case Secondary403RetryAfter:
		e = s.errorFixture(fxErrSecondaryWait)
		if s.quota.retryAfter > 0 {
			e.Headers["Retry-After"] = strconv.Itoa(s.quota.retryAfter)
		}
	default:
		s.t.Errorf("ghfake: unknown rate-limit kind %v", kind)
		e = s.errorFixture(fxErrSecondary)
	}
	h := w.Header()
	for k, v := range e.Headers {
		h.Set(k, v)
	}
	switch kind {
	case Primary403, Primary429:
		wait := s.quota.primaryWait
		if wait == 0 {
			wait = 30 * time.Second
		}
		if s.quota.remaining <= 0 && s.quota.reset.After(s.clock.Now()) {
			wait = s.quota.reset.Sub(s.clock.Now())
		}
		// The fixture's reset (2013) is replaced by a real one.
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(s.clock.Now().Add(wait).Unix(), 10))
		h.Set("X-RateLimit-Resource", "core")
	default:
		// Secondary answers carry the (not exhausted) primary figures too.
		s.rateHeaders(h)
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(e.Body)
}

// serveRateLimit answers GET /rate_limit, which costs no quota and is
// never limited.
func (s *Server) serveRateLimit(w http.ResponseWriter) {
	s.refreshQuota()
	core := object{
		"limit":     s.quota.limit,
		"remaining": max(s.quota.remaining, 0),
		"reset":     s.quota.reset.Unix(),
		"used":      s.quota.limit - max(s.quota.remaining, 0),
		"resource":  "core",
	}
	search := object{"limit": 30, "remaining": 30, "reset": s.clock.Now().Add(time.Minute).Unix(), "used": 0, "resource": "search"}
	s.rateHeaders(w.Header())
	body, _ := json.Marshal(object{"resources": object{"core": core, "search": search}, "rate": core})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
