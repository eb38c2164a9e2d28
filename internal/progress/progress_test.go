package progress

import (
	"bytes"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// fakeClock is a manual clock for the throttle.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// newTestBar returns an enabled bar on a buffer with a manual clock.
func newTestBar(label string, total int) (*Bar, *bytes.Buffer, *fakeClock) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	b := New(&buf, label, total, true)
	b.now = clock.now
	b.last = clock.now()
	return b, &buf, clock
}

// frames splits the output into the lines drawn (each starts with \r).
func frames(out string) []string {
	return strings.Split(out, "\r")[1:]
}

func TestRender(t *testing.T) {
	tests := []struct {
		name        string
		label       string
		done, total int
		want        string
	}{
		{"start", "commits", 0, 10, "commits [------------------------] 0/10   0%"},
		{"middle", "commits", 5, 10, "commits [############------------] 5/10  50%"},
		{"end", "commits", 10, 10, "commits [########################] 10/10 100%"},
		{"over the total is clamped", "x", 12, 10, "x [########################] 10/10 100%"},
		{"negative done is zero", "x", -3, 4, "x [------------------------] 0/4   0%"},
		{"rounding down", "x", 1, 3, "x [########----------------] 1/3  33%"},
		{"unknown total", "commits", 42, 0, "commits 42"},
		{"no label", "", 1, 2, "[############------------] 1/2  50%"},
		{"long label is cut", strings.Repeat("a", 100), 1, 2, strings.Repeat("a", 42) + "… [############------------] 1/2  50%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(tt.label, tt.done, tt.total)
			if got != tt.want {
				t.Errorf("render = %q\nwant     %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > lineWidth {
				t.Errorf("line is %d columns, more than %d", n, lineWidth)
			}
		})
	}
}

func TestRenderHugeCounts(t *testing.T) {
	got := render("label", 1<<40, 1<<41)
	if n := utf8.RuneCountInString(got); n > lineWidth {
		t.Errorf("line %q is %d columns, more than %d", got, n, lineWidth)
	}
}

// TestThrottle feeds 1,000 updates over one simulated second: the bar
// redraws at most once per MinInterval and never in the first one.
func TestThrottle(t *testing.T) {
	b, buf, clock := newTestBar("items", 1000)
	b.Set(0)
	if buf.Len() != 0 {
		t.Fatalf("drew %q before MinInterval passed", buf.String())
	}
	for i := 1; i <= 1000; i++ {
		clock.advance(time.Millisecond)
		b.Set(i)
	}
	got := frames(buf.String())
	// 1,000 ms of updates: the first redraw at 100 ms, then one per 100 ms.
	if len(got) != 10 {
		t.Fatalf("%d redraws in one second, want 10 (one per %s): %q", len(got), MinInterval, got)
	}
	if want := render("items", 100, 1000); got[0] != want {
		t.Errorf("first frame %q, want %q", got[0], want)
	}
	if want := render("items", 1000, 1000); got[len(got)-1] != want {
		t.Errorf("last frame %q, want %q", got[len(got)-1], want)
	}
}

func TestQuickRunDrawsNothing(t *testing.T) {
	b, buf, clock := newTestBar("items", 3)
	for i := 1; i <= 3; i++ {
		clock.advance(10 * time.Millisecond)
		b.Set(i)
	}
	b.Done()
	if buf.Len() != 0 {
		t.Errorf("a 30 ms run wrote %q, want nothing", buf.String())
	}
}

func TestDoneClears(t *testing.T) {
	b, buf, clock := newTestBar("items", 4)
	clock.advance(MinInterval)
	b.Set(2)
	line := render("items", 2, 4)
	if buf.String() != "\r"+line {
		t.Fatalf("drew %q, want %q", buf.String(), "\r"+line)
	}
	b.Done()
	want := "\r" + line + "\r" + strings.Repeat(" ", utf8.RuneCountInString(line)) + "\r"
	if buf.String() != want {
		t.Errorf("after Done %q, want %q", buf.String(), want)
	}
	// Done is final: no more drawing, and a second Done writes nothing.
	clock.advance(time.Second)
	b.Set(3)
	b.Done()
	if buf.String() != want {
		t.Errorf("after Done, Set and Done wrote more: %q", buf.String())
	}
}

// TestShrinkingLinePadded: a shorter line covers the previous one.
func TestShrinkingLinePadded(t *testing.T) {
	b, buf, clock := newTestBar("items", 1000)
	clock.advance(MinInterval)
	b.Set(1000)
	long := render("items", 1000, 1000)
	clock.advance(MinInterval)
	b.Update(1, 2)
	short := render("items", 1, 2)
	pad := strings.Repeat(" ", utf8.RuneCountInString(long)-utf8.RuneCountInString(short))
	if want := "\r" + long + "\r" + short + pad; buf.String() != want {
		t.Errorf("drew %q, want %q", buf.String(), want)
	}
}

func TestDisabledWritesNothing(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "items", 10, false)
	b.now = func() time.Time { return time.Now().Add(time.Hour) }
	for i := range 10 {
		b.Set(i)
		b.Update(i, 20)
	}
	b.Done()
	if buf.Len() != 0 {
		t.Errorf("disabled bar wrote %q", buf.String())
	}
}

func TestNilBar(t *testing.T) {
	var b *Bar
	b.Set(1)
	b.Update(1, 2)
	b.Done()
}

func TestLabelControlCharacters(t *testing.T) {
	b, buf, clock := newTestBar("a\nb\x1b[2Jc\t", 2)
	clock.advance(MinInterval)
	b.Set(1)
	if strings.ContainsAny(buf.String(), "\n\x1b\t") {
		t.Errorf("control characters reached the terminal: %q", buf.String())
	}
}

// TestConcurrent updates the bar from several goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "items", 400, true)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				b.Update(g*100+i, 400)
			}
		}()
	}
	wg.Wait()
	b.Done()
}

func TestEnabledDecision(t *testing.T) {
	tests := []struct {
		name     string
		terminal bool
		env      map[string]string
		want     bool
	}{
		{"terminal", true, nil, true},
		{"not a terminal", false, nil, false},
		{"CI", true, map[string]string{"CI": "true"}, false},
		{"CI=1", true, map[string]string{"CI": "1"}, false},
		{"CI=false counts as unset", true, map[string]string{"CI": "false"}, true},
		{"CI=0 counts as unset", true, map[string]string{"CI": "0"}, true},
		{"GitHub Actions", true, map[string]string{"GITHUB_ACTIONS": "true"}, false},
		{"dumb terminal", true, map[string]string{"TERM": "dumb"}, false},
		{"xterm", true, map[string]string{"TERM": "xterm-256color"}, true},
		{"not a terminal outside CI", false, map[string]string{"TERM": "xterm"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			if got := enabled(tt.terminal, getenv); got != tt.want {
				t.Errorf("enabled = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestEnabledFakeTerminal goes through Enabled with the terminal check
// replaced, so the environment rules are tested on a "terminal" file.
func TestEnabledFakeTerminal(t *testing.T) {
	old := isTerminal
	t.Cleanup(func() { isTerminal = old })
	isTerminal = func(uintptr) bool { return true }
	noEnv := func(string) string { return "" }
	if !Enabled(os.Stderr, noEnv) {
		t.Error("fake terminal, no CI: Enabled = false, want true")
	}
	if Enabled(os.Stderr, func(k string) string { return map[string]string{"GITHUB_ACTIONS": "true"}[k] }) {
		t.Error("fake terminal in GitHub Actions: Enabled = true, want false")
	}
	if Enabled(nil, noEnv) {
		t.Error("nil file: Enabled = true")
	}
}

// TestStderr: on a (fake) terminal outside CI the bar is enabled, in CI
// it is not.
func TestStderr(t *testing.T) {
	old := isTerminal
	t.Cleanup(func() { isTerminal = old })
	isTerminal = func(uintptr) bool { return true }
	t.Setenv("CI", "")
	t.Setenv("GITHUB_ACTIONS", "")
	t.Setenv("TERM", "xterm")
	if b := Stderr("x", 1); !b.enabled || b.w != os.Stderr {
		t.Errorf("Stderr on a terminal: enabled %v, writer %v", b.enabled, b.w)
	}
	t.Setenv("CI", "true")
	if b := Stderr("x", 1); b.enabled {
		t.Error("Stderr in CI is enabled")
	}
}

// TestEnabledRealFiles checks the real terminal test: a pipe and a regular
// file are not terminals; the master side of a pseudo-terminal is one.
func TestEnabledRealFiles(t *testing.T) {
	noEnv := func(string) string { return "" }
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if Enabled(w, noEnv) {
		t.Error("pipe: Enabled = true, want false")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if Enabled(f, noEnv) {
		t.Error("regular file: Enabled = true, want false")
	}
	if runtime.GOOS != "linux" {
		return
	}
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Logf("no pseudo-terminal to test with: %v", err)
		return
	}
	defer pty.Close()
	if !Enabled(pty, noEnv) {
		t.Error("pseudo-terminal: Enabled = false, want true")
	}
	if Enabled(pty, func(k string) string { return map[string]string{"CI": "true"}[k] }) {
		t.Error("pseudo-terminal with CI=true: Enabled = true, want false")
	}
}
