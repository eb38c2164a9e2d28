package cline

import (
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// Extension identifiers: the folder names below VS Code's globalStorage.
const (
	clineExtension = "saoudrizwan.claude-dev"
	rooExtension   = "rooveterinaryinc.roo-cline"
	kiloExtension  = "kilocode.kilo-code"
)

// File names inside a task folder and a storage folder.
const (
	uiMessagesFile      = "ui_messages.json"
	apiHistoryFile      = "api_conversation_history.json"
	taskMetadataFile    = "task_metadata.json"
	historyItemFile     = "history_item.json"
	clineTaskHistory    = "taskHistory.json" // in <storage>/state/
	sdkMessagesSuffix   = ".messages.json"
	sdkManifestSuffix   = ".json"
	maxSideFileBytes    = 64 << 20 // task history, metadata and history items
	maxAPIHistoryBytes  = 256 << 20
	maxSettingsFileSize = 4 << 20
)

// flavor is what differs between Cline, Roo Code and Kilo Code.
type flavor struct {
	agent     string
	extension string
	// settingsKey is the VS Code setting that moves the task folders
	// (Roo's and Kilo's customStoragePath); "" when there is none.
	settingsKey string
	// cline selects Cline's side files (state/taskHistory.json,
	// task_metadata.json) and its provider-based tokensIn rule; the others
	// use history_item.json, api_conversation_history.json and apiProtocol.
	cline bool
	// inclusiveSince is when the extension started recording tokensIn as
	// the whole prompt (cache included) for Anthropic-protocol requests too.
	inclusiveSince time.Time
	// extraRoots lists task folders outside VS Code (CLIs, standalone).
	extraRoots func(tail.Env) []string
	// histories caches parsed state/taskHistory.json files (Cline).
	histories *historyCache
}

// Release dates of the change that made tokensIn the whole prompt for every
// protocol: Roo Code 3.29.5 (RooCodeInc/Roo-Code#8954, 2025-11-01) and Kilo
// Code 4.119.0, which merged it (2025-11-12). See usage.go.
var (
	rooInclusiveSince  = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	kiloInclusiveSince = time.Date(2025, 11, 12, 0, 0, 0, 0, time.UTC)
)

// Source returns the Cline log source: the VS Code extension's task folders
// in every VS Code flavour, the task folders of Cline's CLI and JetBrains
// plugin (~/.cline/data/tasks), and the session files of Cline 4.1 and later
// (~/.cline/data/sessions). See the package documentation.
func Source() tail.Source { return newSource(clineFlavor()) }

// RooSource returns the Roo Code log source: the extension's task folders in
// every VS Code flavour (or its customStoragePath) and those of Roo's CLI.
func RooSource() tail.Source { return newSource(rooFlavor()) }

// KiloSource returns the Kilo Code log source: the task folders of the Kilo
// Code VS Code extension up to version 5 (a Roo Code fork) in every VS Code
// flavour, or its customStoragePath. Kilo Code 7 and the Kilo CLI keep their
// sessions in an OpenCode-style database, read by opencode.KiloSource.
func KiloSource() tail.Source { return newSource(kiloFlavor()) }

func clineFlavor() *flavor {
	return &flavor{
		agent:      attribution.AgentCline,
		extension:  clineExtension,
		cline:      true,
		extraRoots: clineDataRoots,
		histories:  newHistoryCache(),
	}
}

func rooFlavor() *flavor {
	return &flavor{
		agent:          attribution.AgentRooCode,
		extension:      rooExtension,
		settingsKey:    "roo-cline.customStoragePath",
		inclusiveSince: rooInclusiveSince,
		extraRoots:     rooCLIRoots,
	}
}

func kiloFlavor() *flavor {
	return &flavor{
		agent:          attribution.AgentKiloCode,
		extension:      kiloExtension,
		settingsKey:    "kilo-code.customStoragePath",
		inclusiveSince: kiloInclusiveSince,
	}
}

func newSource(f *flavor) tail.Source {
	return tail.Source{
		Agent: f.agent,
		Roots: f.roots,
		Match: f.match,
		Read:  f.read,
	}
}

// match accepts <taskId>/ui_messages.json directly below a tasks folder and,
// for Cline, <sessionId>/<stem>.messages.json directly below a sessions
// folder.
func (f *flavor) match(rel string) bool {
	dir, base := path.Split(rel)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" || strings.Contains(dir, "/") || strings.HasPrefix(dir, ".") {
		return false
	}
	if base == uiMessagesFile {
		return true
	}
	return f.cline && isSDKMessages(base)
}

// isSDKMessages reports whether a file name is a Cline SDK session's
// messages file: <stem>.messages.json with a non-empty stem.
func isSDKMessages(base string) bool {
	return strings.HasSuffix(base, sdkMessagesSuffix) && len(base) > len(sdkMessagesSuffix)
}

// read reads one task's ui_messages.json (or one Cline SDK messages file)
// whole, when it changed since cur.
func (f *flavor) read(p string, cur *tail.Cursor, emit func(attribution.Event), st *tail.Stats) error {
	// A cursor that was never set means this state reads the file for the
	// first time: usage the file only holds in aggregate (Cline's
	// deleted_api_reqs) cannot have been counted from it before.
	first := cur.Size == 0 && cur.ModNano == 0 && cur.Offset == 0 && cur.Ino == 0
	if f.cline && isSDKMessages(filepath.Base(p)) {
		return tail.ReadWhole(p, cur, func(data []byte, emit func(attribution.Event)) error {
			return parseSDKSession(data, sdkContext(p), emit)
		}, emit, st)
	}
	return tail.ReadWhole(p, cur, func(data []byte, emit func(attribution.Event)) error {
		t := f.loadTask(p)
		t.first = first
		return f.parse(data, t, emit)
	}, emit, st)
}
