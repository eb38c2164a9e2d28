package review

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tokenyield/tokenyield/internal/gitcli"
	"github.com/tokenyield/tokenyield/internal/gitstat"
	"github.com/tokenyield/tokenyield/internal/ledger"
	"github.com/tokenyield/tokenyield/internal/tokenize"
)

// diffMark starts each commit's section of the diff-token log (written by
// git from the format "%x00tokenyield-review %H%n%B%x00"): the mark line,
// the message, a line starting with NUL, then the diff.
const diffMark = "\x00tokenyield-review "

// diffTokens counts, for each commit of revs that carries usage data (a
// note in notes, or an AI-Tokens line in its message: the commits a diff
// tokens per output token figure uses), the o200k_base tokens of the lines
// it adds to code files. It reads one git log -p -U0 stream over revs, so
// that it can run while gitstat.Log reads the same range; merges show no
// diff and are not in the result. Files of excluded classes are skipped by
// name (gitstat.Classify) before counting, and the counted paths are then
// classified with their linguist attributes (gitstat.ClassifyPaths), so a
// path an attribute marks generated or vendored is dropped too; a path an
// attribute turns back into code ("-linguist-generated") is not counted.
func diffTokens(ctx context.Context, g *gitcli.Git, revs []string, notes map[plumbing.Hash][]byte) (map[string]int64, error) {
	return DiffTokens(ctx, g, revs, func(sha string, trailers bool) bool {
		_, note := notes[plumbing.NewHash(sha)]
		return note || trailers
	})
}

// DiffTokens counts, for each commit of revs that want accepts (nil: every
// commit; trailers says whether its message has an AI-Tokens line), the
// o200k_base tokens of the lines it adds to code files, reading one git log
// -p -U0 stream over revs (merges show no diff and are not in the result).
// Files of excluded classes are skipped by name before counting and by
// their linguist attributes after (see diffTokens).
func DiffTokens(ctx context.Context, g *gitcli.Git, revs []string, want func(sha string, trailers bool) bool) (map[string]int64, error) {
	if err := gitstat.CheckRevisions(revs); err != nil {
		return nil, fmt.Errorf("review: diff tokens: %w", err)
	}
	enc, err := tokenize.Get(tokenize.O200K)
	if err != nil {
		return nil, fmt.Errorf("review: diff tokens: %w", err)
	}
	// Files are counted by workers while git and the parser go on.
	workers := max(1, runtime.GOMAXPROCS(0)-1)
	jobs := make(chan fileJob, 4*workers)
	results := make([][]fileTokens, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for j := range jobs {
				st, _ := enc.DiffTokens(bytes.NewReader(j.data)) // a bytes.Reader never fails
				if st.Tokens > 0 {
					results[w] = append(results[w], fileTokens{commit: j.commit, path: j.path, tokens: int64(st.Tokens)})
				}
			}
		})
	}
	p := diffParser{jobs: jobs, want: want, pathIdx: map[string]int{}, commit: -1, path: -1}
	args := []string{
		"-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false", "-c", "core.quotePath=true",
		"-c", "core.packedGitLimit=" + gitstat.PackedGitLimit, "-c", "core.packedGitWindowSize=" + gitstat.PackedGitWindow,
		"log", "-p", "-U0", "--no-renames", "--root", "--no-color", "--no-ext-diff", "--no-textconv",
		"--no-notes", "--encoding=UTF-8", "--format=%x00" + strings.TrimPrefix(diffMark, "\x00") + "%H%n%B%x00",
		// The revisions come on standard input: a long list of refs would
		// not fit a command line.
		"--stdin", "--end-of-options", "--",
	}
	err = g.WithEnv("GIT_FLUSH=0").RunStreamInput(ctx, []byte(strings.Join(revs, "\n")+"\n"), p.read, args...)
	close(jobs)
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("review: diff tokens: %w", err)
	}
	cls, err := gitstat.ClassifyPaths(ctx, g, p.paths)
	if err != nil {
		return nil, fmt.Errorf("review: diff tokens: %w", err)
	}
	sums := make(map[string]int64, len(p.shas))
	for _, sha := range p.shas {
		sums[sha] = 0
	}
	for _, list := range results {
		for _, ft := range list {
			if cls[ft.path] == gitstat.Code {
				sums[p.shas[ft.commit]] += ft.tokens
			}
		}
	}
	return sums, nil
}

// fileTokens are the tokens the added lines of one file of one commit have.
type fileTokens struct {
	commit int // index in diffParser.shas
	path   int // index in diffParser.paths
	tokens int64
}

// fileJob is one file's section of the diff, to count.
type fileJob struct {
	commit, path int
	data         []byte
}

// diffParser reads the diff-token log and hands each code file's section
// of the commits with data to the counting workers.
type diffParser struct {
	jobs chan<- fileJob
	want func(sha string, trailers bool) bool // nil: every commit

	sha       string // the commit being read
	inMessage bool
	trailers  bool // its message has an AI-Tokens line
	commit    int  // its index in shas when counted, -1 when skipped
	path      int  // the current file's path index; -1 skipped, -2 until its "+++" line
	section   bytes.Buffer

	shas    []string // the commits counted
	paths   []string
	pathIdx map[string]int
}

// read consumes git's output.
func (p *diffParser) read(r io.Reader) error {
	br := bufio.NewReaderSize(r, 256<<10)
	var long []byte
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(line) > 0 {
			p.line(line)
		}
		if errors.Is(err, io.EOF) {
			p.flushFile()
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// line handles one line of the log.
func (p *diffParser) line(line []byte) {
	switch {
	case bytes.HasPrefix(line, []byte(diffMark)):
		p.flushFile()
		p.sha = string(bytes.TrimSpace(line[len(diffMark):]))
		p.inMessage, p.trailers, p.commit = true, false, -1
	case p.inMessage && len(line) > 0 && line[0] == 0:
		p.inMessage = false
		if p.want == nil || p.want(p.sha, p.trailers) {
			p.commit = len(p.shas)
			p.shas = append(p.shas, p.sha)
		}
	case p.inMessage:
		k := len(ledger.TrailerKey) + 1
		p.trailers = p.trailers || len(line) >= k && bytes.EqualFold(line[:k], []byte(ledger.TrailerKey+":"))
	case p.commit < 0:
	case bytes.HasPrefix(line, []byte("diff --git ")):
		p.flushFile()
		p.path = -2
		p.section.Write(line)
	case p.path == -2 && bytes.HasPrefix(line, []byte("+++ ")):
		p.path = p.pathOf(line)
		if p.path >= 0 {
			p.section.Write(line)
		} else {
			p.section.Reset()
		}
	case p.path == -2 || p.path >= 0:
		p.section.Write(line)
	}
}

// pathOf returns the path index of a "+++ b/<path>" line, or -1 when the
// file is deleted, unreadable or excluded by name.
func (p *diffParser) pathOf(line []byte) int {
	name := strings.TrimRight(string(line[4:]), "\r\n")
	if strings.HasPrefix(name, `"`) {
		u, err := strconv.Unquote(name)
		if err != nil {
			return -1
		}
		name = u
	}
	name, ok := strings.CutPrefix(name, "b/")
	if !ok || gitstat.Classify(name) != gitstat.Code {
		return -1
	}
	i, ok := p.pathIdx[name]
	if !ok {
		i = len(p.paths)
		p.paths = append(p.paths, name)
		p.pathIdx[name] = i
	}
	return i
}

// flushFile hands the current file's section to the workers.
func (p *diffParser) flushFile() {
	if p.path >= 0 && p.commit >= 0 {
		p.jobs <- fileJob{commit: p.commit, path: p.path, data: bytes.Clone(p.section.Bytes())}
	}
	p.section.Reset()
	p.path = -1
}

// setDiffTokens sets DiffTokens on the dataset's commits with usage data
// from the counts (merges, absent from them, keep -1).
func (h *history) setDiffTokens(d *Dataset, counts map[string]int64) {
	for _, i := range h.used {
		n, ok := counts[h.stats[i].SHA]
		if !ok || !h.hasData(i) {
			continue
		}
		r := h.pos[i]
		if r.pr < 0 {
			d.Direct[r.i].DiffTokens = n
		} else {
			d.PRs[r.pr].Commits[r.i].DiffTokens = n
		}
	}
}
