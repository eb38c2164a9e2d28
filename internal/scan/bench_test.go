package scan_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/bench/genclaude/gen"
	"github.com/tokenyield/tokenyield/internal/agents"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// The benchmarks read a synthetic Claude Code tree: the one at
// $TOKENYIELD_BENCH_TREE (a genclaude -out directory, as bench/usage.sh
// makes), or else a ~20 MB tree generated in a temporary directory.
//
//	go test ./internal/scan -run '^$' -bench . -benchtime 20x
//	TOKENYIELD_BENCH_TREE=/tmp/tokenyield-bench/claude go test ./internal/scan -run '^$' -bench BenchmarkIncremental -benchtime 20x

const (
	benchTreeEnv   = "TOKENYIELD_BENCH_TREE"
	smallTreeBytes = 20_000_000
	appendBytes    = 1 << 20
)

type benchTree struct {
	dir      string
	external bool
	manifest *gen.Tree // nil when the tree has none
}

func openBenchTree(b *testing.B) benchTree {
	b.Helper()
	if dir := os.Getenv(benchTreeEnv); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "projects")); err != nil {
			b.Fatalf("%s=%s: %v", benchTreeEnv, dir, err)
		}
		t := benchTree{dir: dir, external: true}
		if m, err := gen.ReadManifest(dir); err == nil {
			t.manifest = &m
		}
		return t
	}
	dir := b.TempDir()
	m, err := gen.Generate(dir, smallTreeBytes, 1)
	if err != nil {
		b.Fatal(err)
	}
	return benchTree{dir: dir, manifest: &m}
}

// benchEnv points Claude Code's reader at the tree and nowhere else: an
// empty home and no environment but CLAUDE_CONFIG_DIR.
func benchEnv(b *testing.B, tree string) tail.Env {
	vars := map[string]string{"CLAUDE_CONFIG_DIR": tree}
	return tail.Env{Home: b.TempDir(), GOOS: runtime.GOOS, Getenv: func(k string) string { return vars[k] }}
}

func claudeSources(b *testing.B) []tail.Source {
	b.Helper()
	srcs, unknown := agents.Named([]string{"claude-code"})
	if len(unknown) > 0 || len(srcs) != 1 {
		b.Fatalf("agents.Named(claude-code) = %d sources, unknown %v", len(srcs), unknown)
	}
	return srcs
}

type sums struct {
	input, output, cacheRead, cacheWrite int64
	responses                            int64 // events that are not increments of an earlier one
}

func (s *sums) add(e attribution.Event) {
	s.input += e.Usage.Input
	s.output += e.Usage.Output
	s.cacheRead += e.Usage.CacheRead
	s.cacheWrite += e.Usage.CacheWrite
	if !e.Increment {
		s.responses++
	}
}

func sumEvents(evs []attribution.Event) sums {
	var s sums
	for _, e := range evs {
		s.add(e)
	}
	return s
}

func (s sums) matches(t gen.Totals) bool {
	return s.input == t.Input && s.output == t.Output && s.cacheRead == t.CacheRead &&
		s.cacheWrite == t.CacheWrite && s.responses == t.Responses
}

func (s sums) String() string {
	return fmt.Sprintf("input %d output %d cache_read %d cache_write %d responses %d",
		s.input, s.output, s.cacheRead, s.cacheWrite, s.responses)
}

func totalsString(t gen.Totals) string {
	return fmt.Sprintf("input %d output %d cache_read %d cache_write %d responses %d",
		t.Input, t.Output, t.CacheRead, t.CacheWrite, t.Responses)
}

// treeBytes is the size of every *.jsonl file under dir/projects.
func treeBytes(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(filepath.Join(dir, "projects"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".jsonl") {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkFullScan scans the whole tree with a fresh state, as
// `tokenyield usage` does (aggregating through Options.Each), and checks the
// totals against the generator's.
func BenchmarkFullScan(b *testing.B) {
	tree := openBenchTree(b)
	env := benchEnv(b, tree.dir)
	srcs := claudeSources(b)
	b.SetBytes(treeBytes(b, tree.dir))
	ctx := context.Background()
	for b.Loop() {
		// Aggregate as events arrive, as `tokenyield usage` does.
		var got sums
		res := scan.Scan(ctx, env, srcs, scan.NewState(), scan.Options{Each: got.add})
		if tree.manifest != nil {
			if !got.matches(tree.manifest.Totals) {
				b.Fatalf("full scan: got %v, generator wrote %v (problems %v)", got, totalsString(tree.manifest.Totals), res.Problems)
			}
		}
	}
}

// BenchmarkIncremental measures what the git hook does after a commit: load
// the persisted scan state, scan (stat every log file, parse only the bytes
// appended since the last scan) and save the state again. Each iteration
// first appends about 1 MB of new conversation lines (not timed).
//
// With a generated tree the lines are appended to one of its transcripts;
// with $TOKENYIELD_BENCH_TREE (shared, so left as it was) they go to a new
// file projects/bench-incremental/<n>.jsonl, removed when the run ends.
// The state is saved with "now" one hour after the newest event of the tree,
// so the de-dup memory holds the tree's last scan.DefaultRetention, as it
// would for an active user (with time.Now() it would hold nothing of a tree
// generated for earlier dates).
func BenchmarkIncremental(b *testing.B) {
	tree := openBenchTree(b)
	env := benchEnv(b, tree.dir)
	srcs := claudeSources(b)
	ctx := context.Background()

	// Setup: a full scan, saved.
	st := scan.NewState()
	res := scan.Scan(ctx, env, srcs, st, scan.Options{})
	if len(res.Events) == 0 {
		b.Fatalf("full scan of %s found no usage (problems %v)", tree.dir, res.Problems)
	}
	if tree.manifest != nil {
		if got := sumEvents(res.Events); !got.matches(tree.manifest.Totals) {
			b.Fatalf("full scan: got %v, generator wrote %v", got, totalsString(tree.manifest.Totals))
		}
	}
	latest := res.Events[len(res.Events)-1].Time
	now := latest.Add(time.Hour)
	statePath := filepath.Join(b.TempDir(), "scan-state")
	if err := scan.Save(statePath, st, now, scan.DefaultRetention); err != nil {
		b.Fatal(err)
	}

	target, sess := appendTarget(b, tree)
	clock := latest
	var stateBytes, appended int64
	var loadT, scanT, saveT time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sess.Seed = uint64(i) + 1
		sess.IDSpace = "b" + base62(i, 4)
		sess.Start = clock.Add(time.Minute)
		want := appendSession(b, target, sess)
		clock = want.Last
		appended += want.Bytes
		// Write back what this benchmark wrote outside the timed part (the
		// appended lines, the previous state file), so that the disk's
		// writeback of it does not land in the next timed part.
		syncFile(b, target)
		syncFile(b, statePath)
		b.StartTimer()

		t0 := time.Now()
		st, err := scan.Load(statePath)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		res := scan.Scan(ctx, env, srcs, st, scan.Options{})
		t2 := time.Now()
		if err := scan.Save(statePath, st, now, scan.DefaultRetention); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()

		b.StopTimer()
		loadT += t1.Sub(t0)
		scanT += t2.Sub(t1)
		saveT += t3.Sub(t2)
		if got := sumEvents(res.Events); !got.matches(want) {
			b.Fatalf("iteration %d: new events %v, appended %v (problems %v)", i, got, totalsString(want), res.Problems)
		}
		if fi, err := os.Stat(statePath); err == nil {
			stateBytes = fi.Size()
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(appended)/float64(b.N)/1e6, "MB-appended/op")
	b.ReportMetric(float64(stateBytes)/1e6, "state-MB")
	b.ReportMetric(float64(len(st.Cursors)), "files")
	// Where the time goes: load, scan and save, each per op.
	b.ReportMetric(loadT.Seconds()*1e3/float64(b.N), "load-ms/op")
	b.ReportMetric(scanT.Seconds()*1e3/float64(b.N), "scan-ms/op")
	b.ReportMetric(saveT.Seconds()*1e3/float64(b.N), "save-ms/op")
}

// appendTarget returns the file to append to and the session its new lines
// belong to.
func appendTarget(b *testing.B, tree benchTree) (string, gen.Session) {
	b.Helper()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	if tree.external {
		dir := filepath.Join(tree.dir, "projects", "bench-incremental")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("%d-%d.jsonl", os.Getpid(), time.Now().UnixNano()))
		b.Cleanup(func() {
			os.Remove(path)
			os.Remove(dir) // only if empty
		})
		return path, gen.Session{Cwd: "/home/dev/src/bench-incremental", ID: gen.NewUUID(r), GitBranch: "main"}
	}
	// The first main transcript of the generated tree.
	var files []string
	_ = filepath.WalkDir(filepath.Join(tree.dir, "projects"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jsonl") && !strings.Contains(p, "subagents") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		b.Fatal("no transcript in the generated tree")
	}
	sort.Strings(files)
	path := files[0]
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if !bytes.Contains(sc.Bytes(), []byte(`"cwd"`)) {
			continue
		}
		var l struct {
			Cwd       string `json:"cwd"`
			SessionID string `json:"sessionId"`
			GitBranch string `json:"gitBranch"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			b.Fatal(err)
		}
		return path, gen.Session{Cwd: l.Cwd, ID: l.SessionID, GitBranch: l.GitBranch}
	}
	b.Fatalf("%s: no line with a cwd", path)
	return "", gen.Session{}
}

func appendSession(b *testing.B, path string, sess gen.Session) gen.Totals {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	t, err := gen.WriteSession(f, sess, appendBytes)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	return t
}

func syncFile(b *testing.B, path string) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		b.Fatal(err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
}

func base62(v, digits int) string {
	const b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	out := make([]byte, digits)
	for i := digits - 1; i >= 0; i-- {
		out[i] = b62[v%62]
		v /= 62
	}
	return string(out)
}
