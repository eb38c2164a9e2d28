package cline

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"strings"
)

// The extensions append "environment details" to the user turns they send.
// Two lines of it are records this reader can use:
//
//	<model>claude-sonnet-4-5</model>                       (Roo, Kilo: the model in use)
//	# Current Workspace Directory (/home/me/app) Files     (Roo, Kilo)
//	# Current Working Directory (/home/me/app) Files       (Cline, old Roo)
const (
	modelOpen  = "<model>"
	modelClose = "</model>"
)

var cwdMarkers = []string{"# Current Workspace Directory (", "# Current Working Directory ("}

// cwdFromPrompt returns the first working directory named in environment
// details inside text, when it is an absolute path.
func cwdFromPrompt(text string) string {
	for _, marker := range cwdMarkers {
		i := strings.Index(text, marker)
		if i < 0 {
			continue
		}
		rest := text[i+len(marker):]
		j := strings.Index(rest, ") Files")
		if nl := strings.IndexByte(rest, '\n'); j < 0 || (nl >= 0 && nl < j) {
			continue
		}
		if cwd := cleanCwd(rest[:j]); cwd != "" {
			return cwd
		}
	}
	return ""
}

// modelFromPrompt returns the model named by the last <model> tag in text.
func modelFromPrompt(text string) string {
	i := strings.LastIndex(text, modelOpen)
	if i < 0 {
		return ""
	}
	rest := text[i+len(modelOpen):]
	j := strings.Index(rest, modelClose)
	if j < 0 || j > 200 {
		return ""
	}
	return strings.TrimSpace(rest[:j])
}

// apiMessage is one turn of api_conversation_history.json (an Anthropic
// MessageParam plus the extension's ts).
type apiMessage struct {
	Role    json.RawMessage `json:"role"`
	Ts      json.RawMessage `json:"ts"`
	Content json.RawMessage `json:"content"`
}

// scanAPIHistory reads Roo's or Kilo's api_conversation_history.json and
// returns the model records of its user turns (each stamped with the turn's
// ts) in time order, and the first working directory its environment
// details name. The file repeats the whole conversation and can be large;
// only user turns that contain a tag are decoded further. A file that breaks
// off yields what precedes the break.
func scanAPIHistory(p string) ([]modelMark, string) {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxAPIHistoryBytes {
		return nil, ""
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, ""
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, ""
	}
	var marks []modelMark
	cwd := ""
	for dec.More() {
		var m apiMessage
		if err := dec.Decode(&m); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				continue
			}
			break
		}
		if !isString(m.Role, "user") {
			continue
		}
		hasModel := bytes.Contains(m.Content, []byte(modelOpen))
		hasCwd := cwd == "" && bytes.Contains(m.Content, []byte("# Current W"))
		if !hasModel && !hasCwd {
			continue
		}
		text := contentText(m.Content)
		if hasCwd {
			cwd = cwdFromPrompt(text)
		}
		if !hasModel {
			continue
		}
		ts, err := millis(m.Ts)
		model := modelFromPrompt(text)
		if err != nil || model == "" {
			continue
		}
		marks = append(marks, modelMark{ts: ts, model: model})
	}
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].ts < marks[j].ts })
	return marks, cwd
}

// contentText joins the text of a message content: a string, or an array of
// blocks whose "text" fields are strings.
func contentText(raw json.RawMessage) string {
	if s, ok := jsonString(raw); ok {
		return s
	}
	var blocks []struct {
		Text json.RawMessage `json:"text"`
	}
	if json.Unmarshal(raw, &blocks) != nil {
		return ""
	}
	var b strings.Builder
	for _, bl := range blocks {
		if s, ok := jsonString(bl.Text); ok {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
