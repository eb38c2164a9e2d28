package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/tokenyield/tokenyield/internal/action"
	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/report"
)

// runAction is the GitHub Action's entry point (action.yml runs
// `tokenyield action`): inputs, event and runner files come from the
// environment the runner sets.
func runAction(env *Env, args []string) error {
	fs := newFlags(env, "action", "(run by the GitHub Action; inputs come from INPUT_* variables)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	a := githubactions.New(githubactions.WithWriter(env.Stdout))
	err := action.Run(context.Background(), a, action.Options{Tool: "tokenyield/" + Version})
	if errors.Is(err, action.ErrGate) {
		return err // the annotations said which limits
	}
	if err != nil {
		a.Errorf("tokenyield: %v", err)
	}
	return err
}

// runPR prints the pull request report of a range of this clone, without
// GitHub; with GITHUB_TOKEN (or GH_TOKEN) and a GitHub origin it adds the
// review outcome of the open pull request whose head is --head.
func runPR(env *Env, args []string) error {
	fs := newFlags(env, "pr", "[--base REF] [--head REF] [--format md|json]")
	base := fs.String("base", "", "the branch the work is based on (default: origin's default branch, else main or master)")
	head := fs.String("head", "HEAD", "the last commit of the work")
	format := fs.String("format", "md", "md or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "md" && *format != "json" {
		return fmt.Errorf("%w: --format must be md or json", errUsage)
	}
	ctx := context.Background()
	g, err := cwdGit()
	if err != nil {
		return err
	}
	top, err := g.TopLevel(ctx)
	if err != nil {
		return err
	}
	headSHA, err := revParse(ctx, g, *head)
	if err != nil {
		return err
	}
	if *base == "" {
		*base = defaultBase(ctx, g)
	}
	mb, err := g.Run(ctx, "merge-base", *base, headSHA)
	if err != nil {
		return fmt.Errorf("no common ancestor of %s and %s: %w", *base, *head, err)
	}
	baseSHA := strings.TrimSpace(string(mb))
	commits, err := action.LocalCommits(ctx, g, top, baseSHA, headSHA)
	if err != nil {
		return err
	}
	in := report.Input{Tool: "tokenyield/" + Version, BaseSHA: baseSHA, HeadSHA: headSHA, Commits: commits}
	if owner, repo, ok := githubRemote(ctx, g); ok {
		in.Repo = owner + "/" + repo
		if token := cmp.Or(env.Agents.Get("GITHUB_TOKEN"), env.Agents.Get("GH_TOKEN")); token != "" {
			addReview(ctx, env, &in, owner, repo, token, headSHA)
		}
	}
	rep := report.Build(in)
	if *format == "json" {
		b, err := rep.JSON()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(env.Stdout, "%s\n", b)
		return err
	}
	_, err = fmt.Fprint(env.Stdout, rep.Markdown(1<<20))
	return err
}

// addReview finds the open pull request whose head is headSHA and adds its
// number, title and review outcome; problems become one warning line.
func addReview(ctx context.Context, env *Env, in *report.Input, owner, repo, token, headSHA string) {
	apiURL := cmp.Or(env.Agents.Get("GITHUB_API_URL"), "https://api.github.com")
	c, err := ghapi.New(apiURL, token)
	if err != nil {
		fmt.Fprintf(env.Stderr, "tokenyield: warning: %v\n", err)
		return
	}
	prs, err := c.PullRequestsWithCommit(ctx, owner, repo, headSHA)
	if err != nil {
		fmt.Fprintf(env.Stderr, "tokenyield: warning: no review outcome: %v\n", err)
		return
	}
	for _, p := range prs {
		if p.GetHead().GetSHA() != headSHA {
			continue
		}
		pr := &action.PullRequest{Owner: owner, Repo: repo, Number: p.GetNumber(), BaseSHA: in.BaseSHA, HeadSHA: headSHA}
		rv, err := action.Reviews(ctx, c, pr, p)
		if err != nil {
			fmt.Fprintf(env.Stderr, "tokenyield: warning: no review outcome: %v\n", err)
			return
		}
		in.Number, in.Title, in.URL, in.Review = p.GetNumber(), p.GetTitle(), p.GetHTMLURL(), rv
		return
	}
}

func revParse(ctx context.Context, g interface {
	Run(context.Context, ...string) ([]byte, error)
}, rev string) (string, error) {
	out, err := g.Run(ctx, "rev-parse", "--verify", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("%q is not a commit: %w", rev, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// defaultBase is origin's default branch, else main, else master.
func defaultBase(ctx context.Context, g interface {
	Run(context.Context, ...string) ([]byte, error)
}) string {
	if out, err := g.Run(ctx, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"); err == nil {
		return strings.TrimPrefix(strings.TrimSpace(string(out)), "refs/remotes/")
	}
	for _, b := range []string{"origin/main", "origin/master", "main", "master"} {
		if _, err := g.Run(ctx, "rev-parse", "--verify", "--quiet", b+"^{commit}"); err == nil {
			return b
		}
	}
	return "main"
}

// githubRemote returns origin's owner and repository on github.com.
func githubRemote(ctx context.Context, g interface {
	Run(context.Context, ...string) ([]byte, error)
}) (owner, repo string, ok bool) {
	out, err := g.Run(ctx, "remote", "get-url", "origin")
	if err != nil {
		return "", "", false
	}
	// Compiled here, not at package level: every hook start would pay for it.
	githubURL := regexp.MustCompile(`github\.com[:/]([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$`)
	m := githubURL.FindStringSubmatch(strings.TrimSpace(string(out)))
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}
