package custom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

func TestParse(t *testing.T) {
	const ok = `{"v":1,"agent":"sdk-script","model":"claude-sonnet-4-6","time":"2026-11-27T10:04:05+01:00","input":1200,"cache_read":30000,"cache_write":5,"output":850,"reasoning":100,"cwd":"/home/me/app/","session":"run-42","id":"msg_01"}`
	tests := []struct {
		name, line string
		want       attribution.Event // compared when wantErr is ""
		wantErr    string
	}{
		{name: "full record", line: ok, want: attribution.Event{
			Agent: "sdk-script", Session: attribution.HashSession("sdk-script", "run-42"), Key: "msg_01", Model: "claude-sonnet-4-6",
			Time: time.Date(2026, 11, 27, 9, 4, 5, 0, time.UTC), Cwd: "/home/me/app",
			Usage: attribution.Usage{Input: 1200, CacheRead: 30000, CacheWrite: 5, Output: 850, Reasoning: 100},
		}},
		{name: "defaults", line: `{"v":1,"model":"m","time":"2026-11-27T10:00:00Z","output":3,"estimated":true}`, want: attribution.Event{
			Agent: "custom", Key: "line:", Model: "m", Time: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC),
			Usage: attribution.Usage{Output: 3}, Estimated: true,
		}},
		{name: "not JSON", line: `{"v":1,`, wantErr: "not a usage record"},
		{name: "wrong version", line: `{"v":2,"model":"m","time":"2026-11-27T10:00:00Z"}`, wantErr: "format version 2"},
		{name: "no version", line: `{"model":"m","time":"2026-11-27T10:00:00Z"}`, wantErr: "format version 0"},
		{name: "no model", line: `{"v":1,"time":"2026-11-27T10:00:00Z"}`, wantErr: "model is required"},
		{name: "no time", line: `{"v":1,"model":"m"}`, wantErr: "time is required"},
		{name: "bad time", line: `{"v":1,"model":"m","time":"yesterday"}`, wantErr: "not a usage record"},
		{name: "negative", line: `{"v":1,"model":"m","time":"2026-11-27T10:00:00Z","input":-1}`, wantErr: "input=-1"},
		{name: "absurd", line: `{"v":1,"model":"m","time":"2026-11-27T10:00:00Z","output":99999999999999}`, wantErr: "output="},
		{name: "fraction", line: `{"v":1,"model":"m","time":"2026-11-27T10:00:00Z","output":1.5}`, wantErr: "not a usage record"},
		{name: "reasoning over output", line: `{"v":1,"model":"m","time":"2026-11-27T10:00:00Z","output":1,"reasoning":2}`, wantErr: "reasoning 2 exceeds output 1"},
		{name: "relative cwd", line: `{"v":1,"model":"m","time":"2026-11-27T10:00:00Z","cwd":"app"}`, wantErr: "not absolute"},
		{name: "bad agent name", line: `{"v":1,"agent":"My Agent","model":"m","time":"2026-11-27T10:00:00Z"}`, wantErr: "use 1-64 characters"},
		{name: "markdown in agent name", line: `{"v":1,"agent":"x](http://e)","model":"m","time":"2026-11-27T10:00:00Z"}`, wantErr: "use 1-64 characters"},
		{name: "built-in agent", line: `{"v":1,"agent":"claude-code","model":"m","time":"2026-11-27T10:00:00Z"}`, wantErr: "read from its own logs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.line))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(tt.want.Key, "line:") && strings.HasPrefix(got.Key, "line:") {
				tt.want.Key = got.Key // a content hash
			}
			if got != tt.want {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestHome(t *testing.T) {
	tests := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"TOKENYIELD_HOME": "/ty/"}, "/ty/usage"},
		{map[string]string{"XDG_CONFIG_HOME": "/xdg"}, "/xdg/tokenyield/usage"},
		{map[string]string{"XDG_CONFIG_HOME": "relative"}, "HOME/.config/tokenyield/usage"},
		{nil, "HOME/.config/tokenyield/usage"},
	}
	for _, tt := range tests {
		env := agenttest.Env(t, tt.vars)
		want := strings.Replace(tt.want, "HOME", env.Home, 1)
		if got := Dir(env); got != want {
			t.Errorf("Dir(%v) = %q, want %q", tt.vars, got, want)
		}
	}
}

// Records in several files, one repeated (same id) and one repeated without
// an id (same line), count once each; a bad line is skipped and counted.
func TestSourceTotals(t *testing.T) {
	home := t.TempDir()
	env := agenttest.Env(t, map[string]string{"TOKENYIELD_HOME": home})
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	rec := func(id string, out int64) Record {
		return Record{V: 1, Agent: "bot", Model: "gpt-5", Time: at, Input: 10, Output: out, Cwd: "/src/app", ID: id}
	}
	a := filepath.Join(Dir(env), "a.jsonl")
	b := filepath.Join(Dir(env), "team", "b.jsonl")
	for _, r := range []Record{rec("r1", 5), rec("r2", 7), rec("", 11)} {
		if err := Append(a, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []Record{rec("r1", 5), rec("", 11), rec("r3", 13)} { // r1 and the id-less line again
		if err := Append(b, r); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(b, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("{not json}\n")
	_ = f.Close()
	sum := agenttest.Scan(t, env, Source())
	// r1 5 + r2 7 + the id-less 11 + r3 13 = 36 output; 4 calls × 10 input.
	if sum.Total.Output != 36 || sum.Total.Input != 40 || sum.Requests != 4 {
		t.Fatalf("total %+v, %d requests; want output 36, input 40, 4 requests", sum.Total, sum.Requests)
	}
	if s := sum.Stats[attribution.AgentCustom]; s == nil || s.Skipped != 1 {
		t.Fatalf("skipped lines: %+v, want 1", s)
	}
	for _, e := range sum.Events {
		if e.Agent != "bot" || e.Cwd != "/src/app" {
			t.Fatalf("event %+v", e)
		}
	}
	if err := Append(a, Record{V: 1, Model: "m"}); err == nil {
		t.Fatal("Append accepted a record without a time")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"v":1,"agent":"a","model":"m","time":"2026-11-27T10:00:00Z","input":1,"output":2,"id":"x"}`))
	f.Add([]byte(`{"v":1,"model":"m","time":"2026-11-27T10:00:00Z","cache_read":9007199254740993}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, line []byte) {
		e, err := Parse(line)
		if err == nil {
			if verr := e.Usage.Validate(); verr != nil {
				t.Fatalf("accepted invalid usage: %v", verr)
			}
			if e.Agent == "" || e.Key == "" || e.Time.IsZero() {
				t.Fatalf("accepted incomplete event %+v", e)
			}
		}
	})
}
