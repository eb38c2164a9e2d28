package tagger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
	"github.com/tokenyield/tokenyield/internal/pricing"
	"github.com/tokenyield/tokenyield/internal/scan"
)

// Version is written into notes as the writing tool ("tokenyield/<Version>").
var Version = "dev"

// Config is read from git config (tokenyield.*).
type Config struct {
	// Trailer adds AI-Tokens trailers in the commit-msg hook (tokenyield.trailer, default true).
	Trailer bool
	// Horizon bounds how old usage a commit may take (tokenyield.horizon, default 24h).
	Horizon time.Duration
	// Budget is the hard time limit of a hook's own work (tokenyield.timeout, default 2s).
	Budget time.Duration
}

// DefaultConfig is the configuration when git config says nothing.
func DefaultConfig() Config {
	return Config{Trailer: true, Horizon: attribution.DefaultHorizon, Budget: 2 * time.Second}
}

// Tagger runs the hooks of one worktree.
type Tagger struct {
	Repo   *Repo
	Config Config
	// Agents is where the agents' logs are found (HOME and the tools' variables).
	Agents tail.Env
	// Sources are the agents read (default: all).
	Sources []tail.Source
	// Now is the clock.
	Now func() time.Time
	// Pricer prices notes (default: the embedded table with the user's overrides).
	Pricer attribution.Pricer
}

// New prepares a Tagger for the worktree containing dir.
func New(ctx context.Context, dir string, env tail.Env) (*Tagger, error) {
	repo, err := Discover(ctx, dir)
	if err != nil {
		return nil, err
	}
	env.Repos = []string{repo.Top} // per-repository logs (Aider's) of this worktree
	t := &Tagger{Repo: repo, Config: DefaultConfig(), Agents: env, Sources: agents.All(), Now: time.Now}
	if err := t.readConfig(); err != nil {
		return nil, err
	}
	t.Pricer = &lazyPricer{env: env}
	return t, nil
}

// lazyPricer loads the price table on the first call, so that a commit
// without AI usage never pays for it. A broken override file makes costs
// unknown (never zero); Err reports it.
type lazyPricer struct {
	env  tail.Env
	once sync.Once
	p    attribution.Pricer
	err  error
}

func (l *lazyPricer) Cost(model string, u attribution.Usage) (float64, bool) {
	l.once.Do(func() {
		t, err := pricing.LoadDefault(l.env.Get, l.env.Home)
		if err != nil {
			l.err = err
			return
		}
		l.p = t.Memo()
	})
	if l.p == nil {
		return 0, false
	}
	return l.p.Cost(model, u)
}

// pricingErr returns the error of loading the price table, if any.
func (t *Tagger) pricingErr() error {
	if l, ok := t.Pricer.(*lazyPricer); ok {
		return l.err
	}
	return nil
}

func (t *Tagger) path(name string) string { return filepath.Join(t.Repo.stateDir(), name) }

// withLock runs fn holding the repository's hook lock.
func (t *Tagger) withLock(ctx context.Context, fn func() error) error {
	if err := os.MkdirAll(t.Repo.stateDir(), 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	unlock, err := lockFile(ctx, t.path("lock"))
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// Collected is the outcome of reading the logs.
type Collected struct {
	// Pending is every unattributed event of the repository's worktrees.
	Pending *pendingList
	// Scan is what the scan met (skipped lines, problems).
	Scan scan.Result
	// PendingChanged is set when Pending differs from the saved list; the
	// caller saves it (once, after taking its share).
	PendingChanged bool
	// watch is what the commit-msg script may check instead of starting the
	// binary (see writeWatch); scanStart and fullWalk date it.
	watch               []string
	scanStart, fullWalk time.Time
}

// takeFor removes this worktree's share up to until from the pending list
// and saves the list if anything changed.
func (t *Tagger) takeFor(c Collected, until time.Time) (selection, error) {
	sel := t.selectFor(c.Pending, until)
	if len(sel.seqs) == 0 && !c.PendingChanged {
		return sel, nil
	}
	c.Pending.remove(sel.seqs)
	err := c.Pending.save(t.path("pending"))
	if len(c.Pending.Events) > 0 {
		t.removeWatch() // usage is waiting: the next commit must look
	}
	return sel, err
}

// collect scans the logs incrementally and adds this repository's new usage
// to the pending list; the caller holds the lock. With save true the scan
// state is saved; the pending list never is (see takeFor).
func (t *Tagger) collect(ctx context.Context, save bool) (Collected, error) {
	st, stErr := scan.Load(t.path("scan.state"))
	pend, pErr := loadPending(t.path("pending"))
	// A damaged state has forgotten what was counted: reading every log
	// again would count days of history twice, so it starts over like an
	// install (usage logged since the previous commit is then unattributed,
	// and the error says so).
	rebaseline := stErr != nil
	scanStart := time.Now()
	res := scan.Scan(ctx, t.Agents, t.Sources, st, scan.Options{Quick: save && !rebaseline})
	now := t.Now()
	n := len(pend.Events)
	for _, e := range res.Events {
		if !rebaseline && t.Repo.Owns(e.Cwd) {
			pend.add(e)
		}
	}
	if rebaseline {
		stErr = fmt.Errorf("%w; counting starts over from now (usage since the previous commit is not attributed)", stErr)
	}
	expired := pend.expire(now.Add(-t.Config.Horizon - time.Hour))
	c := Collected{Pending: pend, Scan: res, scanStart: scanStart, fullWalk: st.FullWalk}
	if save && !res.Incomplete && !rebaseline {
		c.watch = watchList(st, append(slices.Clone(res.Files), res.Missing...), scanStart)
	}
	if !save {
		return c, errors.Join(stErr, pErr)
	}
	// Nothing new (the common case between two commits): nothing to write.
	if res.Changed || stErr != nil {
		if err := scan.Save(t.path("scan.state"), st, now, scan.DefaultRetention); err != nil {
			return c, errors.Join(stErr, pErr, err)
		}
	}
	c.PendingChanged = len(pend.Events) != n || expired > 0 || pErr != nil
	return c, errors.Join(stErr, pErr)
}

// selection is the part of the pending list a commit takes.
type selection struct {
	events []attribution.Event
	seqs   []uint64
	taken  pendingEvents
}

// selectFor picks the pending events of this worktree up to until.
func (t *Tagger) selectFor(pend *pendingList, until time.Time) selection {
	cwds := map[string]bool{}
	for _, e := range pend.Events {
		cwds[e.Cwd] = true
	}
	w := attribution.Window{Root: t.Repo.Top, Exclude: t.Repo.excluded(cwds), Until: until, Horizon: t.Config.Horizon}
	var s selection
	for _, p := range pend.Events {
		e := p.event()
		if w.Contains(e) {
			s.events = append(s.events, e)
			s.seqs = append(s.seqs, p.Seq)
			s.taken = append(s.taken, p)
		}
	}
	return s
}

// note sums events into a note stamped with this tool's version.
func (t *Tagger) note(events []attribution.Event) attribution.Note {
	n := attribution.Sum(events, t.Pricer)
	n.Tool = "tokenyield/" + Version
	return n
}

// Baseline makes everything the agents logged so far count as seen, so that
// history before install never lands on a commit.
func (t *Tagger) Baseline(ctx context.Context) error {
	return t.withLock(ctx, func() error {
		st := scan.NewState()
		res := scan.Scan(ctx, t.Agents, t.Sources, st, scan.Options{})
		if res.Incomplete {
			return fmt.Errorf("reading the agents' logs did not finish: %w", ctx.Err())
		}
		if err := scan.Save(t.path("scan.state"), st, t.Now(), scan.DefaultRetention); err != nil {
			return err
		}
		t.removeWatch()
		return (&pendingList{}).save(t.path("pending"))
	})
}

// Baselined reports whether Baseline (install) ran for this repository.
func (t *Tagger) Baselined() bool {
	_, err := os.Stat(t.path("scan.state"))
	return err == nil
}
