package cli

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/progress"
	"github.com/tokenyield/tokenyield/internal/review"
)

// reviewFormats are the --format values; "all" writes every format to --out.
var reviewFormats = append(slices.Clone(review.Formats), "all")

// runReview is the engineering-metrics review of this clone's history.
func runReview(env *Env, args []string) error {
	fs := newFlags(env, "review", "[--since D] [--until D] [--branch REF] [--format md|html|json|csv|all] [--out DIR] [--no-api] [--commit-lookups N] [--diff-tokens on|off|auto]")
	since := fs.String("since", "", "first day to include (YYYY-MM-DD or RFC 3339)")
	until := fs.String("until", "", "last day to include (YYYY-MM-DD or RFC 3339)")
	branch := fs.String("branch", "", "the branch whose history is reviewed (default: HEAD)")
	format := fs.String("format", "md", "md, html, json, csv or all")
	out := fs.String("out", "", "write the report file(s) into this directory instead of standard output (csv and all need it)")
	noAPI := fs.Bool("no-api", false, "git only: neither ask GitHub (review outcomes, pull requests of commits) nor use its cached answers")
	lookups := fs.Int("commit-lookups", review.DefaultCommitLookups, "with a token: ask GitHub which pull request landed up to N commits git cannot place (rebase merges; one request each, newest first, answers cached; 0: none asked, cached answers still used)")
	diffTokens := fs.String("diff-tokens", "auto", "count the tokens of the code each commit added: on, off, or auto (on up to 2,000 commits: the patch pass about doubles a long review's time)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !slices.Contains(reviewFormats, *format) {
		return fmt.Errorf("%w: --format must be one of %s", errUsage, strings.Join(reviewFormats, ", "))
	}
	if (*format == "csv" || *format == "all") && *out == "" {
		return fmt.Errorf("%w: --format %s writes several files: give --out DIR", errUsage, *format)
	}
	loc := time.Local
	s, err := parseDay(*since, loc, false)
	if err != nil {
		return fmt.Errorf("%w: --since: %w", errUsage, err)
	}
	u, err := parseDay(*until, loc, true)
	if err != nil {
		return fmt.Errorf("%w: --until: %w", errUsage, err)
	}
	ctx := context.Background()
	g, err := cwdGit()
	if err != nil {
		return err
	}
	top, err := g.TopLevel(ctx)
	if err != nil {
		return fmt.Errorf("not inside a git worktree (run it in a clone): %w", err)
	}
	show := progress.Enabled(os.Stderr, env.Agents.Get) && env.Stderr == os.Stderr
	bar := progress.New(env.Stderr, "reading history", 0, show)
	opts := review.CollectOptions{Branch: *branch, Since: s, Until: u, DiffTokens: *diffTokens != "off"}
	switch *diffTokens {
	case "auto":
		opts.DiffTokensMax = review.DiffTokensAutoMax
	case "on", "off":
	default:
		return fmt.Errorf("%w: --diff-tokens must be on, off or auto", errUsage)
	}
	opts.Tool, opts.Progress = "tokenyield/"+Version, bar.Update
	var gh *review.GitHub
	if !*noAPI {
		gh = reviewGitHub(ctx, env, g)
	}
	if gh != nil {
		gh.CommitLookups = *lookups
		if *lookups <= 0 {
			gh.CommitLookups = -1 // none asked; cached answers still count
		}
		opts.FindPulls = func(ctx context.Context, shas []string) (map[string]int, []string) {
			bar.Done()
			lookupBar := progress.New(env.Stderr, "pull requests of commits", len(shas), show)
			defer lookupBar.Done()
			return gh.PullsOf(ctx, shas, lookupBar.Update)
		}
	}
	d, err := review.Collect(ctx, g, top, opts)
	bar.Done()
	if err != nil {
		// Printed after "tokenyield review: ", where the package's own
		// "review: " would say it twice.
		return unprefixed{err, "review: "}
	}
	switch {
	case gh != nil:
		outcomesBar := progress.New(env.Stderr, "review outcomes", len(d.PRs), show)
		warnings := gh.AddOutcomes(ctx, &d, outcomesBar.Update)
		outcomesBar.Done()
		for _, w := range warnings {
			fmt.Fprintf(env.Stderr, "tokenyield: warning: %s\n", w)
		}
	case !*noAPI && len(d.PRs) > 0:
		d.Partial = append(d.Partial, "review outcomes: unknown (set GITHUB_TOKEN and use a GitHub origin to fetch them)")
	}
	m := review.Compute(d)
	return writeReview(env, d, m, *format, *out)
}

// reviewGitHub returns the clone's GitHub repository (a GitHub origin)
// with the review cache under the git directory: with a client when a token
// (GITHUB_TOKEN or GH_TOKEN) is set; without one, only when the cache
// exists, so that what earlier runs learnt (pull requests of commits,
// review outcomes) still counts. Else nil; a problem is a warning.
func reviewGitHub(ctx context.Context, env *Env, g *gitcli.Git) *review.GitHub {
	owner, repo, ok := githubRemote(ctx, g)
	if !ok {
		return nil
	}
	cache, err := review.CachePath(ctx, g)
	if err != nil {
		fmt.Fprintf(env.Stderr, "tokenyield: warning: %v\n", err)
		return nil
	}
	gh := &review.GitHub{Owner: owner, Repo: repo, CommitLookups: -1, CachePath: cache}
	token := cmp.Or(env.Agents.Get("GITHUB_TOKEN"), env.Agents.Get("GH_TOKEN"))
	if token == "" {
		if _, err := os.Stat(gh.CachePath); err != nil {
			return nil
		}
		return gh
	}
	if gh.Client, err = ghapi.New(cmp.Or(env.Agents.Get("GITHUB_API_URL"), ghapi.DefaultAPIURL), token); err != nil {
		fmt.Fprintf(env.Stderr, "tokenyield: warning: %v\n", err)
		return nil
	}
	return gh
}

// writeReview writes the chosen format to standard output, or into dir
// (every format for "all").
func writeReview(env *Env, d review.Dataset, m review.Metrics, format, dir string) error {
	if dir == "" {
		write, _, _ := review.Writer(format) // csv and all need --out: checked before
		var b bytes.Buffer                   // nothing half-written on an error
		if err := write(&b, d, m); err != nil {
			return err
		}
		_, err := env.Stdout.Write(b.Bytes())
		return err
	}
	formats := []string{format}
	if format == "all" {
		formats = review.Formats
	}
	paths, err := review.WriteFiles(dir, d, m, formats...)
	for _, p := range paths {
		fmt.Fprintln(env.Stderr, "wrote", p)
	}
	return err
}

// unprefixed is an error shown without the prefix its message starts with.
type unprefixed struct {
	err    error
	prefix string
}

func (e unprefixed) Error() string { return strings.TrimPrefix(e.err.Error(), e.prefix) }

// Unwrap returns the error itself.
func (e unprefixed) Unwrap() error { return e.err }
