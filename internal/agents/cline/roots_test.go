package cline

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// TestRoots checks where each source looks, per platform and flavour.
func TestRoots(t *testing.T) {
	j := filepath.Join
	home := j(string(filepath.Separator)+"home", "me")
	win := `C:\Users\me`
	mac := j(string(filepath.Separator)+"Users", "me")
	gs := func(user, ext string) string { return j(user, "globalStorage", ext, "tasks") }
	tests := []struct {
		name    string
		src     tail.Source
		home    string
		goos    string
		env     map[string]string
		include []string // among the roots
		exclude []string // not among them
	}{
		{"Cline, Linux, VS Code", Source(), home, "linux", nil,
			[]string{gs(j(home, ".config", "Code", "User"), clineExtension)}, nil},
		{"Cline, Linux, every flavour", Source(), home, "linux", nil,
			[]string{
				gs(j(home, ".config", "Code - Insiders", "User"), clineExtension),
				gs(j(home, ".config", "VSCodium", "User"), clineExtension),
				gs(j(home, ".config", "Cursor", "User"), clineExtension),
				gs(j(home, ".config", "Windsurf", "User"), clineExtension),
				gs(j(home, ".config", "Positron", "User"), clineExtension),
				gs(j(home, ".config", "Antigravity", "User"), clineExtension),
			}, nil},
		{"Linux honours XDG_CONFIG_HOME, and keeps ~/.config", Source(), home, "linux", map[string]string{"XDG_CONFIG_HOME": "/xdg"},
			[]string{gs(j("/xdg", "Code", "User"), clineExtension), gs(j(home, ".config", "Code", "User"), clineExtension)}, nil},
		{"Linux Flatpak builds", KiloSource(), home, "linux", nil,
			[]string{gs(j(home, ".var", "app", "com.visualstudio.code", "config", "Code", "User"), kiloExtension),
				gs(j(home, ".var", "app", "com.vscodium.codium", "config", "VSCodium", "User"), kiloExtension)}, nil},
		{"a relative XDG_CONFIG_HOME is ignored", Source(), home, "linux", map[string]string{"XDG_CONFIG_HOME": "rel"},
			nil, []string{gs(j("rel", "Code", "User"), clineExtension)}},
		{"remote servers", RooSource(), home, "linux", map[string]string{"VSCODE_AGENT_FOLDER": "/srv/vscode"},
			[]string{
				gs(j(home, ".vscode-server", "data", "User"), rooExtension),
				gs(j(home, ".vscode-server-insiders", "data", "User"), rooExtension),
				gs(j(home, ".cursor-server", "data", "User"), rooExtension),
				gs(j("/srv/vscode", "data", "User"), rooExtension),
			}, nil},
		{"macOS", KiloSource(), mac, "darwin", map[string]string{"XDG_CONFIG_HOME": "/xdg"},
			[]string{gs(j(mac, "Library", "Application Support", "Code", "User"), kiloExtension), gs(j(mac, "Library", "Application Support", "Cursor", "User"), kiloExtension)},
			[]string{gs(j(mac, ".config", "Code", "User"), kiloExtension), gs(j("/xdg", "Code", "User"), kiloExtension),
				gs(j(mac, ".var", "app", "com.visualstudio.code", "config", "Code", "User"), kiloExtension)}},
		{"Windows with APPDATA", Source(), win, "windows", map[string]string{"APPDATA": `D:\Roaming`},
			[]string{gs(j(`D:\Roaming`, "Code", "User"), clineExtension)},
			[]string{gs(j(win, "AppData", "Roaming", "Code", "User"), clineExtension)}},
		{"Windows without APPDATA", Source(), win, "windows", nil,
			[]string{gs(j(win, "AppData", "Roaming", "Code", "User"), clineExtension), gs(j(win, "AppData", "Roaming", "Windsurf", "User"), clineExtension)}, nil},
		{"Cline data dir by default", Source(), home, "linux", nil,
			[]string{j(home, ".cline", "data", "tasks"), j(home, ".cline", "data", "sessions")}, nil},
		{"CLINE_DIR", Source(), home, "linux", map[string]string{"CLINE_DIR": "/opt/cline"},
			[]string{j("/opt/cline", "data", "tasks"), j("/opt/cline", "data", "sessions")},
			[]string{j(home, ".cline", "data", "tasks")}},
		{"CLINE_DATA_DIR wins over CLINE_DIR", Source(), home, "linux", map[string]string{"CLINE_DIR": "/opt/cline", "CLINE_DATA_DIR": "/data/cline/"},
			[]string{j("/data/cline", "tasks"), j("/data/cline", "sessions")},
			[]string{j("/opt/cline", "data", "tasks")}},
		{"CLINE_SESSION_DATA_DIR", Source(), home, "linux", map[string]string{"CLINE_SESSION_DATA_DIR": "/s"},
			[]string{j(home, ".cline", "data", "tasks"), "/s"},
			[]string{j(home, ".cline", "data", "sessions")}},
		{"Roo's CLI", RooSource(), home, "linux", nil,
			[]string{j(home, ".vscode-mock", "global-storage", "tasks")}, []string{j(home, ".cline", "data", "tasks")}},
		{"Kilo has neither", KiloSource(), home, "linux", nil, nil,
			[]string{j(home, ".vscode-mock", "global-storage", "tasks"), j(home, ".cline", "data", "tasks")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tail.Env{Home: tt.home, GOOS: tt.goos, Getenv: func(k string) string { return tt.env[k] }}
			roots := tt.src.Roots(env)
			for _, r := range tt.include {
				if !slices.Contains(roots, r) {
					t.Errorf("missing %q in %q", r, roots)
				}
			}
			for _, r := range tt.exclude {
				if slices.Contains(roots, r) {
					t.Errorf("unexpected %q", r)
				}
			}
			seen := map[string]bool{}
			for _, r := range roots {
				if seen[r] || r == "" {
					t.Errorf("root %q repeated or empty", r)
				}
				seen[r] = true
			}
		})
	}
	// Without a home and variables there is nothing to look at.
	for _, src := range []tail.Source{Source(), RooSource(), KiloSource()} {
		if got := src.Roots(tail.Env{GOOS: "linux"}); len(got) != 0 {
			t.Errorf("%s without a home: %q", src.Agent, got)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		rel         string
		cline, roo  bool
		description string
	}{
		{"1770577380000/ui_messages.json", true, true, "a task"},
		{"0199d9a0-0000-7000-8000-000000000001/ui_messages.json", true, true, "a Roo task"},
		{"s1/s1.messages.json", true, false, "a Cline SDK session"},
		{"s1/explorer-1.messages.json", true, false, "a Cline SDK subagent"},
		{"s1/.messages.json", false, false, "no stem"},
		{"s1/s1.json", false, false, "an SDK manifest"},
		{"t/api_conversation_history.json", false, false, "a side file"},
		{"t/history_item.json", false, false, "a side file"},
		{"_index.json", false, false, "Roo's index"},
		{"ui_messages.json", false, false, "not in a task folder"},
		{"a/b/ui_messages.json", false, false, "too deep"},
		{".trash/ui_messages.json", false, false, "hidden folder"},
		{"t/ui_messages.json.bak", false, false, "a backup"},
	} {
		if got := Source().Match(tt.rel); got != tt.cline {
			t.Errorf("Cline Match(%q) (%s) = %v", tt.rel, tt.description, got)
		}
		if got := RooSource().Match(tt.rel); got != tt.roo {
			t.Errorf("Roo Match(%q) (%s) = %v", tt.rel, tt.description, got)
		}
	}
}

func TestSources(t *testing.T) {
	for src, agent := range map[*tail.Source]string{ptr(Source()): attribution.AgentCline, ptr(RooSource()): attribution.AgentRooCode, ptr(KiloSource()): attribution.AgentKiloCode} {
		if src.Agent != agent || src.Roots == nil || src.Match == nil || src.Read == nil || src.NewParser != nil {
			t.Errorf("%s: %+v", agent, src)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestCustomStoragePath: Roo and Kilo read their customStoragePath from a
// flavour's settings.json (JSON with comments and trailing commas).
func TestCustomStoragePath(t *testing.T) {
	home := t.TempDir()
	custom := filepath.Join(t.TempDir(), "roo store")
	settings := filepath.Join(home, ".config", "Code", "User", "settings.json")
	write(t, settings, `{
	// where Roo keeps tasks
	"roo-cline.customStoragePath": "`+filepath.ToSlash(custom)+`", /* moved */
	"kilo-code.customStoragePath": "relative/path",
	"editor.fontSize": 14,
}`)
	env := tail.Env{Home: home, GOOS: "linux"}
	if roots := RooSource().Roots(env); !slices.Contains(roots, filepath.Join(custom, "tasks")) {
		t.Errorf("Roo roots %q lack the custom path", roots)
	}
	for _, r := range KiloSource().Roots(env) {
		if filepath.Base(filepath.Dir(r)) == "path" {
			t.Errorf("Kilo took a relative custom path: %q", r)
		}
	}
	// A task there is found and read.
	copyDir(t, filepath.Join(rooSample, rooExtension, "tasks"), filepath.Join(custom, "tasks"))
	got := discover(t, RooSource(), env)
	if len(got) != 1 || filepath.Dir(filepath.Dir(got[0])) != filepath.Join(custom, "tasks") {
		t.Errorf("found %q", got)
	}
}

func TestStripJSONC(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1}`:                          `{"a":1}`,
		`{"a":"//not a comment"}`:          `{"a":"//not a comment"}`,
		`{"a":"/* nor this */"}`:           `{"a":"/* nor this */"}`,
		"{\"a\":1, // c\n}":                "{\"a\":1  \n}",
		`{"a":[1,2,],}`:                    `{"a":[1,2 ] }`,
		`{"a":1 /* x */}`:                  `{"a":1  }`,
		`{"a":"\"quoted\" //"}`:            `{"a":"\"quoted\" //"}`,
		`{"a":1,/* c */}`:                  `{"a":1  }`,
		`{"a":1} /* unterminated`:          `{"a":1}  `,
		`"unterminated`:                    `"unterminated`,
		"{\"a\":1 // trailing\n// more\n}": "{\"a\":1 \n\n}",
	} {
		if got := string(stripJSONC([]byte(in))); got != want {
			t.Errorf("stripJSONC(%q) = %q, want %q", in, got, want)
		}
	}
}

// discover walks a source's roots like a scan does.
func discover(t testing.TB, src tail.Source, env tail.Env) []string {
	t.Helper()
	var files []string
	for _, root := range src.Roots(env) {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return nil
				}
				return err
			}
			rel, err := filepath.Rel(root, p)
			if err == nil && !d.IsDir() && src.Match(filepath.ToSlash(rel)) {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(files)
	return files
}

func write(t testing.TB, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSettingsCache: a settings.json is parsed once for the flavours that
// read it in one process (the same keys come back), and again once it
// changes.
func TestSettingsCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(path, []byte(`{"a": "/x", // comment
	}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &settingsCache{files: map[string]parsedSettings{}}
	first, again := c.get(path), c.get(path)
	if string(first["a"]) != `"/x"` || reflect.ValueOf(first).Pointer() != reflect.ValueOf(again).Pointer() {
		t.Fatalf("first %q, again parsed anew: %v", first, reflect.ValueOf(first).Pointer() != reflect.ValueOf(again).Pointer())
	}
	if err := os.WriteFile(path, []byte(`{"a": "/longer/y"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := c.get(path); string(got["a"]) != `"/longer/y"` {
		t.Errorf("after the change: %q", got)
	}
	if got := c.get(filepath.Join(t.TempDir(), "missing.json")); got != nil {
		t.Errorf("missing file: %q", got)
	}
}
