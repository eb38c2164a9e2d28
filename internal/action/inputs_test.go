package action

import (
	"strings"
	"testing"

	"github.com/sethvargo/go-githubactions"
)

func actionWith(env map[string]string) *githubactions.Action {
	return githubactions.New(githubactions.WithGetenv(func(k string) string { return env[k] }))
}

func TestReadInputs(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		check   func(Inputs) bool
		wantErr string
	}{
		{"defaults", nil, func(in Inputs) bool {
			return in.Mode == ModeReport && in.Comment && !in.WarnOnly && in.History == 20 && in.NotesRef == "refs/notes/tokenyield" &&
				in.Gates.MaxTokens == nil && in.Gates.MaxCost == nil && in.Gates.MaxTokensPerLine == nil && in.Gates.MinCoverage == nil
		}, ""},
		{"limits", map[string]string{"INPUT_MAX-TOKENS": "1_000_000", "INPUT_MAX-COST": "12.5", "INPUT_MAX-TOKENS-PER-LINE": "2,500", "INPUT_MIN-COVERAGE": "80", "INPUT_WARN-ONLY": "TRUE"},
			func(in Inputs) bool {
				g := in.Gates
				return *g.MaxTokens == 1000000 && *g.MaxCost == 12.5 && *g.MaxTokensPerLine == 2500 && *g.MinCoverage == 0.8 && in.WarnOnly
			}, ""},
		{"bad number", map[string]string{"INPUT_MAX-TOKENS": "lots"}, nil, "input max-tokens"},
		{"not a count", map[string]string{"INPUT_MAX-TOKENS": "1.5x"}, nil, "input max-tokens"},
		{"negative", map[string]string{"INPUT_MAX-COST": "-1"}, nil, "input max-cost"},
		{"coverage over 100", map[string]string{"INPUT_MIN-COVERAGE": "150"}, nil, "over 100"},
		{"bad bool", map[string]string{"INPUT_WARN-ONLY": "maybe"}, nil, "input warn-only"},
		{"bad mode", map[string]string{"INPUT_MODE": "deploy"}, nil, "input mode"},
		{"bad ref", map[string]string{"INPUT_NOTES-REF": "refs/heads/main"}, nil, "input notes-ref"},
		{"tag without log", map[string]string{"INPUT_MODE": "tag"}, nil, "session-log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ReadInputs(actionWith(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(in) {
				t.Fatalf("inputs %+v, error %v", in, err)
			}
		})
	}
}
