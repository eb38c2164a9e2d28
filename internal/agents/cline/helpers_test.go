package cline

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Sample trees (see testdata/sessions/{cline,roo,kilo}/SOURCES.md). Each
// globalStorage folder is what a VS Code user dir holds below User/.
var (
	clineSample = filepath.Join(agenttest.Samples, "cline", "synthetic", "globalStorage")
	clineSDK    = filepath.Join(agenttest.Samples, "cline", "sdk-handmade") // a Cline data dir: holds sessions/
	rooSample   = filepath.Join(agenttest.Samples, "roo", "synthetic", "globalStorage")
	kiloSample  = filepath.Join(agenttest.Samples, "kilo", "handmade", "globalStorage")
)

// Task ids of the samples.
const (
	clineTaskID  = "1770577380000"
	rooTaskID    = "0199d9a0-0000-7000-8000-000000000001"
	kiloTaskA    = "019a4e8c-2f00-7c3a-9b1e-0000000000a1"
	kiloTaskB    = "019bc0f1-4a00-7d2e-8f3a-0000000000b2"
	sdkSessionID = "1783670400000_k3f9a"
)

// install copies a sample globalStorage tree into VS Code's user dir below
// env's home, at the place env.GOOS uses for flavour, and returns the
// globalStorage folder of the copy.
func install(t testing.TB, env tail.Env, sample, flavour string) string {
	t.Helper()
	var user string
	switch env.GOOS {
	case "darwin":
		user = filepath.Join(env.Home, "Library", "Application Support", flavour, "User")
	case "windows":
		user = filepath.Join(env.Home, "AppData", "Roaming", flavour, "User")
	default:
		user = filepath.Join(env.Home, ".config", flavour, "User")
	}
	dst := filepath.Join(user, "globalStorage")
	copyDir(t, sample, dst)
	return dst
}

// copyDir copies the files below src into dst, creating folders and
// merging with what dst already holds.
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// readEvents reads one file with src.Read from a fresh cursor and returns
// its events (with keys, unlike a scan's), the stats and the error.
func readEvents(t testing.TB, src tail.Source, path string) ([]attribution.Event, tail.Stats, error) {
	t.Helper()
	var events []attribution.Event
	var st tail.Stats
	err := src.Read(path, &tail.Cursor{}, func(e attribution.Event) { events = append(events, e) }, &st)
	return events, st, err
}

// rawRow is one usage message of a ui_messages.json as a plain
// encoding/json decode sees it: the reference the tests compare with.
type rawRow struct {
	Ts                                           int64
	Say                                          string
	Protocol                                     string
	TokensIn, TokensOut, CacheReads, CacheWrites int64
	HasCounts                                    bool
}

// rawRows decodes a ui_messages.json with encoding/json into generic values,
// independently of the package's lenient decoder, and returns its usage
// messages.
func rawRows(t testing.TB, path string) []rawRow {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []map[string]any
	if err := json.Unmarshal(data, &msgs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var rows []rawRow
	for _, m := range msgs {
		say, _ := m["say"].(string)
		if say != "api_req_started" && say != "api_req_finished" && say != "subagent_usage" && say != "deleted_api_reqs" && say != "api_req_deleted" {
			continue
		}
		text, _ := m["text"].(string)
		var info map[string]any
		if err := json.Unmarshal([]byte(text), &info); err != nil {
			t.Fatalf("%s: text of %v: %v", path, m["ts"], err)
		}
		ts, _ := m["ts"].(float64)
		r := rawRow{Ts: int64(ts), Say: say}
		r.Protocol, _ = info["apiProtocol"].(string)
		for k, dst := range map[string]*int64{"tokensIn": &r.TokensIn, "tokensOut": &r.TokensOut, "cacheReads": &r.CacheReads, "cacheWrites": &r.CacheWrites} {
			if v, ok := info[k].(float64); ok {
				*dst = int64(v)
				r.HasCounts = true
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// rawSums adds the raw fields of the rows with counts.
func rawSums(rows []rawRow) (in, out, cacheReads, cacheWrites int64, n int) {
	for _, r := range rows {
		if !r.HasCounts {
			continue
		}
		in += r.TokensIn
		out += r.TokensOut
		cacheReads += r.CacheReads
		cacheWrites += r.CacheWrites
		n++
	}
	return in, out, cacheReads, cacheWrites, n
}

// jsonNumbers decodes a side file and returns the numbers at keys of its
// first object (a task history is an array of them).
func jsonNumbers(t testing.TB, path string, keys ...string) map[string]int64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if a, ok := v.([]any); ok && len(a) > 0 {
		v = a[0]
	}
	out := map[string]int64{}
	for _, k := range keys {
		n, ok := agenttest.Number(v, k)
		if !ok {
			t.Fatalf("%s: no number %q", path, k)
		}
		out[k] = n
	}
	return out
}

// writeNewer replaces path's content and moves its modification time
// forward, as a rewrite by the extension does.
func writeNewer(t testing.TB, path string, data []byte) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	later := fi.ModTime().Add(2 * time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
}

// msg builds one ClineMessage for synthetic documents.
func msg(ts int64, say string, text any) map[string]any {
	m := map[string]any{"ts": ts, "type": "say", "say": say}
	if s, ok := text.(string); ok {
		m["text"] = s
	} else if text != nil {
		b, err := json.Marshal(text)
		if err != nil {
			panic(err)
		}
		m["text"] = string(b)
	}
	return m
}

// doc encodes messages as a ui_messages.json document.
func doc(msgs ...map[string]any) []byte {
	b, err := json.Marshal(msgs)
	if err != nil {
		panic(err)
	}
	return b
}
