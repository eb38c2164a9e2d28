// Package progress draws a one-line progress bar for long runs (tokenyield
// review reading thousands of commits or pull requests), on standard error
// and only where a person is watching.
//
// # When it shows
//
// Enabled decides: the stream must be a terminal (not a pipe, a file or
// /dev/null), TERM must not be "dumb", and neither CI nor GITHUB_ACTIONS may
// be set (CI services set them; their logs would fill with redraws). A Bar
// made with enabled=false writes nothing at all, so callers need no second
// code path.
//
// # How it draws
//
// The bar is one line redrawn in place with a carriage return:
//
//	review: pull requests [#########---------------] 123/328  37%
//
// Redraws are throttled to at most one per MinInterval (10 per second), and
// nothing is drawn during the first MinInterval, so a run that ends quickly
// shows no bar at all. Done erases the line (spaces, then a carriage
// return: no ANSI escape, which older Windows consoles print verbatim),
// leaving the terminal as it was for the output that follows.
//
// A Bar is safe for concurrent use, and its methods do nothing on a nil
// *Bar.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-isatty"
)

// MinInterval is the shortest time between two redraws, and the delay
// before the first one.
const MinInterval = 100 * time.Millisecond

// Layout of the line.
const (
	// lineWidth is the most columns a line takes: it must fit an 80-column
	// terminal without wrapping (a wrapped line cannot be redrawn with \r).
	lineWidth = 79
	// barWidth is the number of cells between the brackets.
	barWidth = 24
)

// Bar is a progress bar. Create it with New.
type Bar struct {
	mu      sync.Mutex
	w       io.Writer
	label   string
	total   int
	done    int
	enabled bool
	now     func() time.Time
	last    time.Time // last redraw, or creation before the first one
	shown   int       // columns of the line on screen; 0: nothing shown
	closed  bool
}

// New returns a bar that writes to w (normally os.Stderr) with the label in
// front, counting up to total (0 or less: unknown, the bar shows the count
// only). With enabled false (see Enabled) the bar never writes.
func New(w io.Writer, label string, total int, enabled bool) *Bar {
	b := &Bar{w: w, label: oneLine(label), total: total, enabled: enabled && w != nil, now: time.Now}
	b.last = b.now()
	return b
}

// Stderr returns a bar on standard error, enabled where Enabled says so
// (a terminal, outside CI).
func Stderr(label string, total int) *Bar {
	return New(os.Stderr, label, total, Enabled(os.Stderr, os.Getenv))
}

// Enabled reports whether a progress bar should be drawn on f: f is a
// terminal, TERM is not "dumb" and neither CI nor GITHUB_ACTIONS is set
// (a value of "false" or "0" counts as unset). getenv reads the environment
// (nil: os.Getenv).
func Enabled(f *os.File, getenv func(string) string) bool {
	if f == nil {
		return false
	}
	return enabled(isTerminal(f.Fd()), getenv)
}

// isTerminal reports whether the file descriptor is a terminal (a Cygwin or
// MSYS pseudo-terminal counts). Tests replace it.
var isTerminal = func(fd uintptr) bool {
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}

// enabled is Enabled's decision once the terminal question is answered.
func enabled(terminal bool, getenv func(string) string) bool {
	if getenv == nil {
		getenv = os.Getenv
	}
	if !terminal || getenv("TERM") == "dumb" {
		return false
	}
	for _, name := range []string{"CI", "GITHUB_ACTIONS"} {
		switch strings.ToLower(strings.TrimSpace(getenv(name))) {
		case "", "false", "0":
		default:
			return false
		}
	}
	return true
}

// Set records that done items are finished and redraws the bar when the
// last redraw is at least MinInterval old.
func (b *Bar) Set(done int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = done
	b.redraw()
}

// Update is Set that also changes the total. Its signature is the progress
// callback's of review.Collect and review.Outcomes: pass bar.Update.
func (b *Bar) Update(done, total int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done, b.total = done, total
	b.redraw()
}

// Done erases the bar. Later calls of Set and Update draw nothing; calling
// Done again does nothing.
func (b *Bar) Done() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	if b.shown > 0 {
		fmt.Fprint(b.w, "\r"+strings.Repeat(" ", b.shown)+"\r")
		b.shown = 0
	}
}

// redraw draws the line if enabled, open and due. Callers hold b.mu.
func (b *Bar) redraw() {
	if !b.enabled || b.closed {
		return
	}
	now := b.now()
	if now.Sub(b.last) < MinInterval {
		return
	}
	b.last = now
	line := render(b.label, b.done, b.total)
	width := utf8.RuneCountInString(line)
	// Pad over the end of a longer previous line (the label never changes,
	// but the counts can shrink when the total does).
	pad := max(b.shown-width, 0)
	fmt.Fprint(b.w, "\r"+line+strings.Repeat(" ", pad))
	b.shown = width
}

// render builds the line for done of total items, at most lineWidth
// columns: "label [####----] done/total  pct%", or "label done" when the
// total is unknown.
func render(label string, done, total int) string {
	done = max(done, 0)
	var counts string
	if total > 0 {
		done = min(done, total)
		filled := done * barWidth / total
		pct := done * 100 / total
		counts = fmt.Sprintf("[%s%s] %d/%d %3d%%", strings.Repeat("#", filled), strings.Repeat("-", barWidth-filled), done, total, pct)
	} else {
		counts = fmt.Sprintf("%d", done)
	}
	room := lineWidth - utf8.RuneCountInString(counts) - 1
	if room < 1 || label == "" {
		return truncate(counts, lineWidth)
	}
	return truncate(label, room) + " " + counts
}

// truncate cuts s to at most n runes, marking a cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return string([]rune(s)[:max(n, 0)])
	}
	return string([]rune(s)[:n-1]) + "…"
}

// oneLine replaces control characters (newlines, tabs, escapes) by spaces:
// the bar must stay on one line and never emit terminal sequences.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
}
