// Package gen generates synthetic Claude Code session logs for benchmarks.
//
// The output follows the shape of real Claude Code 2.x transcripts (field
// order, content blocks of one response written as separate lines that share
// message.id, requestId and usage, user prompts, tool results, summaries,
// file-history snapshots, subagent transcripts under
// <session>/subagents/), with sizes modelled on the reference trees of
// shared/reference/performance.md §1: lines of 0.65–4.7 KB (median about
// 1.9 KB), log-normal file sizes (median 250 KB), one projects/<encoded cwd>
// directory per project and timestamps spread over 120 days before End.
//
// All content is built from a word list and code snippets compiled in, so
// the output is reproducible from (bytes, seed) alone, and every number
// written is counted while writing: the Totals returned are exactly what a
// correct reader must report after de-duplicating on (message.id, requestId).
package gen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// End is the latest session start of a generated tree; sessions start within
// Span before it.
var End = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// Span is how far back session starts are spread.
const Span = 120 * 24 * time.Hour

// ManifestName is the file, beside projects/, where Generate records what it
// wrote. It is written last, so its presence means the tree is complete.
const ManifestName = "genclaude.json"

// Totals is what a stretch of generated log contains. Input, Output,
// CacheRead and CacheWrite are de-duplicated sums over unique responses
// (for each response, the usage of its last line, which is the largest).
type Totals struct {
	Input      int64     `json:"input"`
	Output     int64     `json:"output"`
	CacheRead  int64     `json:"cache_read"`
	CacheWrite int64     `json:"cache_write"`
	Responses  int64     `json:"responses"`
	UsageLines int64     `json:"usage_lines"`
	Lines      int64     `json:"lines"`
	Bytes      int64     `json:"bytes"`
	First      time.Time `json:"first"`
	Last       time.Time `json:"last"`
}

// Add accumulates o into t.
func (t *Totals) Add(o Totals) {
	t.Input += o.Input
	t.Output += o.Output
	t.CacheRead += o.CacheRead
	t.CacheWrite += o.CacheWrite
	t.Responses += o.Responses
	t.UsageLines += o.UsageLines
	t.Lines += o.Lines
	t.Bytes += o.Bytes
	if !o.First.IsZero() && (t.First.IsZero() || o.First.Before(t.First)) {
		t.First = o.First
	}
	if o.Last.After(t.Last) {
		t.Last = o.Last
	}
}

// Tree describes a generated tree; it is what the manifest holds.
type Tree struct {
	RequestedBytes int64 `json:"requested_bytes"`
	Seed           int64 `json:"seed"`
	Files          int   `json:"files"`
	Subagents      int   `json:"subagent_files"`
	Projects       int   `json:"projects"`
	Totals
}

// ReadManifest reads the manifest of the tree at dir.
func ReadManifest(dir string) (Tree, error) {
	var t Tree
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return t, err
	}
	err = json.Unmarshal(b, &t)
	return t, err
}

// EncodeCwd is Claude Code's project directory name for a working directory
// (every character other than an ASCII letter or digit becomes '-').
func EncodeCwd(cwd string) string {
	b := []byte(cwd)
	for i, c := range b {
		if !isAlnum(c) {
			b[i] = '-'
		}
	}
	return string(b)
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

type fileJob struct {
	path string
	sess Session
	size int64
}

var (
	roots  = []string{"/home/dev/src", "/home/dev/work", "/home/dev/code/github.com/acme", "/srv/projects"}
	names1 = []string{"api", "web", "billing", "search", "auth", "infra", "data", "mobile", "docs", "cli", "edge", "ml"}
	names2 = []string{"gateway", "service", "app", "worker", "pipeline", "console", "sdk", "tools", "site", "core"}
	seps   = []string{"-", "_", ".", "-"}
)

// Generate writes a tree of about bytes bytes of session logs under
// dir/projects and the manifest dir/genclaude.json. It refuses to write into
// an existing dir/projects.
func Generate(dir string, bytes int64, seed int64) (Tree, error) {
	tree := Tree{RequestedBytes: bytes, Seed: seed}
	if bytes <= 0 {
		return tree, errors.New("gen: bytes must be positive")
	}
	projDir := filepath.Join(dir, "projects")
	if _, err := os.Stat(projDir); err == nil {
		return tree, fmt.Errorf("gen: %s already exists; remove it or pick another -out", projDir)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return tree, err
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed))

	// File sizes: log-normal, median 250 KB, mean about 2.1x the median.
	var sizes []int64
	var sum int64
	for sum < bytes {
		s := int64(min(max(logNormal(r, 250_000, 1.23), 4_000), 40_000_000))
		if sum+s > bytes {
			s = bytes - sum
			if s < 4_000 && len(sizes) > 0 {
				sizes[len(sizes)-1] += s
				break
			}
		}
		sizes = append(sizes, s)
		sum += s
	}

	// Projects: about 16 sessions each, Zipf-like popularity.
	nproj := max(1, (len(sizes)+8)/16)
	type project struct{ cwd, dir string }
	projects := make([]project, nproj)
	seen := map[string]bool{}
	weights := make([]float64, nproj)
	var wsum float64
	for i := range projects {
		var cwd string
		for {
			cwd = roots[r.IntN(len(roots))] + "/" + names1[r.IntN(len(names1))] +
				seps[r.IntN(len(seps))] + names2[r.IntN(len(names2))]
			if seen[EncodeCwd(cwd)] {
				cwd = fmt.Sprintf("%s%d", cwd, i)
			}
			if !seen[EncodeCwd(cwd)] {
				break
			}
		}
		seen[EncodeCwd(cwd)] = true
		projects[i] = project{cwd: cwd, dir: filepath.Join(projDir, EncodeCwd(cwd))}
		weights[i] = 1 / float64(i+1)
		wsum += weights[i]
	}

	var jobs []fileJob
	usedProj := map[int]bool{}
	for i, size := range sizes {
		x := r.Float64() * wsum
		p := 0
		for p < nproj-1 && x >= weights[p] {
			x -= weights[p]
			p++
		}
		if i < nproj { // every project gets at least one session
			p = i
		}
		usedProj[p] = true
		branch := "main"
		if r.IntN(2) == 0 {
			branch = "feat/" + words[r.IntN(len(words))] + "-" + words[r.IntN(len(words))]
		}
		sess := Session{
			Cwd:       projects[p].cwd,
			ID:        NewUUID(r),
			GitBranch: branch,
			Start:     End.Add(-time.Duration(r.Int64N(int64(Span/time.Millisecond))) * time.Millisecond),
			Seed:      r.Uint64(),
		}
		// One session in ten ran a subagent, logged in its own file.
		if size >= 40_000 && r.IntN(10) == 0 {
			sub := sess
			sub.AgentID = fmt.Sprintf("a%06x", r.IntN(1<<24))
			sub.Seed = r.Uint64()
			sub.Start = sess.Start.Add(time.Duration(r.IntN(3600)) * time.Second)
			sub.Model = Models[1+r.IntN(2)].Name
			subSize := size / int64(3+r.IntN(5))
			size -= subSize
			jobs = append(jobs, fileJob{
				path: filepath.Join(projects[p].dir, sess.ID, "subagents", "agent-"+sub.AgentID+".jsonl"),
				sess: sub, size: subSize,
			})
		}
		jobs = append(jobs, fileJob{path: filepath.Join(projects[p].dir, sess.ID+".jsonl"), sess: sess, size: size})
	}
	for i := range jobs {
		jobs[i].sess.IDSpace = "t" + string(appendBase62(nil, uint64(i), 4))
		if strings.Contains(jobs[i].path, "subagents") {
			tree.Subagents++
		} else {
			tree.Files++
		}
	}
	tree.Projects = len(usedProj)

	// Write the files in parallel; each depends only on its own job.
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		first error
	)
	ch := make(chan fileJob)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bw := bufio.NewWriterSize(nil, 256<<10)
			for j := range ch {
				t, err := writeFile(j, bw)
				mu.Lock()
				tree.Totals.Add(t)
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	if first != nil {
		return tree, first
	}
	b, err := json.MarshalIndent(tree, "", "  ")
	if err != nil {
		return tree, err
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), append(b, '\n'), 0o644); err != nil {
		return tree, err
	}
	return tree, nil
}

func writeFile(j fileJob, bw *bufio.Writer) (Totals, error) {
	if err := os.MkdirAll(filepath.Dir(j.path), 0o755); err != nil {
		return Totals{}, err
	}
	f, err := os.Create(j.path)
	if err != nil {
		return Totals{}, err
	}
	bw.Reset(f)
	// WriteSession stops after the response group that reaches its size,
	// about 2 KB past it on average.
	t, err := WriteSession(bw, j.sess, max(j.size-2_000, 1_000))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = touchToLastEvent(j.path)
	}
	return t, err
}

// touchToLastEvent sets a transcript's modification time to the time of its
// last line, as on a real machine, where a session's file stops changing
// when the session ends (most files of a big tree are then days old).
func touchToLastEvent(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	tail := make([]byte, min(fi.Size(), 16<<10))
	if _, err := f.ReadAt(tail, fi.Size()-int64(len(tail))); err != nil {
		return err
	}
	const key = `"timestamp":"`
	i := bytes.LastIndex(tail, []byte(key))
	if i < 0 || i+len(key)+24 > len(tail) {
		return nil
	}
	ts, err := time.Parse("2006-01-02T15:04:05.000Z", string(tail[i+len(key):i+len(key)+24]))
	if err != nil {
		return nil //nolint:nilerr // not a timestamp we wrote: leave the time alone
	}
	return os.Chtimes(path, ts, ts)
}
