package gemini

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Sample trees, each a Gemini CLI tmp directory (GEMINI_DATA_DIR) below a
// .gemini-like directory (synthetic/ holds projects.json).
const (
	samples      = agenttest.Samples + "/gemini"
	samplesTmp   = samples + "/agent-sessions/tmp" // upstream fixtures in a real layout
	syntheticDir = samples + "/synthetic"          // hand-made: see SOURCES.md
	syntheticTmp = syntheticDir + "/tmp"
)

// Raw session ids of the synthetic tree.
const (
	synMain     = "5e55a001-6c1d-4f0e-9a4e-2b7c51d0e001"
	synSub      = "9c2e7f10-5b3a-4d8e-8f21-6a0d4e2b3c44"
	synMigrated = "7a7a0002-3b4c-4d5e-8f60-718293a4b5c6"
	synLegacy   = "01d00003-0000-4000-8000-00000000abcd"
)

// scanDir scans a tmp directory named by GEMINI_DATA_DIR with a fresh state.
func scanDir(t testing.TB, tmp string, repos ...string) agenttest.Summary {
	t.Helper()
	abs, err := filepath.Abs(tmp)
	if err != nil {
		t.Fatal(err)
	}
	env := agenttest.Env(t, map[string]string{"GEMINI_DATA_DIR": abs})
	env.Repos = repos
	return agenttest.Scan(t, env, Source())
}

// matchedFiles lists the files Source matches below a root.
func matchedFiles(t testing.TB, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err == nil && match(filepath.ToSlash(rel)) {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// readEvents reads files through Source().Read (keys included, no
// de-duplication) and returns the events and the stats.
func readEvents(t testing.TB, files ...string) ([]attribution.Event, tail.Stats) {
	t.Helper()
	src := Source()
	var events []attribution.Event
	var st tail.Stats
	for _, f := range files {
		cur := &tail.Cursor{}
		_ = tail.Read(src, f, cur, func(e attribution.Event) { events = append(events, e) }, &st)
	}
	return events, st
}

// rawTokens is a message's tokens object as written.
type rawTokens struct {
	Input, Output, Cached, Thoughts, Tool, Total int64
}

// reference is an independent reading of a tmp tree with encoding/json: every
// "gemini" message with tokens, from message lines, checkpoints and
// documents, keyed by (first session id, message id), the last copy
// winning. It shares no code with the reader.
func reference(t testing.TB, tmp string) map[string]rawTokens {
	t.Helper()
	out := map[string]rawTokens{}
	type message struct {
		ID     string     `json:"id"`
		Type   string     `json:"type"`
		Tokens *rawTokens `json:"tokens"`
	}
	type record struct {
		SessionID string    `json:"sessionId"`
		Messages  []message `json:"messages"`
		Set       *record   `json:"$set"`
		message
	}
	add := func(session string, m message) {
		if m.Type == "gemini" && m.Tokens != nil && *m.Tokens != (rawTokens{}) {
			out[session+"/"+m.ID] = *m.Tokens
		}
	}
	for _, f := range matchedFiles(t, tmp) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var records []record
		if strings.HasSuffix(f, ".json") {
			var r record
			if json.Unmarshal(data, &r) == nil && r.SessionID != "" {
				records = append(records, r)
			}
		} else {
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 1<<24)
			for sc.Scan() {
				var r record
				if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				records = append(records, r)
			}
		}
		session := ""
		for _, r := range records {
			if session == "" {
				session = r.SessionID
			}
			for _, m := range r.Messages {
				add(session, m)
			}
			if r.Set != nil {
				for _, m := range r.Set.Messages {
					add(session, m)
				}
			}
			add(session, r.message)
		}
	}
	return out
}

// sum adds reference tokens up.
func sum(ref map[string]rawTokens) rawTokens {
	var s rawTokens
	for _, v := range ref {
		s.Input += v.Input
		s.Output += v.Output
		s.Cached += v.Cached
		s.Thoughts += v.Thoughts
		s.Tool += v.Tool
		s.Total += v.Total
	}
	return s
}

// appendFile appends data to a file.
func appendFile(t testing.TB, path string, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
