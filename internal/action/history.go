package action

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitstat"
	"github.com/tokenyield/tokenyield/internal/ledger"
	"github.com/tokenyield/tokenyield/internal/report"
	"github.com/tokenyield/tokenyield/internal/review"
)

// historyScan bounds how far back LocalHistory looks (first-parent commits).
const historyScan = 2000

// LocalHistory returns up to n pull requests merged most recently into the
// history of rev, found in the clone's first-parent history: merge commits
// "Merge pull request #N …" (the pull request's commits are the second
// parent's side) and squash or rebase merges whose subject ends in "(#N)"
// (the commits themselves, whose note is the Action's rollup or whose
// trailers GitHub's squash message kept; the several commits of a rebase
// merge make one pull request). Pull request skip (the one reported) is
// left out. A pull request none of whose commits has usage data has
// Tokens -1 (unknown), so comparisons ignore it.
func LocalHistory(ctx context.Context, g *gitcli.Git, dir, rev string, n, skip int) ([]report.HistoryPR, error) {
	if n <= 0 {
		return nil, nil
	}
	out, err := g.Run(ctx, "log", "--first-parent", "-n", strconv.Itoa(historyScan), "--format=%H%x00%P%x00%s", rev, "--")
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", rev, err)
	}
	led, err := ledger.Open(dir)
	if err != nil {
		return nil, err
	}
	defer func() { _ = led.Close() }()
	// A rebase merge lands several first-parent commits with the same
	// number: one pull request, several ranges.
	type found struct {
		number int
		shas   []string // its commits: a squash or rebase merge's own, a merge's side
		merges [][2]string
	}
	var prs []*found
	byNumber := map[int]*found{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\x00")
		if len(f) != 3 {
			continue
		}
		sha, parents, subject := f[0], strings.Fields(f[1]), f[2]
		if len(parents) == 0 || len(parents) > 2 {
			continue
		}
		number := review.SubjectPull(subject, len(parents) == 2)
		if number == 0 || number == skip {
			continue
		}
		pr := byNumber[number]
		if pr == nil {
			if len(prs) == n {
				break
			}
			pr = &found{number: number}
			byNumber[number] = pr
			prs = append(prs, pr)
		}
		if len(parents) == 2 {
			pr.merges = append(pr.merges, [2]string{parents[0], parents[1]}) // what it brought in
		} else {
			pr.shas = append(pr.shas, sha) // a squash or rebase merge: the commit itself
		}
	}
	// One listing per merge commit, then the lines of every commit in one
	// log (not one per pull request).
	var all []string
	for _, pr := range prs {
		for _, m := range pr.merges {
			side, err := gitstat.RevList(ctx, g, []string{"^" + m[0], m[1]})
			if err != nil {
				return nil, err
			}
			pr.shas = append(pr.shas, side...)
		}
		all = append(all, pr.shas...)
	}
	stats, err := gitstat.LogCommits(ctx, g, all)
	if err != nil {
		return nil, err
	}
	bySHA := make(map[string]gitstat.CommitStat, len(stats))
	for _, st := range stats {
		bySHA[st.SHA] = st
	}
	hist := make([]report.HistoryPR, 0, len(prs))
	for _, pr := range prs {
		own := make([]gitstat.CommitStat, 0, len(pr.shas))
		for _, sha := range pr.shas {
			own = append(own, bySHA[sha])
		}
		hist = append(hist, historyPR(led, pr.number, own))
	}
	return hist, nil
}

func historyPR(led *ledger.Ledger, number int, stats []gitstat.CommitStat) report.HistoryPR {
	h := report.HistoryPR{Number: number, Tokens: -1}
	var sum attribution.Note
	withData := 0
	for _, s := range stats {
		h.LinesChanged += s.Code.Changed()
		cu := led.Usage(plumbing.NewHash(s.SHA), s.Message)
		if cu.Source != "" {
			sum = attribution.Merge(sum, cu.Note)
			withData++
		}
	}
	if withData > 0 {
		sum.Canonicalize()
		h.Tokens = sum.Total.Total
		h.CostUSD = sum.Total.CostUSD
	}
	return h
}
