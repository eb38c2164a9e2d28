package ghapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"
)

// Defaults of the options.
const (
	// DefaultAPIURL is used when New gets an empty apiURL.
	DefaultAPIURL = "https://api.github.com"
	// DefaultMaxRetries is how many times one request is retried.
	DefaultMaxRetries = 4
	// DefaultMaxWait is the most a Client sleeps for rate limits in its
	// whole life.
	DefaultMaxWait = 2 * time.Minute
	// DefaultTimeout bounds each HTTP request when New builds the HTTP
	// client itself.
	DefaultTimeout = 30 * time.Second
	// perPage is the page size of every list (GitHub's maximum).
	perPage = 100
	// maxPages stops a list that keeps announcing a next page.
	maxPages = 1000
)

// UserAgent is sent with every request.
const UserAgent = "tokenyield (+https://github.com/tokenyield/tokenyield)"

// Client reads pull requests, commits, reviews and notes from GitHub's REST
// API and writes the report comment. It is safe for concurrent use, but the
// Action calls it serially, as GitHub asks of integrations.
type Client struct {
	gh *github.Client
	p  *policy

	warn func(string)

	mu    sync.Mutex
	prs   map[prKey]*github.PullRequest
	quota Quota // as the last answer with rate-limit headers stated it
}

// Quota is GitHub's primary ("core") rate limit as an answer's
// x-ratelimit-* headers state it.
type Quota struct {
	// Limit is the requests allowed per window (5,000 an hour for a
	// personal token, 1,000 per repository for an Action's GITHUB_TOKEN).
	Limit int
	// Remaining is what is left of the window.
	Remaining int
	// Reset is when the window starts again.
	Reset time.Time
}

// Quota returns the primary rate limit as GitHub's latest answer stated
// it; ok is false before any answer carried it.
func (c *Client) Quota() (q Quota, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.quota, c.quota.Limit > 0
}

// noteQuota records the rate-limit headers of an answer.
func (c *Client) noteQuota(resp *github.Response) {
	if resp == nil || resp.Rate.Limit <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.quota = Quota{Limit: resp.Rate.Limit, Remaining: resp.Rate.Remaining, Reset: resp.Rate.Reset.Time}
}

type prKey struct {
	owner, repo string
	number      int
}

// Option configures New.
type Option func(*settings)

type settings struct {
	httpClient *http.Client
	sleep      func(context.Context, time.Duration) error
	now        func() time.Time
	maxRetries int
	maxWait    time.Duration
	warn       func(string)
}

// WithHTTPClient makes the Client send its requests through hc (its
// Transport, timeout and redirect policy; hc itself is not modified).
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) { s.httpClient = hc }
}

// WithSleep replaces the function that waits between retries; tests pass
// one that records the duration and returns at once.
func WithSleep(sleep func(context.Context, time.Duration) error) Option {
	return func(s *settings) { s.sleep = sleep }
}

// WithClock replaces time.Now in the computation of waits (until a primary
// limit's reset, until a Retry-After date).
func WithClock(now func() time.Time) Option {
	return func(s *settings) { s.now = now }
}

// WithMaxRetries sets how many times one request is retried after a rate
// limit or server error (0: never).
func WithMaxRetries(n int) Option {
	return func(s *settings) { s.maxRetries = max(n, 0) }
}

// WithMaxWait sets the most the Client sleeps for rate limits over its
// whole life.
func WithMaxWait(d time.Duration) Option {
	return func(s *settings) { s.maxWait = max(d, 0) }
}

// WithWarnings receives problems that do not fail a call, such as a note
// blob skipped for its size by Notes.
func WithWarnings(warn func(message string)) Option {
	return func(s *settings) { s.warn = warn }
}

// New returns a Client for the REST API at apiURL (GITHUB_API_URL:
// "https://api.github.com", or "https://HOST/api/v3" on GitHub Enterprise
// Server; "" means DefaultAPIURL; a trailing slash is optional) that
// authenticates with token ("" sends no Authorization header).
func New(apiURL, token string, opts ...Option) (*Client, error) {
	s := settings{
		sleep:      sleepContext,
		now:        time.Now,
		maxRetries: DefaultMaxRetries,
		maxWait:    DefaultMaxWait,
		warn:       func(string) {},
	}
	for _, o := range opts {
		o(&s)
	}
	base, err := baseURL(apiURL)
	if err != nil {
		return nil, err
	}
	p := &policy{sleep: s.sleep, now: s.now, maxRetries: s.maxRetries, maxWait: s.maxWait}

	var hc http.Client
	if s.httpClient != nil {
		hc = *s.httpClient
	} else {
		hc.Timeout = DefaultTimeout
	}
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	hc.Transport = &transport{base: rt, p: p}

	gh := github.NewClient(&hc)
	if token != "" {
		gh = gh.WithAuthToken(token)
	}
	gh.BaseURL = base
	gh.UserAgent = UserAgent
	return &Client{gh: gh, p: p, warn: s.warn, prs: map[prKey]*github.PullRequest{}}, nil
}

// baseURL parses GITHUB_API_URL into go-github's BaseURL, which must end
// with a slash.
func baseURL(apiURL string) (*url.URL, error) {
	apiURL = strings.TrimSpace(apiURL)
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	if err != nil {
		return nil, fmt.Errorf("ghapi: GitHub API URL %q: %w", apiURL, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("ghapi: GitHub API URL %q: want http(s)://host[/path]", apiURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("ghapi: GitHub API URL %q: must not have a query or fragment", apiURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if u.RawPath != "" && !strings.HasSuffix(u.RawPath, "/") {
		u.RawPath += "/"
	}
	return u, nil
}

// BaseURL returns the API root the Client sends requests to, with its
// trailing slash.
func (c *Client) BaseURL() string { return c.gh.BaseURL.String() }

// GitHub returns the underlying go-github client, for calls this package
// does not wrap. Its requests go through the same retrying transport, but
// go-github's own rate-limit short-circuit is not handled for them.
func (c *Client) GitHub() *github.Client { return c.gh }

// call runs one go-github call (fn, which must use the context it is given)
// and classifies its error as operation op. When go-github v60 refused the
// call from memory (a rate limit it saw earlier, no request sent) and the
// wait until the limit lifts fits in the budget, call waits, refreshes
// go-github's view of the quota with GET /rate_limit and tries again.
func (c *Client) call(ctx context.Context, op string, fn func(context.Context) (*github.Response, error)) error {
	for attempt := 0; ; attempt++ {
		cctx, hit := withNetworkFlag(ctx)
		resp, err := fn(cctx)
		if hit.Load() {
			c.noteQuota(resp)
		}
		if err == nil {
			return nil
		}
		fromMemory := !hit.Load() && IsRateLimited(err)
		if fromMemory && attempt < c.p.maxRetries {
			wait, primary := c.shortCircuitWait(err)
			if c.p.take(wait) {
				if serr := c.p.sleep(ctx, wait); serr != nil {
					return &opError{op: op, err: fmt.Errorf("waiting %s for the rate limit: %w", wait, serr)}
				}
				if primary {
					// /rate_limit costs nothing and resets go-github's record of the quota.
					_, _, _ = c.gh.RateLimit.Get(ctx)
				}
				continue
			}
		}
		return classifyError(op, err, c.p, fromMemory)
	}
}

// shortCircuitWait is how long to wait before retrying a call go-github
// refused from memory, and whether the limit was the primary one.
func (c *Client) shortCircuitWait(err error) (time.Duration, bool) {
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		return max(rl.Rate.Reset.Sub(c.p.now()), 0) + resetSlack, true
	}
	var ab *github.AbuseRateLimitError
	if errors.As(err, &ab) && ab.RetryAfter != nil {
		return max(*ab.RetryAfter, 0), false
	}
	return secondaryBackoff, false
}

// collect gathers every page of a list (per_page=100, following Link
// rel="next"). list must use the context and options it is given.
func collect[T any](ctx context.Context, c *Client, op string, list func(context.Context, *github.ListOptions) ([]T, *github.Response, error)) ([]T, error) {
	var all []T
	opt := &github.ListOptions{PerPage: perPage}
	for pages := 1; ; pages++ {
		var items []T
		var resp *github.Response
		page := opt.Page
		err := c.call(ctx, op, func(ctx context.Context) (*github.Response, error) {
			var err error
			items, resp, err = list(ctx, opt)
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if resp == nil || resp.NextPage == 0 || resp.NextPage <= page {
			return all, nil
		}
		if pages >= maxPages {
			return nil, &opError{op: op, err: fmt.Errorf("more than %d pages: giving up", maxPages)}
		}
		opt.Page = resp.NextPage
	}
}

func repoName(owner, repo string) string { return owner + "/" + repo }

func prName(owner, repo string, n int) string { return fmt.Sprintf("%s/%s#%d", owner, repo, n) }
