package copilot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// sessionMarkers precede the session id in OpenTelemetry records.
var sessionMarkers = [][]byte{[]byte(`"gen_ai.conversation.id"`), []byte(`"copilot_chat.session_id"`)}

// maxIndexedLine bounds the part of a line kept across read chunks; longer
// lines are not searched.
const maxIndexedLine = 16 << 20

// otelSessions caches, per OpenTelemetry export file, the session ids the
// file mentions. Exports are append-only, so a file that grew is searched
// from where the previous search stopped. The cache lives for the process
// (a hook run or a usage command): every events parser of a scan shares it.
var otelSessions = &sessionIndex{files: map[string]*indexedFile{}}

type sessionIndex struct {
	mu    sync.Mutex
	files map[string]*indexedFile
}

type indexedFile struct {
	info    fs.FileInfo
	scanned int64 // bytes searched (up to the end of the last complete line)
	ids     map[string]bool
}

// has reports whether an export file among sources (files, or folders
// searched recursively for *.jsonl) mentions one of ids. Unreadable files
// and folders count as mentioning nothing.
func (ix *sessionIndex) has(sources []string, ids ...string) bool {
	var wanted []string
	for _, id := range ids {
		if id != "" {
			wanted = append(wanted, id)
		}
	}
	if len(wanted) == 0 {
		return false
	}
	for _, path := range exportFiles(sources) {
		if ix.fileHas(path, wanted) {
			return true
		}
	}
	return false
}

// exportFiles lists the *.jsonl files of sources, once each.
func exportFiles(sources []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, src := range sources {
		if src == "" {
			continue
		}
		fi, err := os.Stat(src)
		switch {
		case err != nil:
		case fi.Mode().IsRegular():
			add(src)
		case fi.IsDir():
			_ = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jsonl") {
					add(p)
				}
				return nil // skip what cannot be read, keep walking
			})
		}
	}
	return out
}

// fileHas reports whether path mentions one of ids, searching only what is
// new since the last call. The index is locked while it is read and updated
// (parsers of several files ask concurrently).
func (ix *sessionIndex) fileHas(path string, ids []string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	c := ix.files[path]
	changed := c == nil || !os.SameFile(c.info, fi) || fi.Size() != c.info.Size() || !fi.ModTime().Equal(c.info.ModTime())
	if changed {
		if c == nil || !os.SameFile(c.info, fi) || fi.Size() < c.scanned {
			c = &indexedFile{ids: map[string]bool{}} // new or rewritten: start over
		}
		c.info = fi
		c.scanned = searchFrom(path, c.scanned, c.ids)
		ix.files[path] = c
	}
	for _, id := range ids {
		if c.ids[id] {
			return true
		}
	}
	return false
}

// searchFrom adds to ids the session ids found in the complete lines of path
// after offset, and returns the offset after the last complete line.
func searchFrom(path string, offset int64, ids map[string]bool) int64 {
	f, err := os.Open(path)
	if err != nil {
		return offset
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return offset
	}
	r := bufio.NewReaderSize(f, 1<<20)
	var long []byte // a line longer than the buffer, gathered
	for {
		chunk, err := r.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			if len(long)+len(chunk) <= maxIndexedLine {
				long = append(long, chunk...)
			} else {
				long = long[:0] // too long to keep: searched no further
			}
			offset += int64(len(chunk))
			continue
		case err != nil: // io.EOF or a read error: an incomplete line stays for next time
			return offset - int64(len(long))
		}
		offset += int64(len(chunk))
		line := chunk
		if len(long) > 0 {
			long = append(long, chunk...)
			line = long
		}
		sessionIDs(line, func(id string) { ids[id] = true })
		long = long[:0]
	}
}

// sessionIDs calls fn with the value of every session attribute in line.
func sessionIDs(line []byte, fn func(string)) {
	for _, m := range sessionMarkers {
		rest := line
		for {
			i := bytes.Index(rest, m)
			if i < 0 {
				break
			}
			rest = rest[i+len(m):]
			if id, ok := stringValue(rest); ok {
				fn(id)
			}
		}
	}
}

// stringValue reads `: "value"` at the start of b (JSON whitespace allowed);
// values with escapes or longer than 256 bytes are not session ids.
func stringValue(b []byte) (string, bool) {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || b[0] != ':' {
		return "", false
	}
	b = bytes.TrimLeft(b[1:], " \t\r\n")
	if len(b) == 0 || b[0] != '"' {
		return "", false
	}
	b = b[1:]
	end := bytes.IndexAny(b, `"\`)
	if end <= 0 || end > 256 || b[end] != '"' {
		return "", false
	}
	return string(b[:end]), true
}

// sessionStart reads the working directory a session's event log
// records in its session.start line. homes are the Copilot homes to look in;
// id must be a plain folder name.
func sessionStart(homes []string, id string) (cwd string, ok bool) {
	if id == "" || len(id) > 200 || id == "." || id == ".." || strings.ContainsAny(id, `/\:`) || strings.ContainsRune(id, 0) {
		return "", false
	}
	for _, home := range homes {
		if home == "" {
			continue
		}
		for _, p := range []string{
			filepath.Join(home, dirSessions, id, eventsFile),
			filepath.Join(home, dirHistory, id, eventsFile),
			filepath.Join(home, dirSessions, id+".jsonl"),
			filepath.Join(home, dirHistory, id+".jsonl"),
		} {
			if cwd, ok := startCwd(p); ok {
				return cwd, true
			}
		}
	}
	return "", false
}

// startCwd returns the working directory of the first session.start record
// within the first lines of a session log.
func startCwd(path string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 4<<20))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for n := 0; n < 50 && sc.Scan(); n++ {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"session.start"`)) {
			continue
		}
		var rec struct {
			Type string `json:"type"`
			Data struct {
				Context sessionContext `json:"context"`
			} `json:"data"`
		}
		if json.Unmarshal(line, &rec) != nil || rec.Type != "session.start" {
			continue
		}
		if cwd := rec.Data.Context.dir(); cwd != "" {
			return cwd, true
		}
	}
	return "", false
}
