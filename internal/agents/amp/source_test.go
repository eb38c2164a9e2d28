package amp

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

func TestRoots(t *testing.T) {
	const home = "/home/u"
	legacy := func(base string) []string {
		var out []string
		for _, app := range editors {
			out = append(out, filepath.Join(base, app, "User", "globalStorage", "sourcegraph.amp", "threads3"))
		}
		return out
	}
	tests := []struct {
		name string
		goos string
		vars map[string]string
		want []string
	}{
		{
			name: "linux defaults",
			goos: "linux",
			want: append([]string{"/home/u/.local/share/amp/threads"}, legacy("/home/u/.config")...),
		},
		{
			name: "linux XDG dirs",
			goos: "linux",
			vars: map[string]string{"XDG_DATA_HOME": "/data", "XDG_CONFIG_HOME": "/conf"},
			want: append([]string{"/data/amp/threads", "/home/u/.local/share/amp/threads"}, legacy("/conf")...),
		},
		{
			name: "macOS",
			goos: "darwin",
			want: append([]string{"/home/u/.local/share/amp/threads"}, legacy("/home/u/Library/Application Support")...),
		},
		{
			name: "windows with APPDATA",
			goos: "windows",
			vars: map[string]string{"APPDATA": "/roaming"},
			want: append([]string{"/home/u/.local/share/amp/threads"}, legacy("/roaming")...),
		},
		{
			name: "windows without APPDATA",
			goos: "windows",
			want: append([]string{"/home/u/.local/share/amp/threads"}, legacy("/home/u/AppData/Roaming")...),
		},
		{
			name: "AMP_DATA_DIR replaces the defaults",
			goos: "linux",
			vars: map[string]string{"AMP_DATA_DIR": " /a , ~/b,,/a", "XDG_DATA_HOME": "/data"},
			want: []string{"/a/threads", "/home/u/b/threads"},
		},
		{
			name: "an AMP_DATA_DIR without entries counts as unset",
			goos: "linux",
			vars: map[string]string{"AMP_DATA_DIR": " , "},
			want: append([]string{"/home/u/.local/share/amp/threads"}, legacy("/home/u/.config")...),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tail.Env{Home: home, GOOS: tt.goos, Getenv: func(k string) string { return tt.vars[k] }}
			got := roots(env)
			for i := range tt.want {
				tt.want[i] = filepath.FromSlash(tt.want[i])
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("roots =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
	if got := roots(tail.Env{GOOS: "linux"}); len(got) != 0 {
		t.Errorf("no home, no variables: roots = %q", got)
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		rel  string
		want bool
	}{
		{"T-019b9d03-62e3-772f-9780-3e637f90eaec.json", true},
		{"T-x.json", true},
		{"T-.json", false},
		{"sub/T-x.json", false},
		{"index.json", false},
		{"T-x.json.tmp", false},
		{"T-x.jsonl", false},
	}
	for _, tt := range tests {
		if got := match(tt.rel); got != tt.want {
			t.Errorf("match(%q) = %v, want %v", tt.rel, got, tt.want)
		}
	}
}
