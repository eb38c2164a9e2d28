package goose

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

func TestRoots(t *testing.T) {
	j := filepath.Join
	home := "/home/me"
	linux := []string{j(home, ".local", "share", "goose", "sessions"), j(home, ".local", "share", "Block", "goose", "sessions")}
	tests := []struct {
		name string
		home string
		goos string
		env  map[string]string
		want []string
	}{
		{"Linux", home, "linux", nil, linux},
		{"macOS: XDG too, and ccusage's Application Support", home, "darwin", nil,
			append(slices.Clone(linux), j(home, "Library", "Application Support", "goose", "sessions"))},
		{"XDG_DATA_HOME first", home, "linux", map[string]string{"XDG_DATA_HOME": "/xdg"},
			append([]string{j("/xdg", "goose", "sessions")}, linux...)},
		{"relative XDG_DATA_HOME ignored (etcetera)", home, "linux", map[string]string{"XDG_DATA_HOME": "xdg"}, linux},
		{"GOOSE_PATH_ROOT replaces", home, "linux", map[string]string{"GOOSE_PATH_ROOT": "/opt/goose", "XDG_DATA_HOME": "/xdg"},
			[]string{j("/opt/goose", "data", "sessions")}},
		{"relative GOOSE_PATH_ROOT ignored (as Goose does)", home, "linux", map[string]string{"GOOSE_PATH_ROOT": "goose"}, linux},
		{"Windows: %APPDATA%", `C:\Users\me`, "windows", map[string]string{"APPDATA": `C:\Users\me\AppData\Roaming`, "XDG_DATA_HOME": "/xdg"},
			[]string{j(`C:\Users\me\AppData\Roaming`, "Block", "goose", "data", "sessions")}},
		{"Windows without APPDATA", `C:\Users\me`, "windows", nil,
			[]string{j(`C:\Users\me`, "AppData", "Roaming", "Block", "goose", "data", "sessions")}},
		{"Windows GOOSE_PATH_ROOT", `C:\Users\me`, "windows", map[string]string{"GOOSE_PATH_ROOT": `D:\goose`},
			[]string{j(`D:\goose`, "data", "sessions")}},
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
	env := tail.Env{Home: "/home/me", GOOS: "linux", Getenv: func(k string) string { return map[string]string{"GOOSE_PATH_ROOT": "/g"}[k] }}
	if got, want := Source().Files(env), []string{filepath.Join("/g", "data", "sessions", "sessions.db")}; !slices.Equal(got, want) {
		t.Errorf("Files = %q, want %q", got, want)
	}
}

func TestMatch(t *testing.T) {
	for rel, want := range map[string]bool{
		"sessions.db":               true,
		"20250710_2.jsonl":          true,
		"sessions.db-wal":           false,
		"sessions.db-shm":           false,
		"backups/sessions.db":       false,
		"old/20250710_2.jsonl":      false,
		".jsonl":                    false,
		"20250710_2.jsonl.tmp":      false,
		"pre_migration_v5_to_v6.db": false,
	} {
		if got := Source().Match(rel); got != want {
			t.Errorf("Match(%q) = %v, want %v", rel, got, want)
		}
	}
}

func TestSource(t *testing.T) {
	s := Source()
	if s.Agent != attribution.AgentGoose || s.Roots == nil || s.Match == nil || s.Files == nil || s.Read == nil || s.NewParser != nil {
		t.Errorf("Source() = %+v", s)
	}
}

// TestLegacySamples reads the hand-made legacy session files on their own:
// 20250710_2 is one session of 700 input and 70 output tokens (its
// accumulated counters; the latest call's 380+32 are ignored), dated by its
// newest message (1752141611); 20250709_1 has no counters at all.
func TestLegacySamples(t *testing.T) {
	root := t.TempDir()
	dir := sessionsDir(root)
	copyFile(t, samples+"/legacy/20250710_2.jsonl", dir)
	copyFile(t, samples+"/legacy/20250709_1.jsonl", dir)
	got := scanRoot(t, root)
	if got.Total != (attribution.Usage{Input: 700, Output: 70}) || got.Requests != 1 || len(got.Problems) != 0 {
		t.Fatalf("total %+v in %d sessions, problems %q", got.Total, got.Requests, got.Problems)
	}
	e := got.Events[0]
	if e.Session != attribution.HashSession(attribution.AgentGoose, "20250710_2") || e.Cwd != "/work/legacy-repo" ||
		e.Model != "unknown" || !e.Time.Equal(time.Unix(1752141611, 0).UTC()) || e.LowerBound {
		t.Errorf("event = %+v", e)
	}
	if st := got.Stats[attribution.AgentGoose]; st.Files != 2 || st.Skipped != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestParseLegacy(t *testing.T) {
	mtime := func() time.Time { return time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		data string
		want attribution.Usage
		at   time.Time
		low  bool
		err  string
	}{
		{"latest call only", `{"working_dir":"/r","input_tokens":5,"output_tokens":2,"total_tokens":9}`,
			attribution.Usage{Input: 5, Output: 4, Reasoning: 2}, mtime(), true, ""},
		{"first line a message", `{"role":"user","created":1752141600,"content":[]}`, attribution.Usage{}, time.Time{}, false, ""},
		{"half-written first line", `{"working_dir":"/r","accumulated_in`, attribution.Usage{}, time.Time{}, false, ""},
		{"counter of another type", `{"working_dir":"/r","accumulated_input_tokens":"many"}`, attribution.Usage{}, time.Time{}, false,
			"goose session file (unknown version): accumulated_input_tokens"},
		{"fraction", `{"working_dir":"/r","accumulated_output_tokens":1.5}`, attribution.Usage{}, time.Time{}, false, "not a token count"},
		{"messages in ms", "{\"working_dir\":\"/r\",\"accumulated_input_tokens\":1}\n{\"created\":1752141600123}\nnot json \"created\"\n",
			attribution.Usage{Input: 1}, time.UnixMilli(1752141600123).UTC(), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var events []attribution.Event
			err := parseLegacy("/s/20250701_1.jsonl", []byte(tt.data), mtime, func(e attribution.Event) { events = append(events, e) })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || len(events) != 0 {
					t.Errorf("err = %v, %d events; want %q", err, len(events), tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want.IsZero() {
				if len(events) != 0 {
					t.Errorf("events %+v", events)
				}
				return
			}
			if len(events) != 1 || events[0].Usage != tt.want || !events[0].Time.Equal(tt.at) || events[0].LowerBound != tt.low || events[0].Key != "20250701_1" {
				t.Errorf("events %+v, want %+v at %v", events, tt.want, tt.at)
			}
		})
	}
}

func TestValues(t *testing.T) {
	for _, tt := range []struct {
		v    any
		n    int64
		ok   bool
		fail bool
	}{
		{nil, 0, false, false}, {int64(5), 5, true, false}, {float64(7), 7, true, false}, {"12", 12, true, false},
		{[]byte(" 3 "), 3, true, false}, {"", 0, false, false}, {int64(-1), 0, false, true}, {1.5, 0, false, true},
		{"x", 0, false, true}, {true, 0, false, true}, {float64(1 << 40), 0, false, true},
	} {
		n, ok, err := count(tt.v)
		if n != tt.n || ok != tt.ok || (err != nil) != tt.fail {
			t.Errorf("count(%#v) = %d, %v, %v", tt.v, n, ok, err)
		}
	}
	want := time.Date(2026, 9, 1, 10, 0, 5, 0, time.UTC)
	for _, v := range []any{"2026-09-01 10:00:05", "2026-09-01T10:00:05Z", "2026-09-01 10:00:05.000000+00:00",
		"2026-09-01T12:00:05+02:00", want, want.Unix(), want.UnixMilli(), []byte("2026-09-01 10:00:05")} {
		if got, ok := parseTime(v); !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseTime(%#v) = %v, %v", v, got, ok)
		}
	}
	for _, v := range []any{"soon", "", nil, int64(12), "1970-01-01 00:00:00", 3.5} {
		if got, ok := parseTime(v); ok {
			t.Errorf("parseTime(%#v) = %v", v, got)
		}
	}
	if got := (counters{input: 10, output: 5, total: 12}).usage(); got != (attribution.Usage{Input: 10, Output: 5}) {
		t.Errorf("a total below input + output adds nothing: %+v", got)
	}
}
