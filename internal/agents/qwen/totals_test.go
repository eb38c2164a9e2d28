package qwen

import (
	"path/filepath"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// TestSampleTotals reads the upstream samples laid out as Qwen Code stores
// them. Figures by hand:
//
//	splitrail 0.18.1 (real)  assistant 1: prompt 500, candidates 20, total 520       -> Input 500, Output 20
//	                         assistant 2: prompt 600, cached 50, candidates 5, total 605
//	                                                                               -> Input 550, CacheRead 50, Output 5
//	                         the two ui_telemetry api_response copies: not counted
//	agent-sessions ...0001   assistant records without usageMetadata: nothing
//	agent-sessions ...0004   uuid ...046 written twice, the second with prompt 12, candidates 4
//	                                                                               -> Input 12, Output 4
//	system_telemetry.jsonl   assistant usageMetadata {} and trimmed fields: nothing
//
// Input 500+550+12 = 1062, CacheRead 50, Output 20+5+4 = 29; 3 requests.
func TestSampleTotals(t *testing.T) {
	got := scanDir(t, samplesDir)
	want := attribution.Usage{Input: 1062, CacheRead: 50, Output: 29}
	if got.Total != want || got.Requests != 3 {
		t.Errorf("totals = %+v in %d requests, want %+v in 3", got.Total, got.Requests, want)
	}
	st := got.Stats[attribution.AgentQwenCode]
	if st.Files != 4 || st.Skipped != 0 || st.Errors != 0 || len(got.Problems) != 0 {
		t.Errorf("stats = %+v, problems %q", st, got.Problems)
	}
	checkReference(t, samplesDir, got)

	wantCwd := map[string]string{
		attribution.HashSession(attribution.AgentQwenCode, "69f0814a-8bfc-4c8e-93d3-05757f17b96f"): "/tmp/qwentest",
		attribution.HashSession(attribution.AgentQwenCode, "019f0000-0000-7000-8000-000000000004"): "/tmp/as-qwen-fixture/new-project",
	}
	for _, e := range got.Events {
		if cwd, ok := wantCwd[e.Session]; !ok || e.Cwd != cwd || e.Agent != attribution.AgentQwenCode {
			t.Errorf("event %+v", e)
		}
		if e.Model != "coder-model" && e.Model != "synthetic-active-model" {
			t.Errorf("model %q", e.Model)
		}
	}
}

// The synthetic tree (hand-made, see testdata SOURCES.md). Figures by hand:
//
//	session 3c1e…  a1 (OpenAI-compatible: total = prompt + candidates):
//	                   prompt 1000, cached 600, candidates 200 incl. thoughts 50
//	                                                     -> Input 400, CacheRead 600, Output 200, Reasoning 50
//	               a2 (Gemini: total = prompt + candidates + thoughts):
//	                   prompt 500, candidates 40, thoughts 60 -> Input 500, Output 100, Reasoning 60
//	               an assistant record with usageMetadata {}: nothing
//	               a3 (no total): prompt 300, candidates 10, thoughts 5
//	                                                     -> Input 300, Output 15, Reasoning 5
//	               ui_telemetry copies of a1 and a2: not counted
//	branch 8f2d…   copies of a1 and a2 (same uuid, forkedFrom): nothing more
//	               a4: prompt 800, cached 700, candidates 30, total 830
//	                                                     -> Input 100, CacheRead 700, Output 30
//	subagent       s1: prompt 400, candidates 25, total 425 -> Input 400, Output 25 (model from the sidecar)
//
// Input 400+500+300+100+400 = 1700, CacheRead 600+700 = 1300, Output
// 200+100+15+30+25 = 370, Reasoning 50+60+5 = 115; 5 requests.
var syntheticWant = attribution.Usage{Input: 1700, CacheRead: 1300, Output: 370, Reasoning: 115}

func TestSyntheticTotals(t *testing.T) {
	got := scanDir(t, syntheticDir)
	if got.Total != syntheticWant || got.Requests != 5 {
		t.Errorf("totals = %+v in %d requests, want %+v in 5", got.Total, got.Requests, syntheticWant)
	}
	if st := got.Stats[attribution.AgentQwenCode]; st.Files != 3 || st.Skipped != 0 || len(got.Problems) != 0 {
		t.Errorf("stats = %+v, problems %q", st, got.Problems)
	}
	checkReference(t, syntheticDir, got)

	// Everything, /branch copies and subagent included, belongs to the
	// original session, except the branch's own new turn.
	main := attribution.HashSession(attribution.AgentQwenCode, synSession)
	branch := attribution.HashSession(attribution.AgentQwenCode, synBranch)
	per := map[string]int{}
	models := map[string]int{}
	for _, e := range got.Events {
		per[e.Session]++
		models[e.Model]++
		if e.Cwd != "/home/dev/api" {
			t.Errorf("cwd %q", e.Cwd)
		}
	}
	if per[main] != 4 || per[branch] != 1 {
		t.Errorf("events per session = %v", per)
	}
	if models["qwen3-coder-plus"] != 3 || models["gemini-2.5-pro"] != 1 || models["qwen3-coder-flash"] != 1 {
		t.Errorf("models = %v", models)
	}
}

// TestBranchCopies: a /branch copy emits exactly the event of its original
// (key, session, time, usage), so the de-duplication keeps one whatever
// file is read first.
func TestBranchCopies(t *testing.T) {
	chats := filepath.Join(syntheticDir, "projects", "-home-dev-api", "chats")
	orig, _ := readEvents(t, filepath.Join(chats, synSession+".jsonl"))
	copies, _ := readEvents(t, filepath.Join(chats, synBranch+".jsonl"))
	byKey := map[string]attribution.Event{}
	for _, e := range orig {
		byKey[e.Key] = e
	}
	same := 0
	for _, c := range copies {
		if o, ok := byKey[c.Key]; ok {
			same++
			if o != c {
				t.Errorf("copy %+v\nof   %+v", c, o)
			}
		}
	}
	if len(orig) != 3 || len(copies) != 3 || same != 2 {
		t.Errorf("%d events in the session, %d in the branch, %d shared", len(orig), len(copies), same)
	}
}
