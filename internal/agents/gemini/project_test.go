package gemini

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestProjectRoot builds a .gemini directory per case: projects.json, and
// tmp/<dir>/.project_root when marker is set.
func TestProjectRoot(t *testing.T) {
	tests := []struct {
		name     string
		dir      string // project directory name below tmp/
		marker   string // "" for none
		registry string // projects.json content, "" for none
		hash     string // the sessions' projectHash
		repos    []string
		want     string
	}{
		{"marker", "repo", "/home/a/repo\n", "", sha("/home/a/repo"), nil, "/home/a/repo"},
		{"marker wins over a registry that disagrees", "repo", "/home/a/repo", `{"projects":{"/elsewhere":"repo"}}`, "", nil, "/home/a/repo"},
		{"relative marker ignored", "repo", "home/a/repo", "", "", nil, ""},
		{"registry entry of the slug", "repo-1", "", `{"projects":{"/home/a/repo":"repo","/home/b/repo":"repo-1"}}`, "", nil, "/home/b/repo"},
		{"slug claimed twice: unknown", "repo", "", `{"projects":{"/home/a/repo":"repo","/home/b/repo":"repo"}}`, "", nil, ""},
		{"corrupt registry", "repo", "", `{"projects":`, "", nil, ""},
		{"projectHash of a registry root", "other", "", `{"projects":{"/home/a/repo":"repo"}}`, sha("/home/a/repo"), nil, "/home/a/repo"},
		{"legacy hash directory: unknown without repositories", sha("/home/a/old"), "", "", sha("/home/a/old"), nil, ""},
		{"legacy hash directory matched by a repository", sha("/home/a/old"), "", "", sha("/home/a/old"), []string{"/x", "/home/a/old/"}, "/home/a/old"},
		{"legacy hash directory without metadata", sha("/home/a/old"), "", "", "", []string{"/home/a/old"}, "/home/a/old"},
		{"repository started elsewhere: unknown", sha("/home/a/old/sub"), "", "", sha("/home/a/old/sub"), []string{"/home/a/old"}, ""},
		{"Windows: hash of the original spelling beats the lower-cased marker", "repo", `c:\users\me\repo`,
			`{"projects":{"c:\\users\\me\\repo":"repo"}}`, sha(`C:\Users\Me\Repo`), []string{"C:/Users/Me/Repo"}, `C:\Users\Me\Repo`},
		{"Windows marker alone", "repo", `c:\users\me\repo`, "", sha(`C:\Users\Me\Repo`), nil, `c:\users\me\repo`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			dir := filepath.Join(home, "tmp", tt.dir)
			if err := os.MkdirAll(filepath.Join(dir, "chats"), 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.marker != "" {
				write(t, filepath.Join(dir, markerFile), tt.marker)
			}
			if tt.registry != "" {
				write(t, filepath.Join(home, registryFile), tt.registry)
			}
			pr := newProjects()
			pr.setRepos(tt.repos)
			if got := pr.root(dir, tt.hash); got != tt.want {
				t.Errorf("root = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestProjectRootSymlink: Gemini CLI hashes the directory as the process saw
// it; a repository reached through a symbolic link matches by its target.
func TestProjectRootSymlink(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real")
	link := filepath.Join(base, "link")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symbolic links:", err)
	}
	realResolved, err := filepath.EvalSymlinks(real)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "gemini", "tmp", sha(realResolved))
	pr := newProjects()
	pr.setRepos([]string{link})
	if got := pr.root(dir, sha(realResolved)); got != realResolved {
		t.Errorf("root = %q, want %q", got, realResolved)
	}
}

// TestProjectRootCache: a resolved root is remembered (a slug never changes
// owner), an unresolved one is looked up again.
func TestProjectRootCache(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, "tmp", "repo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pr := newProjects()
	if got := pr.root(dir, ""); got != "" {
		t.Fatalf("root without marker = %q", got)
	}
	write(t, filepath.Join(dir, markerFile), "/home/a/repo")
	if got := pr.root(dir, ""); got != "/home/a/repo" {
		t.Fatalf("root once the marker exists = %q", got)
	}
	if err := os.Remove(filepath.Join(dir, markerFile)); err != nil {
		t.Fatal(err)
	}
	if got := pr.root(dir, ""); got != "/home/a/repo" {
		t.Errorf("cached root = %q", got)
	}
	if got := pr.root("", ""); got != "" {
		t.Errorf("root of no directory = %q", got)
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
