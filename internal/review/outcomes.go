package review

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/numfmt"
	"github.com/tokenyield/tokenyield/internal/report"
)

// Review outcomes come from GitHub's REST API and are kept in a SQLite
// cache (outcomes_cache.go), so that a second run asks GitHub only about
// what can still change.
//
// Per pull request the first run costs two requests: GET /pulls/{n} (title,
// author, state, dates, merged, and the count of review comments) and GET
// /pulls/{n}/reviews (every page). The review comments are listed (a third
// request) only when the pull request lacks its review_comments count,
// which GitHub always sends: one request in three saved matters against the
// 5,000-requests-an-hour quota on a history of thousands of pull requests.
//
// A closed pull request (merged or not) is final: once cached it is never
// asked about again. An open one is fetched again on every run. A number
// GitHub answers 404 for (an issue, not a pull request, mentioned as "(#N)"
// in a subject) is cached as missing, but only when the same run or the
// cache proves that the token can read the repository's pull requests; else
// the 404 may be a token without access, which must not be remembered.
//
// Numbers are fetched newest (highest) first, so that a run stopped by a
// rate limit has the most recent pull requests, and every answer is written
// to the cache at once, so that the next run resumes where this one
// stopped. A run also stops, before GitHub would, once only a quarter of
// the hourly quota is left (quotaKeptShare): the rest belongs to the other
// jobs that share the token.

// CacheFileName is the cache's path relative to the git common directory.
const CacheFileName = "tokenyield/review-cache.db"

// Limits of fetching.
const (
	// maxConsecutiveFailures is how many pull requests in a row may fail
	// with a server error (5xx) before the run stops asking.
	maxConsecutiveFailures = 3
	// maxListedNumbers is how many pull request numbers a warning names.
	maxListedNumbers = 10
)

// quotaKeptShare is the share of GitHub's hourly quota (1/quotaKeptShare)
// the review leaves to other work: an Action's GITHUB_TOKEN has 1,000
// requests an hour per repository, shared with the pull request reports
// of the same repository, so a long review must not take them all. The
// review stops asking once no more than this is left; a later run resumes.
const quotaKeptShare = 4

// quotaKeptError says the review stopped to leave GitHub's quota to others.
type quotaKeptError struct{ q ghapi.Quota }

func (e quotaKeptError) Error() string {
	return fmt.Sprintf("reaching the quarter of its hourly quota kept for other jobs (%s of %s requests left until %s)",
		numfmt.Thousands(int64(e.q.Remaining)), numfmt.Thousands(int64(e.q.Limit)), e.q.Reset.UTC().Format("15:04 UTC"))
}

// quotaStop returns a quotaKeptError when the last answer of c left no
// more than the kept share of the quota, else nil.
func quotaStop(c *ghapi.Client) error {
	if q, ok := c.Quota(); ok && q.Remaining <= q.Limit/quotaKeptShare {
		return quotaKeptError{q}
	}
	return nil
}

// Pull request states as the REST API spells them, plus the cache's own.
const (
	pullOpen    = "open"
	pullClosed  = "closed"
	pullMissing = "missing" // 404: not a pull request of this repository
)

// PullInfo is what the API says of one pull request: its review outcome
// and the fields git cannot know.
type PullInfo struct {
	// Number is the pull request number.
	Number int
	// Title is the pull request's title (untrusted text).
	Title string
	// Author is the login of the pull request's author.
	Author string
	// State is "open" or "closed" (merged or not).
	State string
	// UpdatedAt is the pull request's updated_at when it was fetched.
	UpdatedAt time.Time
	// Outcome is the review outcome, summarised by report.SummarizeReviews.
	Outcome Outcome
}

// CachePath returns where the review outcomes cache of the clone g works in
// lives: <git common dir>/tokenyield/review-cache.db. The common directory
// is shared by every worktree of a clone, so they share one cache.
func CachePath(ctx context.Context, g *gitcli.Git) (string, error) {
	dir, err := g.CommonDir(ctx)
	if err != nil {
		return "", fmt.Errorf("review outcomes cache: %w", err)
	}
	return filepath.Join(dir, filepath.FromSlash(CacheFileName)), nil
}

// Outcomes returns the review outcomes of pull requests numbers of
// owner/repo: see Pulls, which it calls, for the cache, the requests, the
// warnings and the error.
func Outcomes(ctx context.Context, c *ghapi.Client, cachePath, owner, repo string, numbers []int, progress func(done, total int)) (map[int]*Outcome, []string, error) {
	pulls, warnings, err := Pulls(ctx, c, cachePath, owner, repo, numbers, progress)
	out := make(map[int]*Outcome, len(pulls))
	for n, p := range pulls {
		if p.State != pullMissing {
			out[n] = &p.Outcome
		}
	}
	return out, warnings, err
}

// Pulls returns what the API says of pull requests numbers of owner/repo,
// from the cache at cachePath where it is final (closed pull requests) and
// from GitHub through c otherwise, writing every answer to the cache.
//
// A number missing from the map is unknown: not found on GitHub, or not
// fetched because a failure stopped the run. Such failures are not errors:
// the review shows unknown outcomes as unknown, so they come back as
// warnings (one line each, starting "review outcomes:"), as do the cache's
// problems (an unreadable cache file is moved aside to
// <cachePath>.corrupt and rebuilt; a cache that cannot be written leaves
// the run uncached). Numbers below 1 and repeats are ignored.
//
// c may be nil (no token): then only cached entries are returned, open
// pull requests included, as last seen. cachePath may be "": nothing is
// cached.
//
// progress, when not nil, is called with the count of pull requests dealt
// with so far and their total, after the cache is read and after each
// pull request fetched.
//
// The error is the context's, when ctx ends; the map then holds what was
// fetched before (and the cache keeps it).
func Pulls(ctx context.Context, c *ghapi.Client, cachePath, owner, repo string, numbers []int, progress func(done, total int)) (map[int]*PullInfo, []string, error) {
	nums := outcomeNumbers(numbers)
	cache, cached, warnings := openRepoCache(ctx, c, cachePath, owner, repo, (*outcomeCache).loadPulls)
	defer cache.Close()

	f := &outcomeFetch{
		ctx: ctx, client: c, cache: cache, owner: owner, repo: repo,
		out: make(map[int]*PullInfo, len(nums)), stale: map[int]*PullInfo{}, warnings: warnings,
		total: len(nums), progress: progress,
	}
	// Any cached entry proves that the token could read the repository's
	// pull requests (missing ones are cached only on such proof).
	f.readable = len(cached) > 0
	var todo []int
	for _, n := range nums {
		e, ok := cached[n]
		switch {
		case ok && (c == nil || e.final()): // closed, or not a pull request
			f.out[n] = e
		case c == nil:
			f.uncached = append(f.uncached, n)
		default:
			if ok {
				f.stale[n] = e // open: asked again, kept in case that fails
			}
			todo = append(todo, n)
		}
	}
	f.done = f.total - len(todo) - len(f.uncached)
	f.report()
	err := f.fetchAll(todo)
	f.finish(err == nil)
	return f.out, f.warnings, err
}

// outcomeFetch is one run of Pulls.
type outcomeFetch struct {
	ctx         context.Context
	client      *ghapi.Client
	cache       *outcomeCache
	owner, repo string

	out      map[int]*PullInfo
	stale    map[int]*PullInfo // cached open pull requests, as last seen
	warnings []string
	// readable is true once a pull request of the repository was read
	// (now or in the cache): a 404 then means "no such pull request".
	readable bool
	notFound []int // 404s of this run
	failed   []int // server errors this run gave up on
	uncached []int // no client and not in the cache
	stopErr  error // the failure that stopped the run

	done, total int
	progress    func(done, total int)
}

// fetchAll fetches the pull requests todo (newest first), stopping at the
// first failure that would repeat for every other one.
func (f *outcomeFetch) fetchAll(todo []int) error {
	consecutive := 0
	for _, n := range todo {
		if err := f.ctx.Err(); err != nil {
			return err
		}
		if err := quotaStop(f.client); err != nil {
			f.stopErr = err
			return nil
		}
		info, err := fetchPull(f.ctx, f.client, f.owner, f.repo, n)
		switch {
		case err == nil:
			consecutive = 0
			f.readable = true
			f.out[n] = info
			f.store(n, info)
		case f.ctx.Err() != nil:
			return f.ctx.Err()
		case errors.Is(err, ghapi.ErrNotFound):
			consecutive = 0
			f.notFound = append(f.notFound, n)
		case errors.Is(err, ghapi.ErrServer) && consecutive+1 < maxConsecutiveFailures:
			consecutive++
			f.failed = append(f.failed, n)
		default:
			f.stopErr = err
			return nil
		}
		f.done++
		f.report()
	}
	return nil
}

// store writes one answer to the cache; the first failure disables the
// cache for the rest of the run.
func (f *outcomeFetch) store(n int, info *PullInfo) {
	if f.cache == nil {
		return
	}
	if err := f.cache.put(f.ctx, n, info); err != nil {
		f.warnings = append(f.warnings, outcomeWarning("cannot write the cache %s (%v); this run continues without it", f.cache.path, err))
		f.cache.Close()
		f.cache = nil
	}
}

// finish caches the 404s when the repository proved readable (and the
// run was not cancelled), falls back to the last seen state of the open
// pull requests that could not be asked about, and turns what went wrong
// into warnings.
func (f *outcomeFetch) finish(completed bool) {
	if f.readable && completed {
		for _, n := range f.notFound {
			missing := &PullInfo{Number: n, State: pullMissing}
			f.store(n, missing)
			f.out[n] = missing
		}
	}
	lastSeen := 0
	for n, p := range f.stale {
		if f.out[n] == nil {
			f.out[n] = p
			lastSeen++
		}
	}
	if len(f.notFound) > 0 {
		why := "not pull requests of this repository (issue numbers?); their commits count as direct"
		if !f.readable {
			why = "no pull request of this repository could be read: check that the token may read it; left unknown"
		}
		f.warnings = append(f.warnings, outcomeWarning("%s not found on GitHub: %s", outcomeNumberList(f.notFound), why))
	}
	if len(f.failed) > 0 {
		f.warnings = append(f.warnings, outcomeWarning("GitHub failed on %s (server errors); left unknown", outcomeNumberList(f.failed)))
	}
	if f.stopErr != nil {
		unknown := f.total - len(f.out)
		for _, n := range f.notFound {
			if f.out[n] == nil {
				unknown-- // said by the not-found warning
			}
		}
		seen := ""
		if lastSeen > 0 {
			seen = fmt.Sprintf(" (%d open, shown as last seen)", lastSeen)
		}
		f.warnings = append(f.warnings, outcomeWarning("stopped asking GitHub after %v; %d of %d pull requests left unknown%s; a later run resumes", f.stopErr, unknown, f.total, seen))
	}
	if len(f.uncached) > 0 {
		f.warnings = append(f.warnings, outcomeWarning("no GitHub token and no cached outcome for %d of %d pull requests; left unknown", len(f.uncached), f.total))
	}
	if f.done < f.total {
		f.done = f.total
		f.report()
	}
}

// report calls the progress function.
func (f *outcomeFetch) report() {
	if f.progress != nil {
		f.progress(f.done, f.total)
	}
}

// fetchPull asks GitHub for one pull request and its reviews.
func fetchPull(ctx context.Context, c *ghapi.Client, owner, repo string, n int) (*PullInfo, error) {
	pr, err := c.PullRequest(ctx, owner, repo, n)
	if err != nil {
		return nil, err
	}
	o, err := PullOutcome(ctx, c, owner, repo, n, pr)
	if err != nil {
		return nil, err
	}
	state := strings.ToLower(pr.GetState())
	if state != pullClosed {
		state = pullOpen
	}
	return &PullInfo{
		Number:    n,
		Title:     pr.GetTitle(),
		Author:    pr.GetUser().GetLogin(),
		State:     state,
		UpdatedAt: pr.GetUpdatedAt().UTC().Truncate(time.Second),
		Outcome:   o,
	}, nil
}

// PullOutcome is the review outcome of pull request n, whose GET /pulls/{n}
// answer is pr: its reviews (every page, one request each) summarised by
// report.SummarizeReviews, its review comments as pr counts them (listed
// only when GitHub left the count out), and its milestones in UTC to the
// second. The pull request report and the review both use it.
func PullOutcome(ctx context.Context, c *ghapi.Client, owner, repo string, n int, pr *github.PullRequest) (Outcome, error) {
	reviews, err := c.Reviews(ctx, owner, repo, n)
	if err != nil {
		return Outcome{}, err
	}
	events := make([]report.ReviewEvent, 0, len(reviews))
	for _, r := range reviews {
		events = append(events, report.ReviewEvent{
			Reviewer: r.GetUser().GetLogin(), State: r.GetState(),
			Submitted: r.GetSubmittedAt().Time, CommitID: r.GetCommitID(),
		})
	}
	o := report.SummarizeReviews(pr.GetUser().GetLogin(), events)
	if pr.ReviewComments != nil {
		o.ReviewComments = pr.GetReviewComments()
	} else {
		list, err := c.ReviewComments(ctx, owner, repo, n)
		if err != nil {
			return Outcome{}, err
		}
		o.ReviewComments = len(list)
	}
	o.Created = outcomeTime(pr.GetCreatedAt().Time)
	o.FirstReview = outcomeTimePtr(o.FirstReview)
	o.MergedAt = outcomeTime(pr.GetMergedAt().Time)
	o.Merged = pr.GetMerged() || o.MergedAt != nil
	return o, nil
}

// ApplyPulls attaches what the API said (Pulls) to the dataset's pull
// requests: Review, the title and the author's login replace what git
// knew. A number GitHub says is no pull request of the repository (an
// issue named "(#N)" in a directly pushed commit's subject) is not one:
// its commits move to the direct bucket, with a note in Partial. It
// returns how many pull requests got an outcome.
func ApplyPulls(d *Dataset, pulls map[int]*PullInfo) int {
	var moved []int
	kept := d.PRs[:0]
	for _, pr := range d.PRs {
		if p := pulls[pr.Number]; p != nil && p.State == pullMissing {
			d.Direct = append(d.Direct, pr.Commits...)
			moved = append(moved, pr.Number)
			continue
		}
		kept = append(kept, pr)
	}
	d.PRs = kept
	if len(moved) > 0 {
		// Newest first, as the bucket is listed.
		slices.SortStableFunc(d.Direct, func(a, b Commit) int { return b.Time.Compare(a.Time) })
		what := "is not a pull request on GitHub (an issue reference?): its commits count"
		if len(moved) > 1 {
			what = "are not pull requests on GitHub (issue references?): their commits count"
		}
		d.Partial = append(d.Partial, fmt.Sprintf("%s in commit subjects %s as direct", outcomeNumberList(moved), what))
	}
	attached := 0
	for i := range d.PRs {
		pr := &d.PRs[i]
		p := pulls[pr.Number]
		if p == nil {
			continue
		}
		o := p.Outcome
		pr.Review = &o
		attached++
		if p.Title != "" {
			pr.Title = p.Title
		}
		if p.Author != "" {
			pr.Author = p.Author
		}
	}
	return attached
}

// final reports whether a cached entry can no longer change: a closed pull
// request, or a number that is not a pull request.
func (p *PullInfo) final() bool { return p.State == pullClosed || p.State == pullMissing }

// outcomeNumbers returns the distinct numbers above 0, highest first.
func outcomeNumbers(numbers []int) []int {
	out := make([]int, 0, len(numbers))
	for _, n := range numbers {
		if n > 0 {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	slices.Reverse(out)
	return out
}

// outcomeNumberList renders "#3, #5 and #9", naming at most
// maxListedNumbers and counting the rest.
func outcomeNumberList(nums []int) string {
	sorted := slices.Clone(nums)
	slices.Sort(sorted)
	var parts []string
	for i, n := range sorted {
		if i == maxListedNumbers {
			parts = append(parts, strconv.Itoa(len(sorted)-i)+" more")
			break
		}
		parts = append(parts, "#"+strconv.Itoa(n))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// outcomeTime returns t in UTC to the second, nil when zero.
func outcomeTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC().Truncate(time.Second)
	return &u
}

// outcomeTimePtr is outcomeTime of *t, nil for nil.
func outcomeTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return outcomeTime(*t)
}

// outcomeWarning formats a warning: "review outcomes: " and the message on
// one line (error texts from SQLite or GitHub may hold line breaks, which
// become spaces, as do other control characters).
func outcomeWarning(format string, args ...any) string {
	return "review outcomes: " + strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, fmt.Sprintf(format, args...))
}
