package action

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/ghapi"
	"github.com/tokenyield/tokenyield/internal/ghfake"
	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitstat/synth"
	"github.com/tokenyield/tokenyield/internal/ledger"
	"github.com/tokenyield/tokenyield/internal/report"
)

// BenchmarkPRReport1000 is the report of a 1,000-commit pull request from
// a local clone and a fake GitHub API, as the Action makes it: the commits'
// notes, lines and diff tokens from git, the review outcome from the API,
// the report, its Markdown and the sticky comment. Target: under 2 s.
func BenchmarkPRReport1000(b *testing.B) {
	ctx := context.Background()
	git, err := exec.LookPath("git")
	if err != nil {
		b.Skip("no git")
	}
	dir := b.TempDir()
	if out, err := exec.Command(git, "init", "-q", "-b", "main", dir).CombinedOutput(); err != nil {
		b.Fatalf("%v %s", err, out)
	}
	if _, err := synth.Import(ctx, git, dir, synth.Options{Commits: 1000, Seed: 7}); err != nil {
		b.Fatal(err)
	}
	g, err := gitcli.New(dir)
	if err != nil {
		b.Fatal(err)
	}
	out, err := g.Run(ctx, "rev-list", "synth-base..main")
	if err != nil {
		b.Fatal(err)
	}
	shas := strings.Fields(string(out))
	base := strings.TrimSpace(string(must(g.Run(ctx, "rev-parse", "synth-base"))))
	head := shas[0]
	// Every other commit has a note.
	led, err := ledger.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	notes := map[plumbing.Hash]attribution.Note{}
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for i, sha := range shas {
		if i%2 == 0 {
			notes[plumbing.NewHash(sha)] = attribution.Sum([]attribution.Event{{Agent: attribution.AgentClaudeCode, Session: "ab12", Model: "claude-sonnet-4-6",
				Time: at, Usage: attribution.Usage{Input: int64(i), CacheRead: 10000, Output: 500}}}, nil)
		}
	}
	if err := led.WriteMany(notes); err != nil {
		b.Fatal(err)
	}
	_ = led.Close()
	// Objects fetched into a clone arrive packed.
	if out, err := exec.Command(git, "-C", dir, "repack", "-a", "-d", "-q").CombinedOutput(); err != nil {
		b.Fatalf("%v %s", err, out)
	}

	api := ghfake.New(b)
	api.SetPR("o", "r", 1, ghfake.PR{HeadSHA: head, BaseSHA: base, Commits: len(shas)})
	api.AddReviews("o", "r", 1, ghfake.Review{User: "reviewer", State: "APPROVED", CommitID: head})
	client, err := ghapi.New(api.URL(), "t", ghapi.WithHTTPClient(api.Client()), ghapi.WithSleep(api.Clock().Sleep))
	if err != nil {
		b.Fatal(err)
	}
	pr := &PullRequest{Owner: "o", Repo: "r", Number: 1, BaseSHA: base, HeadSHA: head}
	b.ResetTimer()
	for b.Loop() {
		commits, err := LocalCommits(ctx, g, dir, base, head)
		if err != nil {
			b.Fatal(err)
		}
		full, err := client.PullRequest(ctx, "o", "r", 1)
		if err != nil {
			b.Fatal(err)
		}
		rv, err := Reviews(ctx, client, pr, full)
		if err != nil {
			b.Fatal(err)
		}
		rep := report.Build(report.Input{Repo: "o/r", Number: 1, BaseSHA: base, HeadSHA: head, Commits: commits, Review: rv})
		if _, err := client.UpsertComment(ctx, "o", "r", 1, report.Marker, rep.Markdown(report.CommentLimit)); err != nil {
			b.Fatal(err)
		}
		if len(commits) != len(shas) || rep.Totals.Total == 0 {
			b.Fatalf("%d commits, %d tokens", len(commits), rep.Totals.Total)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
