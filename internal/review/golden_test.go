package review_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/review"
)

var rvUpdate = flag.Bool("update", false, "rewrite the Markdown, JSON and CSV golden files under testdata/golden")

// rvFull is a dataset of 14 pull requests over five weeks with every kind
// of figure: outcomes for 12 of them (quartiles and a correlation), a PR
// without data, unknown costs, two agents and three models, hostile
// titles and names, direct commits and partial figures.
func rvFull() review.Dataset {
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) // Monday, W02
	hostile := []string{
		"Fix @acme/security team's <img src=x onerror=alert(1)> bug",
		"Add [link](javascript:alert(1)) | pipes | and `code` *stars* _under_ #42",
		"=HYPERLINK(\"http://evil.example\")",
		"Support www.example.com and https://example.org\nsecond line",
	}
	d := review.Dataset{
		Repo: "acme/widgets", Branch: "main",
		Since: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC),
		Generated: time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC), Tool: "tokenyield 0.9.0",
		Partial: []string{"shallow clone: the history before the clone's depth is missing", "3 commit(s) with a rejected note or AI-Tokens trailers (not counted)"},
	}
	models := []struct{ agent, model string }{
		{"claude-code", "claude-sonnet-4-5"}, {"claude-code", "claude-opus-4-1"}, {"codex", "gpt-5"},
	}
	authors := []string{"ada", "bob", "@cy-bot", "dee"}
	merges := []string{review.MergeCommit, review.MergeSquash, review.MergeRebase}
	states := []string{review.StateApproved, review.StateChangesRequested, review.StateCommented, review.StateApproved, review.StateNone}
	for i := range 14 {
		n := 14 - i // newest first
		merged := start.Add(time.Duration(n*60) * time.Hour)
		created := merged.Add(-time.Duration(3+n*2) * time.Hour)
		first := created.Add(time.Hour)
		pr := review.PR{
			Number: 100 + n, Title: fmt.Sprintf("Change number %d", n), Author: authors[n%len(authors)],
			Merge: merges[n%len(merges)], MergeSHA: fmt.Sprintf("%040x", 0xa000+n), MergedAt: merged,
			Reverted: n == 5,
		}
		if n <= len(hostile) {
			pr.Title = hostile[n-1]
		}
		for j := range 1 + n%3 {
			mm := models[(n+j)%len(models)]
			in, out := int64(1000*n+37*j), int64(400*n*(j+1)%2300+n)
			cost := float64(in)*3e-6 + float64(out)*15e-6
			if mm.model == "claude-opus-4-1" && n%4 == 0 {
				cost = -1 // unpriced
			}
			note := rvUsageNote(mm.agent, mm.model, in, out, 20*in, in/3, out/5, cost)
			c := rvCommit(fmt.Sprintf("%040x", 0xc000+100*n+j), first.Add(time.Duration(2*j-1)*time.Hour), note, int64(5+n*j*7%40), int64(n%5))
			c.Author = pr.Author
			if n == 7 && j == 0 {
				c.Usage, c.Source, c.Problem = attribution.Note{}, "", "note ignored: bad note"
			}
			if pr.Merge == review.MergeSquash {
				c.SHA = pr.MergeSHA
			}
			c.DiffTokens = 9 * c.Code.Added
			pr.Commits = append(pr.Commits, c)
		}
		if n == 9 { // no data at all
			for j := range pr.Commits {
				pr.Commits[j].Usage, pr.Commits[j].Source, pr.Commits[j].DiffTokens = attribution.Note{}, "", -1
			}
		}
		if n <= 12 {
			ap, cr := 0, n%4
			if states[n%len(states)] == review.StateApproved {
				ap = 1
			}
			pr.Review = &review.Outcome{State: states[n%len(states)], Approvals: ap, ChangeRequests: cr, Rounds: 1 + n%3,
				ReviewComments: n % 6, Created: rvTime(created), FirstReview: rvTime(first), MergedAt: rvTime(merged), Merged: true}
		}
		d.PRs = append(d.PRs, pr)
	}
	for k := range 3 {
		at := start.Add(time.Duration(100+k*200) * time.Hour)
		c := rvCommit(fmt.Sprintf("%040x", 0xd000+k), at, nil, int64(3+k), 1)
		c.Author = "Zoë <script>"
		if k != 1 {
			c.Usage, c.Source = *rvUsageNote("codex", "gpt-5", 10*int64(k+1), 20, 0, 0, 0, 0.001), "trailers"
		}
		d.Direct = append(d.Direct, c)
	}
	return d
}

// rvGoldenCases are the golden datasets.
func rvGoldenCases() []struct {
	name string
	d    review.Dataset
} {
	small := rvSmall()
	small.Generated = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	small.Tool = "tokenyield 0.9.0"
	return []struct {
		name string
		d    review.Dataset
	}{
		{"full", rvFull()},
		{"small", small},
		{"empty", review.Dataset{Repo: "acme/empty", Branch: "main", Generated: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}},
	}
}

// rvGolden compares got with testdata/golden/name, or rewrites it with -update.
func rvGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *rvUpdate {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -run %s -update to accept):\n%s", name, t.Name(), rvDiff(string(want), string(got)))
	}
}

// rvDiff shows the first differing line.
func rvDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nwant %q\n got %q", i+1, a, b)
		}
	}
	return ""
}

// TestGoldenMarkdown checks the Markdown of each golden dataset.
func TestGoldenMarkdown(t *testing.T) {
	for _, tc := range rvGoldenCases() {
		var b bytes.Buffer
		if err := review.WriteMarkdown(&b, tc.d, review.Compute(tc.d)); err != nil {
			t.Fatal(err)
		}
		rvGolden(t, tc.name+".md", b.Bytes())
	}
}

// TestGoldenJSON checks the JSON of each golden dataset, and that it
// decodes with the documented identity.
func TestGoldenJSON(t *testing.T) {
	for _, tc := range rvGoldenCases() {
		var b bytes.Buffer
		if err := review.WriteJSON(&b, tc.d, review.Compute(tc.d)); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Schema  string `json:"schema"`
			Version int    `json:"version"`
		}
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil || doc.Schema != review.JSONSchema || doc.Version != review.JSONVersion {
			t.Errorf("%s: schema %q version %d err %v", tc.name, doc.Schema, doc.Version, err)
		}
		rvGolden(t, tc.name+".json", b.Bytes())
	}
}

// TestGoldenCSV checks the CSV files of each golden dataset.
func TestGoldenCSV(t *testing.T) {
	for _, tc := range rvGoldenCases() {
		dir := t.TempDir()
		paths, err := review.WriteCSV(filepath.Join(dir, "out"), tc.d, review.Compute(tc.d))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{review.CSVPRs, review.CSVWeeks, review.CSVAuthors, review.CSVAgents, review.CSVModels}
		if len(paths) != len(want) {
			t.Fatalf("%s: wrote %v", tc.name, paths)
		}
		for i, p := range paths {
			if filepath.Base(p) != want[i] {
				t.Errorf("file %d is %s, want %s", i, p, want[i])
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil {
				t.Errorf("%s/%s: %v", tc.name, want[i], err)
			}
			for _, r := range rows {
				for _, cell := range r {
					if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
						t.Errorf("%s/%s: cell %q starts a formula", tc.name, want[i], cell)
					}
				}
			}
			rvGolden(t, tc.name+"/"+want[i], b)
		}
	}
}

// TestMarkdownEscapes checks that no user text escapes its cell: no raw
// HTML, no mention, no link, and every table row has its columns.
func TestMarkdownEscapes(t *testing.T) {
	d := rvFull()
	var b bytes.Buffer
	if err := review.WriteMarkdown(&b, d, review.Compute(d)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<img", "<script", "](javascript", "@acme/", "@cy-bot", "https://example.org", "www.example.com", "#42"} {
		if strings.Contains(out, bad) {
			t.Errorf("Markdown contains %q", bad)
		}
	}
	// Rows of a table have as many unescaped pipes as its header.
	pipes := regexp.MustCompile(`(^|[^\\])\|`)
	cols := 0
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := len(pipes.FindAllString(line, -1))
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("row with %d cells, header %d: %s", n-1, cols-1, line)
		}
	}
}

// TestJSONUnknowns checks that unknown figures are null in JSON, not 0.
func TestJSONUnknowns(t *testing.T) {
	d := rvSmall()
	var b bytes.Buffer
	if err := review.WriteJSON(&b, d, review.Compute(d)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Totals map[string]any   `json:"totals"`
		PRs    []map[string]any `json:"prs"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Totals["tokens"] != 1382.0 || doc.Totals["cost_usd"] != nil || doc.Totals["cost_known_usd"] != 1.01 {
		t.Errorf("totals tokens %v cost %v known %v", doc.Totals["tokens"], doc.Totals["cost_usd"], doc.Totals["cost_known_usd"])
	}
	p12 := doc.PRs[0]
	for _, k := range []string{"tokens", "input", "cost_usd", "tokens_per_line", "state", "review", "rework_tokens"} {
		if v, ok := p12[k]; !ok || v != nil {
			t.Errorf("#12 %s = %v, want null", k, v)
		}
	}
	if p12["number"] != 112.0-100 || p12["lines_added"] != 50.0 || p12["lines_deleted"] != 50.0 || p12["reverted"] != true {
		t.Errorf("#12 %v", p12)
	}
}

// TestWriteFiles: the chosen formats land in the directory under their
// names, in the order of Formats, each the same as its writer's output.
func TestWriteFiles(t *testing.T) {
	d := rvFull()
	m := review.Compute(d)
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := review.WriteFiles(dir, d, m, "csv", "json")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	want := []string{"review.json", review.CSVPRs, review.CSVWeeks, review.CSVAuthors, review.CSVAgents, review.CSVModels}
	if !slices.Equal(names, want) {
		t.Errorf("wrote %q, want %q", names, want)
	}
	var b bytes.Buffer
	if err := review.WriteJSON(&b, d, m); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "review.json")); err != nil || !bytes.Equal(got, b.Bytes()) {
		t.Errorf("review.json differs from WriteJSON's output (%v)", err)
	}
	if _, _, ok := review.Writer("csv"); ok {
		t.Error("csv has a single-file writer")
	}
}
