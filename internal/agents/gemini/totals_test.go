package gemini

import (
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// TestSampleTotals reads the upstream fixtures (agent-sessions) laid out as
// Gemini CLI stores them. Figures by hand from the files:
//
//	jsonl_v040.jsonl  g-assistant-1: input 11855, output 81, cached 0      -> Input 11855, Output 81
//	                  g-assistant-2: input 12069, output 147, cached 11502 -> Input 567, CacheRead 11502, Output 147
//	large.json        m2: input 100, output 10 (m2b has no tokens; "model" records are not gemini messages)
//	small.json        m2: input 10, output 5
//	schema_drift.json no sessionId, no messages: skipped and counted
//
// Input 11855+567+100+10 = 12532, CacheRead 11502, Output 81+147+10+5 = 243,
// 4 requests.
func TestSampleTotals(t *testing.T) {
	got := scanDir(t, samplesTmp)
	want := attribution.Usage{Input: 12532, CacheRead: 11502, Output: 243}
	if got.Total != want || got.Requests != 4 {
		t.Errorf("totals = %+v in %d requests, want %+v in 4", got.Total, got.Requests, want)
	}
	st := got.Stats[attribution.AgentGeminiCLI]
	if st.Files != 4 || st.Skipped != 1 || st.Errors != 0 {
		t.Errorf("stats = %+v, want 4 files, 1 skipped (schema_drift.json)", st)
	}
	if len(got.Problems) != 1 || !strings.Contains(got.Problems[0], "schema_drift.json") || !strings.Contains(got.Problems[0], "not a Gemini CLI conversation") {
		t.Errorf("problems = %q", got.Problems)
	}
	checkReference(t, samplesTmp, got)

	// The legacy documents' projectHash is sha256 of the directory Gemini
	// was started in: resolved when the caller works in that repository.
	sessions := map[string]string{}
	for _, e := range got.Events {
		sessions[e.Session] = e.Cwd
	}
	if cwd := sessions[attribution.HashSession(attribution.AgentGeminiCLI, "session-2025-12-16T23-47-b4f17607")]; cwd != "" {
		t.Errorf("large.json cwd = %q without repositories, want unknown", cwd)
	}
	repo := "/Users/alexm/Repository/Codex-History"
	for _, e := range scanDir(t, samplesTmp, repo).Events {
		if e.Session == attribution.HashSession(attribution.AgentGeminiCLI, "session-2025-12-16T23-47-b4f17607") && e.Cwd != repo {
			t.Errorf("large.json cwd = %q with Repos, want %q", e.Cwd, repo)
		}
	}
}

// The synthetic tree (hand-made, see testdata SOURCES.md). Figures by hand:
//
//	webapp main .jsonl  m1: input 2000, output 120, thoughts 30 (appended 3 times,
//	                        first without tokens)             -> Input 2000, Output 150, Reasoning 30
//	                    m2: input 3000, cached 1800, output 200, thoughts 50, tool 10
//	                        (then rewound: still billed)      -> Input 1210, CacheRead 1800, Output 250, Reasoning 50
//	                    m3: input 2100, cached 1500, output 90 -> Input 600, CacheRead 1500, Output 90
//	                    "$set" checkpoint copies m1 and m3: nothing more
//	webapp subagent     s1: input 800, output 40             -> Input 800, Output 40
//	webapp .unreadable backup: not read
//	webapp-1 .json      w2: input 500, output 20             -> Input 500, Output 20
//	webapp-1 .jsonl     migrated copy of w2: nothing more;
//	                    w4: input 700, cached 400, output 30 -> Input 300, CacheRead 400, Output 30
//	legacy hash dir     l2: input 1000, output 100           -> Input 1000, Output 100
//
// Input 2000+1210+600+800+500+300+1000 = 6410, CacheRead 1800+1500+400 =
// 3700, Output 150+250+90+40+20+30+100 = 680, Reasoning 80; 7 requests.
var syntheticWant = attribution.Usage{Input: 6410, CacheRead: 3700, Output: 680, Reasoning: 80}

func TestSyntheticTotals(t *testing.T) {
	got := scanDir(t, syntheticTmp)
	if got.Total != syntheticWant || got.Requests != 7 {
		t.Errorf("totals = %+v in %d requests, want %+v in 7", got.Total, got.Requests, syntheticWant)
	}
	st := got.Stats[attribution.AgentGeminiCLI]
	if st.Files != 5 || st.Skipped != 0 || st.Errors != 0 || len(got.Problems) != 0 {
		t.Errorf("stats = %+v, problems %q: want 5 files read cleanly", st, got.Problems)
	}
	checkReference(t, syntheticTmp, got)

	// Sessions and working directories: marker and registry for the slugs,
	// nothing for the legacy hash until the caller's repository matches it.
	h := func(s string) string { return attribution.HashSession(attribution.AgentGeminiCLI, s) }
	wantCwd := map[string]string{
		h(synMain):     "/home/dev/webapp",
		h(synSub):      "/home/dev/webapp",
		h(synMigrated): "/home/dev/other/webapp",
		h(synLegacy):   "",
	}
	requests := map[string]int{}
	for _, e := range got.Events {
		cwd, ok := wantCwd[e.Session]
		switch {
		case !ok:
			t.Errorf("unexpected session %q", e.Session)
		case e.Cwd != cwd:
			t.Errorf("session %s: cwd = %q, want %q", e.Session, e.Cwd, cwd)
		case e.Agent != attribution.AgentGeminiCLI || !attribution.ValidName(e.Model) || e.Usage.Validate() != nil:
			t.Errorf("event %+v", e)
		}
		if !e.Increment {
			requests[e.Session]++
		}
	}
	if requests[h(synMain)] != 3 || requests[h(synSub)] != 1 || requests[h(synMigrated)] != 2 || requests[h(synLegacy)] != 1 {
		t.Errorf("requests per session = %v", requests)
	}
	for _, e := range scanDir(t, syntheticTmp, "/home/dev/legacy/").Events {
		if e.Session == h(synLegacy) && e.Cwd != "/home/dev/legacy" {
			t.Errorf("legacy cwd with Repos = %q", e.Cwd)
		}
	}
}

// TestKeys: every copy of a message shares its key, "<session>/<id>".
func TestKeys(t *testing.T) {
	events, st := readEvents(t, matchedFiles(t, syntheticTmp)...)
	keys := map[string]int{}
	for _, e := range events {
		keys[e.Key]++
	}
	// m1 twice with tokens in its lines, plus the checkpoint copy; m3 once
	// plus the checkpoint; w2 in the document and in the migrated file.
	for key, n := range map[string]int{
		synMain + "/3f9d7c21-4e5a-4b6c-8d7e-1f2a3b4c5d02":     3,
		synMain + "/5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c03":     1,
		synMain + "/7c6d5e4f-3a21-4c1d-8e9f-8a7b6c5d4e05":     2,
		synSub + "/9e8f7a6b-5c43-4e3f-8ab1-ac9d8e7f6a07":      1,
		synMigrated + "/b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d09": 2,
		synMigrated + "/d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7f11": 1,
		synLegacy + "/f6a7b8c9-d0e1-4f2a-9b3c-5d6e7f8a9b13":   1,
	} {
		if keys[key] != n {
			t.Errorf("key %s seen %d times, want %d", key, keys[key], n)
		}
	}
	if len(keys) != 7 || st.Events != 11 {
		t.Errorf("%d keys in %d events: %v", len(keys), st.Events, keys)
	}
}

// checkReference compares a scan with the independent encoding/json reading
// of the same tree: every sample message follows the documented semantics
// (input includes cached, thoughts apart), so the sums must match exactly.
func checkReference(t *testing.T, tmp string, got agenttest.Summary) {
	t.Helper()
	ref := reference(t, tmp)
	s := sum(ref)
	want := attribution.Usage{
		Input:     s.Input - s.Cached + s.Tool,
		CacheRead: s.Cached,
		Output:    s.Output + s.Thoughts,
		Reasoning: s.Thoughts,
	}
	if got.Total != want || got.Requests != len(ref) {
		t.Errorf("totals = %+v in %d requests, reference %+v in %d", got.Total, got.Requests, want, len(ref))
	}
	if s.Total != want.Total() {
		t.Errorf("reference total fields sum to %d, normalised total %d", s.Total, want.Total())
	}
}
