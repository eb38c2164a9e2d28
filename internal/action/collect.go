package action

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitstat"
	"github.com/tokenyield/tokenyield/internal/ledger"
	"github.com/tokenyield/tokenyield/internal/report"
	"github.com/tokenyield/tokenyield/internal/tokenize"
)

// LocalCommits reads the commits of base..head from the clone in dir,
// oldest first: their usage (note, else trailers), their lines (code and
// excluded files apart, with the git binary) and the tokens of the lines
// each adds.
func LocalCommits(ctx context.Context, g *gitcli.Git, dir, base, head string) ([]report.Commit, error) {
	rng := base + ".." + head
	stats, err := gitstat.Log(ctx, g, []string{rng})
	if err != nil {
		return nil, fmt.Errorf("lines of %s: %w", rng, err)
	}
	led, err := ledger.Open(dir)
	if err != nil {
		return nil, err
	}
	defer func() { _ = led.Close() }()
	tokens, err := diffTokens(ctx, g, rng)
	if err != nil {
		return nil, err
	}
	commits := make([]report.Commit, 0, len(stats))
	for _, s := range stats {
		cu := led.Usage(plumbing.NewHash(s.SHA), s.Message)
		c := report.Commit{
			SHA: s.SHA, Subject: s.Subject(), Author: s.AuthorName, Time: s.CommitTime,
			Usage: cu.Note, Source: cu.Source, Problem: cu.Problem,
			Code:       report.Lines{Added: s.Code.Added, Deleted: s.Code.Deleted},
			Merge:      s.IsMerge(),
			DiffTokens: -1,
		}
		if n, ok := tokens[s.SHA]; ok {
			c.DiffTokens = n
		} else if !s.IsMerge() {
			c.DiffTokens = 0
		}
		for class, l := range s.Excluded {
			c.Excluded = report.Lines{Added: c.Excluded.Added + l.Added, Deleted: c.Excluded.Deleted + l.Deleted}
			if c.ExcludedBy == nil {
				c.ExcludedBy = map[string]report.Lines{}
			}
			c.ExcludedBy[class.String()] = report.Lines{Added: l.Added, Deleted: l.Deleted}
		}
		c.CoAuthorAgents = report.AICoAuthors(s.Message)
		c.AICoAuthor = len(c.CoAuthorAgents) > 0
		commits = append(commits, c)
	}
	// git log lists newest first; the report wants the order they were made.
	slices.Reverse(commits)
	return commits, nil
}

// commitMark starts each commit's section in diffTokens' git log output
// (written by git from the format "%x00tokenyield-commit %H").
const commitMark = "\x00tokenyield-commit "

// diffTokens counts, per commit of rng, the o200k_base tokens of the lines
// it adds (merges show no diff and get none), reading one git log -p
// stream; a commit's diff is held in memory only while it is counted.
func diffTokens(ctx context.Context, g *gitcli.Git, rng string) (map[string]int64, error) {
	enc, err := tokenize.Get(tokenize.O200K)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	var sha string
	var patch bytes.Buffer
	flush := func() error {
		if sha == "" {
			return nil
		}
		st, err := enc.DiffTokens(bytes.NewReader(patch.Bytes()))
		if err != nil {
			return err
		}
		out[sha] = int64(st.Tokens)
		patch.Reset()
		return nil
	}
	err = g.RunStream(ctx, func(r io.Reader) error {
		br := bufio.NewReaderSize(r, 64<<10)
		for {
			line, err := br.ReadBytes('\n')
			if bytes.HasPrefix(line, []byte(commitMark)) {
				if ferr := flush(); ferr != nil {
					return ferr
				}
				sha = string(bytes.TrimSpace(line[len(commitMark):]))
			} else if sha != "" {
				patch.Write(line)
			}
			if err == io.EOF {
				return flush()
			}
			if err != nil {
				return err
			}
		}
	}, "log", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "-p", "-U0",
		"--format=%x00tokenyield-commit %H", rng, "--")
	if err != nil {
		return nil, fmt.Errorf("diff tokens of %s: %w", rng, err)
	}
	return out, nil
}
