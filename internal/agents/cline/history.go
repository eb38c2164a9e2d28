package cline

import (
	"encoding/json"
	"os"
	"sync"
)

// historyEntry is what Cline's task history says about one task.
type historyEntry struct {
	cwd, model string
}

// historyCache holds parsed state/taskHistory.json files. Every task of a
// storage folder shares one history file, which can reach megabytes; a scan
// reading hundreds of tasks parses it once. Entries are keyed by path and
// revalidated with the file's size and modification time.
type historyCache struct {
	mu    sync.Mutex
	files map[string]*historyFile
}

type historyFile struct {
	size, mod int64
	tasks     map[string]historyEntry
}

func newHistoryCache() *historyCache {
	return &historyCache{files: map[string]*historyFile{}}
}

// lookup returns the entry of task id in the history file at p.
func (c *historyCache) lookup(p, id string) (historyEntry, bool) {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return historyEntry{}, false
	}
	size, mod := fi.Size(), fi.ModTime().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.files[p]
	if h == nil || h.size != size || h.mod != mod {
		h = &historyFile{size: size, mod: mod, tasks: parseTaskHistory(p)}
		c.files[p] = h
	}
	e, ok := h.tasks[id]
	return e, ok
}

// parseTaskHistory reads Cline's HistoryItem array. The working directory is
// cwdOnTaskInitialization (Cline 3.16, May 2025, and later), else
// workspaceRootOnTaskInitialization (accepted in case a build writes it; no
// Cline release seen does), else shadowGitConfigWorkTree: the folder older
// versions tracked with checkpoints, which is the workspace the task was
// started in.
func parseTaskHistory(p string) map[string]historyEntry {
	var items []struct {
		ID            json.RawMessage `json:"id"`
		Cwd           json.RawMessage `json:"cwdOnTaskInitialization"`
		WorkspaceRoot json.RawMessage `json:"workspaceRootOnTaskInitialization"`
		ShadowGit     json.RawMessage `json:"shadowGitConfigWorkTree"`
		ModelID       json.RawMessage `json:"modelId"`
	}
	if !readSmallJSON(p, &items) {
		return nil
	}
	out := make(map[string]historyEntry, len(items))
	for _, it := range items {
		id, ok := jsonString(it.ID)
		if !ok || id == "" {
			continue
		}
		var e historyEntry
		for _, raw := range []json.RawMessage{it.Cwd, it.WorkspaceRoot, it.ShadowGit} {
			if s, _ := jsonString(raw); e.cwd == "" {
				e.cwd = cleanCwd(s)
			}
		}
		e.model, _ = jsonString(it.ModelID)
		out[id] = e
	}
	return out
}
