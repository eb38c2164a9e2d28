package report

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"
)

// TestJSONGolden compares the normal pull request's JSON with
// testdata/normal.json and checks its schema header.
func TestJSONGolden(t *testing.T) {
	b, err := Build(normalInput()).JSON()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "normal.json", b)
	var head struct {
		Schema  string `json:"schema"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(b, &head); err != nil || head.Schema != "tokenyield/pr-report" || head.Version != 1 {
		t.Fatalf("schema header = %+v, %v", head, err)
	}
}

// TestJSONKeysDocumented: every key the JSON holds is named in the schema
// of the package doc, so the documentation cannot fall behind the code.
func TestJSONKeysDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, in := range []Input{normalInput(), partialInput(), hostileInput()} {
		r := Build(in)
		r.Breaches = Gates{MaxCost: ptr(0.0)}.Check(r)
		b, err := r.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		collectKeys(v, keys)
	}
	var missing []string
	for k := range keys {
		if k == "lock" || k == "generated" { // example keys of excluded_by
			continue
		}
		if !strings.Contains(string(doc), `"`+k+`"`) {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("JSON keys missing from the schema in doc.go: %v", missing)
	}
}

func collectKeys(v any, keys map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			keys[k] = true
			collectKeys(x, keys)
		}
	case []any:
		for _, x := range v {
			collectKeys(x, keys)
		}
	}
}

// TestJSONNeverNull: lists are [] even in a Report not made by Build.
func TestJSONNeverNull(t *testing.T) {
	b, err := Report{}.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"commits", "agents", "partial", "problems", "breaches"} {
		if !strings.Contains(string(b), `"`+k+`": []`) {
			t.Errorf("%s is not an empty list in %s", k, b)
		}
	}
	if !strings.Contains(string(b), `"schema": "tokenyield/pr-report"`) {
		t.Errorf("no schema in %s", b)
	}
}

// TestOutputs checks the Action outputs: plain numbers, "" when unknown.
func TestOutputs(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		want map[string]string
	}{
		{"normal", normalInput(), map[string]string{
			OutputTokens: "884200", OutputCostUSD: "1.8842", OutputLinesAdded: "807", OutputLinesDeleted: "92",
			OutputTokensPerLine: "983.54", OutputCoverage: "0.8333"}},
		{"no data", noDataInput(), map[string]string{
			OutputTokens: "0", OutputCostUSD: "0", OutputLinesAdded: "16", OutputLinesDeleted: "2",
			OutputTokensPerLine: "0.00", OutputCoverage: "0.0000"}},
		{"unknown cost and lines", partialInput(), map[string]string{
			OutputTokens: "101610", OutputCostUSD: "", OutputLinesAdded: "935", OutputLinesDeleted: "858",
			OutputTokensPerLine: "", OutputCoverage: "0.7500"}},
		{"no commits", Input{}, map[string]string{
			OutputTokens: "0", OutputCostUSD: "0", OutputLinesAdded: "0", OutputLinesDeleted: "0",
			OutputTokensPerLine: "", OutputCoverage: ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Build(tt.in).Outputs()
			for k, w := range tt.want {
				if got[k] != w {
					t.Errorf("%s = %q, want %q", k, got[k], w)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("outputs = %v", got)
			}
		})
	}
}
