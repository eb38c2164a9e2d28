package cline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tokenyield/tokenyield/internal/agents/tail"
)

// desktopFlavours are the user-data folder names of VS Code and the editors
// built from it that install VS Code extensions. Each keeps extension data
// in <user data dir>/User/globalStorage/<extension id>/.
var desktopFlavours = []string{
	"Code",
	"Code - Insiders",
	"Code - OSS", // Linux distributions' builds of the open-source code
	"VSCodium",
	"Cursor",
	"Windsurf",
	"Positron",
	"Antigravity",
	"Trae",
}

// flatpakConfigs are the configuration folders of the Flatpak builds of VS
// Code and VSCodium on Linux: Flatpak points XDG_CONFIG_HOME at
// ~/.var/app/<app id>/config inside the sandbox.
var flatpakConfigs = [][2]string{
	{"com.visualstudio.code", "Code"},
	{"com.vscodium.codium", "VSCodium"},
}

// serverFolders are the home-directory folders of VS Code's remote servers
// (Remote-SSH, WSL, Dev Containers, tunnels); their user data dir is
// <folder>/data. VS Code documents ~/.vscode-server (and the -insiders
// variant); Cursor's server keeps the same layout in ~/.cursor-server.
var serverFolders = []string{".vscode-server", ".vscode-server-insiders", ".cursor-server"}

// userDirs returns every "<user data dir>/User" folder an extension may keep
// global storage in on env's platform, local editors first, then remote
// servers. Missing folders are listed too (the scanner skips them).
//
//   - Linux: $XDG_CONFIG_HOME/<flavour>/User (Electron honours it),
//     ~/.config/<flavour>/User, and the Flatpak builds' folders.
//   - macOS: ~/Library/Application Support/<flavour>/User.
//   - Windows: %APPDATA%\<flavour>\User, APPDATA defaulting to
//     <home>\AppData\Roaming.
//   - Every platform: ~/.vscode-server/data/User and the other server
//     folders, and $VSCODE_AGENT_FOLDER/data/User (the variable that moves a
//     VS Code server).
func userDirs(env tail.Env) []string {
	var bases []string
	switch env.GOOS {
	case "darwin":
		bases = append(bases, env.InHome("Library", "Application Support"))
	case "windows":
		appData := strings.TrimSpace(env.Get("APPDATA"))
		if appData == "" {
			appData = env.InHome("AppData", "Roaming")
		}
		bases = append(bases, appData)
	default:
		if xdg := strings.TrimSpace(env.Get("XDG_CONFIG_HOME")); xdg != "" && filepath.IsAbs(xdg) {
			bases = append(bases, xdg)
		}
		bases = append(bases, env.InHome(".config"))
	}
	var out []string
	for _, base := range bases {
		if base == "" {
			continue
		}
		for _, fl := range desktopFlavours {
			out = append(out, filepath.Join(base, fl, "User"))
		}
	}
	if env.GOOS != "darwin" && env.GOOS != "windows" {
		for _, fp := range flatpakConfigs {
			if p := env.InHome(".var", "app", fp[0], "config", fp[1], "User"); p != "" {
				out = append(out, p)
			}
		}
	}
	for _, s := range serverFolders {
		if p := env.InHome(s, "data", "User"); p != "" {
			out = append(out, p)
		}
	}
	if agent := strings.TrimSpace(env.Get("VSCODE_AGENT_FOLDER")); agent != "" {
		out = append(out, filepath.Join(agent, "data", "User"))
	}
	var list tail.PathList
	for _, p := range out {
		list.Add(p)
	}
	return list
}

// roots lists the tasks folders of f: <user dir>/globalStorage/<id>/tasks for
// every VS Code user dir, then the folders named by the extension's
// customStoragePath setting (Roo, Kilo), then those outside VS Code (Cline's
// data dir, Roo's CLI).
func (f *flavor) roots(env tail.Env) []string {
	var out []string
	dirs := userDirs(env)
	for _, d := range dirs {
		out = append(out, filepath.Join(d, "globalStorage", f.extension, "tasks"))
	}
	if f.settingsKey != "" {
		for _, d := range dirs {
			if custom := customStoragePath(filepath.Join(d, "settings.json"), f.settingsKey); custom != "" {
				out = append(out, filepath.Join(custom, "tasks"))
			}
		}
	}
	if f.extraRoots != nil {
		out = append(out, f.extraRoots(env)...)
	}
	var list tail.PathList
	for _, p := range out {
		list.Add(p)
	}
	return list
}

// clineDataDir returns the data directory of Cline outside VS Code (the CLI,
// the JetBrains plugin, and Cline 4.1+ sessions): $CLINE_DATA_DIR, else
// $CLINE_DIR/data, else ~/.cline/data, as Cline's storage-context.ts resolves
// it.
func clineDataDir(env tail.Env) string {
	if d := strings.TrimSpace(env.Get("CLINE_DATA_DIR")); d != "" {
		return filepath.Clean(d)
	}
	if d := strings.TrimSpace(env.Get("CLINE_DIR")); d != "" {
		return filepath.Join(d, "data")
	}
	return env.InHome(".cline", "data")
}

// clineDataRoots lists Cline's own task folder (<data>/tasks, the same
// layout as in VS Code's global storage, with <data>/state/taskHistory.json)
// and its SDK sessions folder ($CLINE_SESSION_DATA_DIR, else <data>/sessions).
func clineDataRoots(env tail.Env) []string {
	var out []string
	data := clineDataDir(env)
	if data != "" {
		out = append(out, filepath.Join(data, "tasks"))
	}
	if s := strings.TrimSpace(env.Get("CLINE_SESSION_DATA_DIR")); s != "" {
		out = append(out, filepath.Clean(s))
	} else if data != "" {
		out = append(out, filepath.Join(data, "sessions"))
	}
	return out
}

// rooCLIRoots lists the tasks folder of Roo Code's CLI, which runs the
// extension against a VS Code shim whose global storage is
// ~/.vscode-mock/global-storage.
func rooCLIRoots(env tail.Env) []string {
	if p := env.InHome(".vscode-mock", "global-storage", "tasks"); p != "" {
		return []string{p}
	}
	return nil
}

// customStoragePath reads one setting from a VS Code settings.json (JSON with
// comments and trailing commas) and returns it when it is an absolute path;
// "" when the file, the setting or the path is missing or unusable.
func customStoragePath(settingsFile, key string) string {
	raw := vscodeSettings.get(settingsFile)[key]
	var p string
	if raw == nil || json.Unmarshal(raw, &p) != nil {
		return ""
	}
	p = strings.TrimSpace(p)
	if !looksAbsolute(p) {
		return ""
	}
	return filepath.Clean(p)
}

// vscodeSettings keeps the settings.json files parsed in this process: the
// Roo Code and Kilo Code sources read the same files in one scan (each
// commit hook), and a file is parsed again only when its size or time
// changed.
var vscodeSettings = &settingsCache{files: map[string]parsedSettings{}}

// settingsCache holds parsed settings files by path.
type settingsCache struct {
	mu    sync.Mutex
	files map[string]parsedSettings
}

// parsedSettings is one file's top-level keys, as of its size and time.
type parsedSettings struct {
	size, mod int64
	keys      map[string]json.RawMessage
}

// get returns the top-level keys of the settings file at path (nil when it
// is missing, too large or not JSON with comments).
func (c *settingsCache) get(path string) map[string]json.RawMessage {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxSettingsFileSize {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.files[path]; ok && e.size == fi.Size() && e.mod == fi.ModTime().UnixNano() {
		return e.keys
	}
	var keys map[string]json.RawMessage
	if data, err := os.ReadFile(path); err != nil || json.Unmarshal(stripJSONC(data), &keys) != nil {
		keys = nil
	}
	c.files[path] = parsedSettings{size: fi.Size(), mod: fi.ModTime().UnixNano(), keys: keys}
	return keys
}

// looksAbsolute reports whether p is an absolute path on any platform:
// "/x", "\x", "\\server\share" or "C:\x" / "C:/x". Recorded working
// directories come from the machine that wrote them, which need not be the
// platform the reader was built for.
func looksAbsolute(p string) bool {
	if p == "" {
		return false
	}
	if p[0] == '/' || p[0] == '\\' {
		return true
	}
	return len(p) >= 3 && isLetter(p[0]) && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
