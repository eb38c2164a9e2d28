package action

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/tokenyield/tokenyield/internal/report"
)

// Modes of the action (input "mode").
const (
	ModeReport = "report"
	ModeTag    = "tag"
	ModeReview = "review"
)

// Inputs are the action's inputs (action.yml), parsed and checked.
type Inputs struct {
	Token      string
	Mode       string
	NotesRef   string
	SessionLog string
	Comment    bool
	WarnOnly   bool
	History    int
	// Gates are the budget limits (nil fields: none).
	Gates report.Gates
}

// ReadInputs reads and checks the inputs. A malformed value is an error
// naming the input, so a typo in a workflow fails loudly instead of
// silently disabling a budget.
func ReadInputs(a *githubactions.Action) (Inputs, error) {
	in := Inputs{
		Token:      a.GetInput("github-token"),
		Mode:       strings.ToLower(orDefault(a.GetInput("mode"), ModeReport)),
		NotesRef:   orDefault(a.GetInput("notes-ref"), "refs/notes/tokenyield"),
		SessionLog: a.GetInput("session-log"),
	}
	switch in.Mode {
	case ModeReport, ModeTag, ModeReview:
	default:
		return in, fmt.Errorf("input mode: %q is not report, tag or review", in.Mode)
	}
	if !strings.HasPrefix(in.NotesRef, "refs/notes/") || strings.ContainsAny(in.NotesRef, " ~^:?*[\\") {
		return in, fmt.Errorf("input notes-ref: %q is not a notes ref (refs/notes/...)", in.NotesRef)
	}
	var err error
	if in.Comment, err = boolInput(a, "comment", true); err != nil {
		return in, err
	}
	if in.WarnOnly, err = boolInput(a, "warn-only", false); err != nil {
		return in, err
	}
	h, err := intInput(a, "history")
	if err != nil {
		return in, err
	}
	in.History = 20
	if h != nil {
		in.History = int(*h)
	}
	if in.Gates, err = report.ParseGates(a.GetInput("max-tokens"), a.GetInput("max-cost"),
		a.GetInput("max-tokens-per-line"), a.GetInput("min-coverage")); err != nil {
		return in, fmt.Errorf("input %w", err)
	}
	if in.Mode == ModeTag && in.SessionLog == "" {
		return in, fmt.Errorf("input session-log: required in tag mode")
	}
	return in, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func boolInput(a *githubactions.Action, name string, def bool) (bool, error) {
	switch strings.ToLower(a.GetInput(name)) {
	case "":
		return def, nil
	case "true", "yes", "1", "on":
		return true, nil
	case "false", "no", "0", "off":
		return false, nil
	}
	return false, fmt.Errorf("input %s: %q is not true or false", name, a.GetInput(name))
}

// intInput reads a non-negative integer ("" = nil); "1_000" and "1,000" are
// accepted.
func intInput(a *githubactions.Action, name string) (*int64, error) {
	raw := strings.NewReplacer("_", "", ",", "").Replace(a.GetInput(name))
	if raw == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("input %s: %q is not a non-negative integer", name, a.GetInput(name))
	}
	return &n, nil
}
