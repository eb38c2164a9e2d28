package aider

import (
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// File names aider uses in a repository.
const (
	// analyticsName is the per-repository analytics log this package reads
	// in every repository root (aider has no default analytics log; this is
	// the name the package documentation recommends).
	analyticsName = ".aider.analytics.jsonl"
	// historyName is aider's default chat history, in the git root.
	historyName = ".aider.chat.history.md"
)

// Environment variables aider reads.
const (
	envAnalyticsLog = "AIDER_ANALYTICS_LOG"
	envChatHistory  = "AIDER_CHAT_HISTORY_FILE"
)

// kind is the format of one file.
type kind int

const (
	kindAnalytics kind = iota
	kindHistory
)

// role is what Files knows about a file it names: its format and the working
// directory its events get.
type role struct {
	kind kind
	cwd  string
}

// registry remembers the roles of the files one Source named, so that its
// parsers know them: NewParser only receives a path. It is safe for
// concurrent use (the scan runs parsers on several goroutines).
type registry struct {
	mu    sync.RWMutex
	roles map[string]role
}

func (r *registry) set(path string, ro role) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.roles == nil {
		r.roles = map[string]role{}
	}
	r.roles[path] = ro
}

// get returns the role Files gave path, else the role its name implies.
func (r *registry) get(path string) role {
	path = filepath.Clean(path)
	r.mu.RLock()
	ro, ok := r.roles[path]
	r.mu.RUnlock()
	if ok {
		return ro
	}
	return roleByName(path)
}

// roleByName tells the formats apart by file name: *.md and *.markdown are
// chat histories (Cwd = their directory), anything else an analytics log,
// whose Cwd is its directory when it has the per-repository name and ""
// otherwise (it may be a global log).
func roleByName(path string) role {
	base := strings.ToLower(filepath.Base(path))
	switch {
	case strings.HasSuffix(base, ".md"), strings.HasSuffix(base, ".markdown"):
		return role{kind: kindHistory, cwd: filepath.Dir(path)}
	case base == analyticsName:
		return role{kind: kindAnalytics, cwd: filepath.Dir(path)}
	default:
		return role{kind: kindAnalytics}
	}
}

// Source returns the Aider log source: the analytics logs and chat
// histories of the package documentation, as single files (Roots returns
// none). Each call returns an independent source.
func Source() tail.Source {
	reg := &registry{}
	return tail.Source{
		Agent: attribution.AgentAider,
		Roots: func(tail.Env) []string { return nil },
		Match: func(string) bool { return false },
		Files: func(env tail.Env) []string {
			named := files(env)
			for _, f := range named {
				reg.set(f.path, f.role)
			}
			paths := make([]string, len(named))
			for i, f := range named {
				paths[i] = f.path
			}
			return paths
		},
		NewParser: func(path string, state []byte) (tail.Parser, error) {
			return newParser(path, reg.get(path), state)
		},
	}
}

// namedFile is one file Files returns, with its role.
type namedFile struct {
	path string
	role role
}

// files lists the logs to read for env, with their roles, applying the
// no-double-counting rules of the package documentation. Files that do not
// exist are listed too (the scan skips them); a chat history is left out
// only because an analytics log exists.
func files(env tail.Env) []namedFile {
	var out []namedFile
	seen := map[string]bool{}
	add := func(path string, ro role) {
		path = filepath.Clean(path)
		if seen[path] {
			return
		}
		seen[path] = true
		out = append(out, namedFile{path, ro})
	}

	logVar := env.Get(envAnalyticsLog)
	globalLog := ""
	if logVar != "" && filepath.IsAbs(logVar) {
		globalLog = filepath.Clean(logVar)
		add(globalLog, role{kind: kindAnalytics})
	}

	repos := repoRoots(env)
	withLog := map[string]bool{} // repositories that have a per-repository log
	for _, r := range repos {
		candidates := []string{filepath.Join(r, analyticsName)}
		if logVar != "" && !filepath.IsAbs(logVar) {
			candidates = append(candidates, filepath.Join(r, logVar))
		}
		for _, c := range candidates {
			if filepath.Clean(c) == globalLog {
				continue // the global log, even when it lies in a repository
			}
			add(c, role{kind: kindAnalytics, cwd: r})
			if isFile(c) {
				withLog[r] = true
			}
		}
	}

	if globalLog != "" && isFile(globalLog) {
		return out // the exact global log wins over every chat history
	}
	// covered reports whether the innermost repository holding dir has a
	// per-repository analytics log (a nested repository has its own).
	covered := func(dir string) bool {
		owner := ""
		for _, r := range repos {
			if within(dir, r) && len(r) > len(owner) {
				owner = r
			}
		}
		return owner != "" && withLog[owner]
	}
	histVar := env.Get(envChatHistory)
	for _, r := range repos {
		if covered(r) {
			continue
		}
		add(filepath.Join(r, historyName), role{kind: kindHistory, cwd: r})
		if histVar != "" && !filepath.IsAbs(histVar) {
			add(filepath.Join(r, histVar), role{kind: kindHistory, cwd: r})
		}
	}
	if histVar != "" && filepath.IsAbs(histVar) {
		dir := filepath.Dir(filepath.Clean(histVar))
		if !covered(dir) {
			add(histVar, role{kind: kindHistory, cwd: dir})
		}
	}
	return out
}

// repoRoots returns the cleaned, absolute, distinct roots of env.Repos.
func repoRoots(env tail.Env) []string {
	var out []string
	for _, r := range env.Repos {
		if r == "" || !filepath.IsAbs(r) {
			continue
		}
		r = filepath.Clean(r)
		dup := false
		for _, q := range out {
			dup = dup || q == r
		}
		if !dup {
			out = append(out, r)
		}
	}
	return out
}

// within reports whether path is dir or lies below it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
