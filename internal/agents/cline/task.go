package cline

import (
	"encoding/json"
	"github.com/tokenyield/tokenyield/attribution"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// task is what a ui_messages.json needs from around it: the task id (its
// folder's name), the working directory and model records from the side
// files, and whether this state reads the file for the first time.
type task struct {
	id  string
	cwd string
	// marks are model records in time order: Cline's task_metadata.json
	// model_usage[] entries, or the <model> tags of the user turns in Roo's
	// and Kilo's api_conversation_history.json.
	marks []modelMark
	// defaultModel is the task's model from Cline's task history, if any.
	defaultModel string
	first        bool
}

// modelMark says which model (and, for Cline, which provider) was in use
// from ts (Unix milliseconds) on.
type modelMark struct {
	ts              int64
	model, provider string
}

// loadTask reads the side files of the task whose ui_messages.json is at p.
// Missing or damaged side files only leave fields empty.
func (f *flavor) loadTask(p string) task {
	dir := filepath.Dir(p)
	t := task{id: filepath.Base(dir)}
	if f.cline {
		storage := filepath.Dir(filepath.Dir(dir)) // <storage>/tasks/<id>
		if h, ok := f.histories.lookup(filepath.Join(storage, "state", clineTaskHistory), t.id); ok {
			t.cwd, t.defaultModel = h.cwd, h.model
		}
		t.marks = readModelUsage(filepath.Join(dir, taskMetadataFile))
	} else {
		t.cwd = readHistoryItemWorkspace(filepath.Join(dir, historyItemFile))
		var promptCwd string
		t.marks, promptCwd = scanAPIHistory(filepath.Join(dir, apiHistoryFile))
		if t.cwd == "" {
			t.cwd = promptCwd
		}
	}
	return t
}

// modelFor picks the model (and provider) of request r: the message's own
// modelInfo, else the side files' model records, else the task history's
// model, else "unknown".
//
// Cline's model_usage[] entries are written when a model starts being used,
// so the record in force is the last one at or before the request (or the
// first one, for a request logged a moment before its record). Roo and Kilo
// write the model into the prompt, in a user turn stamped just after the
// request's api_req_started, so the record of a request is the last one
// before the next request (next, math.MaxInt64 for the last).
func (t *task) modelFor(r request, next int64, cline bool) (model, provider string) {
	provider = r.provider
	var mark *modelMark
	for i := range t.marks {
		m := &t.marks[i]
		if (cline && m.ts <= r.ts) || (!cline && m.ts < next) {
			mark = m
		}
	}
	if mark == nil && cline && len(t.marks) > 0 {
		mark = &t.marks[0]
	}
	markModel := ""
	if mark != nil {
		markModel = mark.model
		if provider == "" {
			provider = mark.provider
		}
	}
	return attribution.ModelName(r.model, markModel, t.defaultModel), provider
}

// readSmallJSON reads a side file of at most maxSideFileBytes into v.
func readSmallJSON(p string, v any) bool {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxSideFileBytes {
		return false
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	return json.Unmarshal(data, v) == nil
}

// readModelUsage reads Cline's task_metadata.json model_usage[]
// ({ts, model_id, model_provider_id, mode}), in time order.
func readModelUsage(p string) []modelMark {
	var meta struct {
		ModelUsage []struct {
			Ts         json.RawMessage `json:"ts"`
			ModelID    json.RawMessage `json:"model_id"`
			ProviderID json.RawMessage `json:"model_provider_id"`
		} `json:"model_usage"`
	}
	if !readSmallJSON(p, &meta) {
		return nil
	}
	var marks []modelMark
	for _, u := range meta.ModelUsage {
		ts, err := millis(u.Ts)
		model, _ := jsonString(u.ModelID)
		if err != nil || strings.TrimSpace(model) == "" {
			continue
		}
		provider, _ := jsonString(u.ProviderID)
		marks = append(marks, modelMark{ts: ts, model: model, provider: provider})
	}
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].ts < marks[j].ts })
	return marks
}

// readHistoryItemWorkspace reads Roo's per-task history_item.json (a
// HistoryItem) and returns its workspace when it is an absolute path.
func readHistoryItemWorkspace(p string) string {
	var item struct {
		Workspace json.RawMessage `json:"workspace"`
	}
	if !readSmallJSON(p, &item) {
		return ""
	}
	ws, _ := jsonString(item.Workspace)
	return cleanCwd(ws)
}

// cleanCwd keeps a recorded working directory when it is absolute.
func cleanCwd(p string) string {
	p = strings.TrimSpace(p)
	if !looksAbsolute(p) {
		return ""
	}
	return p
}
