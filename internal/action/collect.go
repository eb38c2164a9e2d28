package action

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

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
// it adds to code files (merges show no diff and get none), reading one git
// log -p stream; a commit's diff is held in memory only while it is counted.
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
	// Files of the excluded classes (generated, vendored, lock) are left out,
	// as they are from the lines: a file's header lines are held until its
	// "+++" line names it.
	var header []byte
	inHeader, skip := false, false
	err = g.RunStream(ctx, func(r io.Reader) error {
		br := bufio.NewReaderSize(r, 64<<10)
		for {
			line, err := br.ReadBytes('\n')
			switch {
			case bytes.HasPrefix(line, []byte(commitMark)):
				if ferr := flush(); ferr != nil {
					return ferr
				}
				sha = string(bytes.TrimSpace(line[len(commitMark):]))
				inHeader, skip = false, false
			case sha == "":
			case bytes.HasPrefix(line, []byte("diff --git ")):
				header = append(header[:0], line...)
				inHeader, skip = true, false
			case inHeader && bytes.HasPrefix(line, []byte("+++ ")):
				inHeader = false
				skip = gitstat.Classify(newPath(line)) != gitstat.Code
				if !skip {
					patch.Write(header)
					patch.Write(line)
				}
			case inHeader:
				header = append(header, line...)
			case !skip:
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

// newPath is the path of a "+++ b/path" line (git's quoting undone where it
// is simple; a path git had to quote is rare and only decides a class).
func newPath(line []byte) string {
	p := strings.TrimRight(string(line[4:]), "\r\n")
	if uq, err := strconv.Unquote(p); err == nil {
		p = uq
	}
	return strings.TrimPrefix(p, "b/")
}
