package opencode

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

func TestRoots(t *testing.T) {
	j := filepath.Join
	home := j(string(filepath.Separator)+"home", "me")
	tests := []struct {
		name string
		home string
		goos string
		env  map[string]string
		want []string
	}{
		{"Linux default", home, "linux", nil, []string{j(home, ".local", "share", "opencode", "storage")}},
		{"macOS is the same (xdg-basedir)", home, "darwin", nil, []string{j(home, ".local", "share", "opencode", "storage")}},
		{"Windows is the same under the home", `C:\Users\me`, "windows", nil, []string{j(`C:\Users\me`, ".local", "share", "opencode", "storage")}},
		{"XDG_DATA_HOME first, ccusage's default too", home, "linux", map[string]string{"XDG_DATA_HOME": "/xdg"},
			[]string{j("/xdg", "opencode", "storage"), j(home, ".local", "share", "opencode", "storage")}},
		{"XDG_DATA_HOME is the default", home, "linux", map[string]string{"XDG_DATA_HOME": j(home, ".local", "share")},
			[]string{j(home, ".local", "share", "opencode", "storage")}},
		{"OPENCODE_DATA_DIR list replaces", home, "linux", map[string]string{"OPENCODE_DATA_DIR": " /a , /b,,/a/ ", "XDG_DATA_HOME": "/xdg"},
			[]string{j("/a", "storage"), j("/b", "storage")}},
		{"blank OPENCODE_DATA_DIR", home, "linux", map[string]string{"OPENCODE_DATA_DIR": " , "}, []string{j(home, ".local", "share", "opencode", "storage")}},
		{"no home", "", "linux", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tail.Env{Home: tt.home, GOOS: tt.goos, Getenv: func(k string) string { return tt.env[k] }}
			if got := Source().Roots(env); !slices.Equal(got, tt.want) {
				t.Errorf("Roots = %q\nwant    %q", got, tt.want)
			}
		})
	}
}

func TestFiles(t *testing.T) {
	data := t.TempDir()
	for _, name := range []string{"opencode.db", "opencode-beta.db", "opencode-dev_2.1.db", "opencode-.db", "opencode-x y.db", "opencode.db-wal", "other.db"} {
		if err := os.WriteFile(filepath.Join(data, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"databases of the data directory", map[string]string{"OPENCODE_DATA_DIR": data},
			[]string{filepath.Join(data, "opencode.db"), filepath.Join(data, "opencode-beta.db"), filepath.Join(data, "opencode-dev_2.1.db")}},
		{"OPENCODE_DB relative", map[string]string{"OPENCODE_DATA_DIR": data, "OPENCODE_DB": "custom.sqlite"},
			[]string{filepath.Join(data, "opencode.db"), filepath.Join(data, "opencode-beta.db"), filepath.Join(data, "opencode-dev_2.1.db"), filepath.Join(data, "custom.sqlite")}},
		{"OPENCODE_DB absolute, in memory", map[string]string{"OPENCODE_DATA_DIR": "/nowhere", "OPENCODE_DB": "/db/x.db"},
			[]string{filepath.Join("/nowhere", "opencode.db"), "/db/x.db"}},
		{"OPENCODE_DB in memory", map[string]string{"OPENCODE_DATA_DIR": "/nowhere", "OPENCODE_DB": ":memory:"},
			[]string{filepath.Join("/nowhere", "opencode.db")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tail.Env{Home: "/home/me", GOOS: "linux", Getenv: func(k string) string { return tt.env[k] }}
			if got := Source().Files(env); !slices.Equal(got, tt.want) {
				t.Errorf("Files = %q\nwant    %q", got, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	for rel, want := range map[string]bool{
		"message/ses_1/msg_1.json":   true,
		"part/msg_1/prt_1.json":      true,
		"session/proj/ses_1.json":    false,
		"project/proj.json":          false,
		"part/prt_0001.json":         false, // flat drift layout
		"message/ses_1/x/msg_1.json": false,
		"message/ses_1/.json":        false,
		"message//msg_1.json":        false,
		"part/msg_1/prt_1.json.tmp":  false,
		"session_diff/ses_1.json":    false,
	} {
		if got := Source().Match(rel); got != want {
			t.Errorf("Match(%q) = %v, want %v", rel, got, want)
		}
	}
}

func TestKindOf(t *testing.T) {
	j := filepath.Join
	for path, want := range map[string]fileKind{
		j("/d", "opencode.db"):                              kindDB,
		j("/d", "custom.sqlite"):                            kindDB,
		j("/d", "storage", "message", "ses", "msg.json"):    kindMessage,
		j("/d", "storage", "part", "msg", "prt.json"):       kindPart,
		j("/d", "elsewhere", "part", "msg", "prt.json"):     kindDB,
		j("/d", "storage", "session", "proj", "ses_1.json"): kindDB,
	} {
		if got := kindOf(path); got != want {
			t.Errorf("kindOf(%s) = %v, want %v", path, got, want)
		}
	}
}

func TestSource(t *testing.T) {
	s := Source()
	if s.Agent != attribution.AgentOpenCode || s.Roots == nil || s.Match == nil || s.Files == nil || s.Read == nil || s.NewParser != nil {
		t.Errorf("Source() = %+v", s)
	}
}
