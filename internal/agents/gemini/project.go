package gemini

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Files of the Gemini CLI home that name project roots.
const (
	markerFile   = ".project_root" // in <tmp>/<slug>/: the slug's root
	registryFile = "projects.json" // in <home>/.gemini/: root -> slug
	maxMetaBytes = 16 << 20        // larger marker or registry files are ignored
)

// projects resolves the project directory of a session file to the root
// directory Gemini CLI was started in (see the package documentation). It
// is safe for concurrent use by the parsers of one scan.
type projects struct {
	mu    sync.Mutex
	repos []string          // Env.Repos of the last Roots call
	found map[string]string // projectDir + "\x00" + projectHash -> root
}

func newProjects() *projects { return &projects{found: map[string]string{}} }

// setRepos records the caller's repositories, candidates for legacy hashes.
func (pr *projects) setRepos(repos []string) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.repos = append([]string(nil), repos...)
}

// root returns the root of the project directory dir whose sessions carry
// projectHash hash ("" when unknown), or "" when it cannot be told.
// Resolved roots are remembered: a slug or hash never changes owner.
func (pr *projects) root(dir, hash string) string {
	if dir == "" {
		return ""
	}
	key := dir + "\x00" + hash
	pr.mu.Lock()
	if r, ok := pr.found[key]; ok {
		pr.mu.Unlock()
		return r
	}
	repos := pr.repos
	pr.mu.Unlock()

	r := resolveRoot(dir, hash, repos)
	if r != "" {
		pr.mu.Lock()
		pr.found[key] = r
		pr.mu.Unlock()
	}
	return r
}

// resolveRoot does the work of root without the cache.
func resolveRoot(dir, hash string, repos []string) string {
	marker := readMarker(filepath.Join(dir, markerFile))
	registry := readRegistry(filepath.Join(filepath.Dir(filepath.Dir(dir)), registryFile))

	var candidates []string
	if marker != "" {
		candidates = append(candidates, marker)
	}
	for root := range registry {
		candidates = append(candidates, root)
	}
	for _, r := range repos {
		candidates = append(candidates, repoVariants(r)...)
	}

	if isHash(hash) {
		if r := withHash(candidates, hash); r != "" {
			return r
		}
	}
	if marker != "" {
		return marker
	}
	slug := filepath.Base(dir)
	owner := ""
	for root, s := range registry {
		if s != slug || !tail.IsAbsAnyOS(root) {
			continue
		}
		if owner != "" {
			owner = "" // two roots claim the slug: trust neither
			break
		}
		owner = root
	}
	if owner != "" {
		return owner
	}
	if isHash(slug) {
		return withHash(candidates, slug)
	}
	return ""
}

// withHash returns the first candidate whose sha256 is hash.
func withHash(candidates []string, hash string) string {
	for _, c := range candidates {
		sum := sha256.Sum256([]byte(c))
		if hex.EncodeToString(sum[:]) == hash {
			return c
		}
	}
	return ""
}

// repoVariants returns the spellings of a repository root Gemini CLI may
// have hashed: as given, cleaned, with native separators (git prints
// C:/x on Windows, Gemini hashes C:\x), and resolved through symbolic links.
func repoVariants(r string) []string {
	if r == "" {
		return nil
	}
	out := []string{r}
	add := func(v string) {
		for _, o := range out {
			if o == v {
				return
			}
		}
		out = append(out, v)
	}
	add(filepath.Clean(r))
	add(filepath.FromSlash(filepath.Clean(r)))
	if len(r) >= 3 && r[1] == ':' {
		add(strings.ReplaceAll(r, "/", `\`)) // a Windows path read on another system
	}
	if real, err := filepath.EvalSymlinks(r); err == nil {
		add(real)
	}
	return out
}

// readMarker returns the absolute root written in an ownership marker, or "".
func readMarker(path string) string {
	b, err := tail.ReadSmall(path, maxMetaBytes)
	if err != nil {
		return ""
	}
	root := strings.TrimSpace(string(b))
	if !tail.IsAbsAnyOS(root) || strings.ContainsAny(root, "\x00\n") {
		return ""
	}
	return root
}

// readRegistry returns the roots and slugs of projects.json (nil when it is
// missing or unreadable: Gemini CLI then rebuilds it from the markers).
func readRegistry(path string) map[string]string {
	b, err := tail.ReadSmall(path, maxMetaBytes)
	if err != nil {
		return nil
	}
	var reg struct {
		Projects map[string]string `json:"projects"`
	}
	if json.Unmarshal(b, &reg) != nil {
		return nil
	}
	return reg.Projects
}

// isHash reports whether s is a lower-case sha256 hex digest.
func isHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
