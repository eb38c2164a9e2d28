package tail

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// parseDoc reads {"calls":[{"id":..,"out":..}]} documents.
func parseDoc(data []byte, emit func(attribution.Event)) error {
	var doc struct {
		Calls []struct {
			ID  string `json:"id"`
			Out int64  `json:"out"`
		} `json:"calls"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	for _, c := range doc.Calls {
		emit(attribution.Event{Agent: "doc", Key: c.ID, Usage: attribution.Usage{Output: c.Out}})
	}
	return nil
}

func TestReadWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "thread.json")
	write := func(body string, at time.Time) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var cur Cursor
	var st Stats
	read := func() (ids []string, err error) {
		err = ReadWhole(path, &cur, parseDoc, func(e attribution.Event) { ids = append(ids, e.Key) }, &st)
		return ids, err
	}
	steps := []struct {
		name    string
		body    string // "" = leave the file alone
		at      time.Time
		want    int
		wantErr bool
	}{
		{"first read", `{"calls":[{"id":"a","out":1}]}`, t0, 1, false},
		{"unchanged", "", t0, 0, false},
		{"rewritten whole", `{"calls":[{"id":"a","out":2},{"id":"b","out":3}]}`, t0.Add(time.Second), 2, false},
		{"caught mid-write", `{"calls":[{"id":"a"`, t0.Add(2 * time.Second), 0, true},
		{"broken and unchanged: not parsed again", "", t0, 0, false},
		{"complete again", `{"calls":[{"id":"a","out":2},{"id":"b","out":3},{"id":"c","out":1}]}`, t0.Add(3 * time.Second), 3, false},
	}
	for _, s := range steps {
		if s.body != "" {
			write(s.body, s.at)
		}
		ids, err := read()
		if (err != nil) != s.wantErr || len(ids) != s.want {
			t.Fatalf("%s: %d events %v, error %v", s.name, len(ids), ids, err)
		}
	}
	if st.Skipped != 1 || st.Read != 4 || st.Files != len(steps) {
		t.Errorf("stats %+v", st)
	}
	if err := ReadWhole(filepath.Join(t.TempDir(), "gone.json"), &Cursor{}, parseDoc, func(attribution.Event) {}, &st); err == nil {
		t.Error("a missing document must be an error")
	}
}

func TestReadDispatch(t *testing.T) {
	called := false
	src := Source{Agent: "x", Read: func(string, *Cursor, func(attribution.Event), *Stats) error { called = true; return nil }}
	if err := Read(src, "/nowhere", &Cursor{}, func(attribution.Event) {}, &Stats{}); err != nil || !called {
		t.Fatalf("Read did not use the source's reader: %v", err)
	}
}

func TestExpandHome(t *testing.T) {
	tests := []struct {
		env  Env
		in   string
		want string
	}{
		{Env{Home: "/h"}, "~", "/h"},
		{Env{Home: "/h"}, "~/x/y", "/h/x/y"},
		{Env{Home: "/h"}, "/abs", "/abs"},
		{Env{Home: "/h"}, "~other/x", "~other/x"},
		{Env{Home: "/h", GOOS: "windows"}, `~\x`, filepath.Join("/h", "x")},
		{Env{Home: "/h", GOOS: "linux"}, `~\x`, `~\x`},
		{Env{}, "~/x", "~/x"},
	}
	for _, tt := range tests {
		if got := tt.env.ExpandHome(tt.in); got != tt.want {
			t.Errorf("%+v ExpandHome(%q) = %q, want %q", tt.env, tt.in, got, tt.want)
		}
	}
}
