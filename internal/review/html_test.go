package review

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"html"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/internal/gitstat"
)

// htmlUpdate rewrites the HTML golden file: go test ./internal/review -run HTML -update-html
var htmlUpdate = flag.Bool("update-html", false, "rewrite testdata/html golden files")

// htmlRender renders a report, failing the test on error.
func htmlRender(t testing.TB, d Dataset, m Metrics) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, d, m); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return b.String()
}

// TestWriteHTMLGolden pins the whole page of the hand-built fixture, so any
// change to the markup is seen in review.
func TestWriteHTMLGolden(t *testing.T) {
	d, m := htmlFixture()
	got := htmlRender(t, d, m)
	path := filepath.Join("testdata", "html", "fixture.html")
	if *htmlUpdate {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-html to create it)", err)
	}
	if got != string(want) {
		t.Errorf("HTML differs from %s (run with -update-html and review the diff)", path)
	}
}

// htmlChartMarks counts the data marks of each chart in a page.
func htmlChartMarks(page string) map[string]int {
	out := map[string]int{}
	re := regexp.MustCompile(`(?s)<svg class="chart" data-chart="([^"]+)".*?</svg>`)
	for _, m := range re.FindAllStringSubmatch(page, -1) {
		out[m[1]] = strings.Count(m[0], `class="mark `)
	}
	return out
}

// htmlExpectedMarks derives the number of marks each chart must have from
// the metrics alone, by the rules the report states: a token bar per week
// with usage data and tokens, a cost point per week with data and a known
// cost; a dot per pull request with data, tokens and changed code lines; a
// bar per known quartile rate; a share bar per agent or model with tokens
// (at most 9: 8 and "others").
func htmlExpectedMarks(m Metrics) map[string]int {
	want := map[string]int{}
	weekly := 0
	for _, w := range m.Weeks {
		f := w.Figures
		if f.CommitsWithData > 0 && f.Tokens > 0 {
			weekly++
		}
		if f.CommitsWithData > 0 && f.CostUSD != nil {
			weekly++
		}
	}
	if len(m.Weeks) > 0 {
		want["weekly"] = weekly
	}
	dots := 0
	for _, r := range m.PRs {
		if f := r.Figures; f.CommitsWithData > 0 && f.Tokens > 0 && f.LinesAdded+f.LinesDeleted > 0 {
			dots++
		}
	}
	if dots > 0 {
		want["scatter"] = dots
	}
	bars := 0
	for _, q := range m.Intensity.Quartiles {
		for _, r := range []*float64{q.ApprovalRate, q.ChangeRequestRate} {
			if r != nil {
				bars++
			}
		}
	}
	if len(m.Intensity.Quartiles) > 0 {
		want["outcomes"] = bars
	}
	for id, groups := range map[string][]Group{"share-agents": m.Agents, "share-models": m.Models} {
		n := 0
		for _, g := range groups {
			if g.Figures.Tokens > 0 {
				n++
			}
		}
		if n > 9 {
			n = 9
		}
		if n > 0 {
			want[id] = n
		}
	}
	return want
}

// TestWriteHTMLMarks checks that every chart has exactly one mark per datum
// and no chart is drawn without data.
func TestWriteHTMLMarks(t *testing.T) {
	fd, fm := htmlFixture()
	sd, sm := htmlSample()
	noData := Dataset{PRs: []PR{
		{Number: 1, Title: "one", MergedAt: htmlT("2026-03-02T10:00:00Z"), Commits: []Commit{{SHA: "1", Time: htmlT("2026-03-02T09:00:00Z"), Code: htmlLines(5, 1), DiffTokens: -1}}},
		{Number: 2, Title: "two", MergedAt: htmlT("2026-03-20T10:00:00Z"), Commits: []Commit{{SHA: "2", Time: htmlT("2026-03-20T09:00:00Z"), Code: htmlLines(7, 0), DiffTokens: -1}}},
	}}
	many := Metrics{}
	for i := range 12 {
		many.Models = append(many.Models, Group{Key: string(rune('a'+i)) + "-model", Figures: Figures{Tokens: int64(1000 * (i + 1)), CommitsWithData: 1, Commits: 1}})
	}
	tests := []struct {
		name string
		d    Dataset
		m    Metrics
		want map[string]int // nil: derive from the metrics
	}{
		{"fixture", fd, fm, htmlFixtureMarks},
		{"sample", sd, sm, nil},
		{"empty", Dataset{}, Metrics{}, map[string]int{}},
		{"no usage data", noData, Compute(noData), map[string]int{"weekly": 0}},
		{"many models", Dataset{}, many, map[string]int{"share-models": 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want == nil {
				want = htmlExpectedMarks(tt.m)
			}
			got := htmlChartMarks(htmlRender(t, tt.d, tt.m))
			if len(got) != len(want) {
				t.Errorf("charts drawn = %v, want %v", got, want)
			}
			for id, n := range want {
				if got[id] != n {
					t.Errorf("chart %q has %d marks, want %d", id, got[id], n)
				}
			}
			if derived := htmlExpectedMarks(tt.m); tt.want != nil && tt.name != "no usage data" {
				for id, n := range derived {
					if want[id] != n {
						t.Errorf("hand count for %q is %d but the rules give %d", id, want[id], n)
					}
				}
			}
		})
	}
}

func htmlLines(a, d int64) gitstat.Lines { return gitstat.Lines{Added: a, Deleted: d} }

// TestWriteHTMLSelfContained checks that the page references nothing
// outside itself, that its Content-Security-Policy admits exactly the
// embedded style and script, and that hostile text stays text.
func TestWriteHTMLSelfContained(t *testing.T) {
	d, m := htmlFixture()
	page := htmlRender(t, d, m)

	htmlCheckMarkup(t, page)
	for _, bad := range []string{"url(", "@import", "xlink:href", "<svg onload", "<img"} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	// "http" only in the policy's http-equiv and the hostile title's text,
	// which appears escaped where the title is shown (table cell, scatter
	// dot); its tags and quotes never appear raw.
	if n, want := strings.Count(page, "http"), 1+strings.Count(page, "https://evil.example"); n != want {
		t.Errorf("page mentions http %d times, want %d (http-equiv and the escaped hostile title)", n, want)
	}
	if !strings.Contains(page, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Error("hostile title not shown escaped")
	}
	if strings.ContainsRune(page, '\u202E') {
		t.Error("bidi override kept")
	}

	// The policy's hashes are those of the inline style and script.
	csp := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]+)"`).FindStringSubmatch(page)
	if csp == nil {
		t.Fatal("no Content-Security-Policy")
	}
	policy := html.UnescapeString(csp[1])
	for _, el := range []string{"style", "script"} {
		body := regexp.MustCompile(`(?s)<` + el + `>(.*?)</` + el + `>`).FindStringSubmatch(page)
		sum := sha256.Sum256([]byte(body[1]))
		want := el + "-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !strings.Contains(policy, want) {
			t.Errorf("policy %q lacks %q", policy, want)
		}
	}
	if !strings.HasPrefix(policy, "default-src 'none'") {
		t.Errorf("policy %q does not deny by default", policy)
	}
}

// htmlTagNames are the elements the report may contain; anything else
// (img, iframe, link, form, foreignObject, …) would be injected.
var htmlTagNames = map[string]bool{
	"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true, "main": true, "header": true,
	"h1": true, "h2": true, "h3": true, "p": true, "span": true, "nav": true, "a": true, "section": true, "div": true,
	"ul": true, "li": true, "strong": true, "em": true, "figure": true, "figcaption": true, "table": true, "caption": true,
	"thead": true, "tbody": true, "tr": true, "th": true, "td": true, "dl": true, "dt": true, "dd": true, "footer": true,
	"script": true, "svg": true, "desc": true, "line": true, "rect": true, "path": true, "circle": true, "text": true,
}

// htmlAttrNames are the attributes the report may use: no event handler,
// no src, no style.
var htmlAttrNames = map[string]bool{
	"lang": true, "charset": true, "name": true, "content": true, "http-equiv": true, "id": true, "class": true,
	"href": true, "aria-label": true, "aria-labelledby": true, "aria-hidden": true, "role": true, "title": true,
	"scope": true, "data-v": true, "data-chart": true, "data-marks": true, "viewbox": true,
	"x": true, "y": true, "x1": true, "y1": true, "x2": true, "y2": true, "width": true, "height": true,
	"cx": true, "cy": true, "r": true, "d": true, "text-anchor": true, "transform": true,
}

// htmlCheckMarkup checks every tag and attribute of a page against the
// allow-lists: links stay in the page, and no attribute but the inert title
// and the policy's content mentions http.
func htmlCheckMarkup(t testing.TB, page string) {
	t.Helper()
	tag := regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*/?>`)
	attr := regexp.MustCompile(`\s+([^\s=>]+)(?:="([^"]*)")?`)
	scripts, styles := 0, 0
	for _, tm := range tag.FindAllStringSubmatch(page, -1) {
		name := strings.ToLower(tm[1])
		if !htmlTagNames[name] {
			t.Errorf("page has a <%s> element", tm[1])
		}
		scripts += htmlBoolInt(name == "script")
		styles += htmlBoolInt(name == "style")
		for _, am := range attr.FindAllStringSubmatch(tm[2], -1) {
			a, value := strings.ToLower(am[1]), am[2]
			if !htmlAttrNames[a] {
				t.Errorf("<%s> has attribute %s=%q", tm[1], a, value)
			}
			if a == "href" && !strings.HasPrefix(value, "#") {
				t.Errorf("<%s> links outside the page: href=%q", tm[1], value)
			}
			if a != "title" && a != "content" && strings.Contains(strings.ToLower(value), "http") {
				t.Errorf("<%s> %s=%q holds a URL", tm[1], a, value)
			}
		}
	}
	if scripts != 1 || styles != 1 {
		t.Errorf("page has %d <script> and %d <style>, want 1 each", scripts, styles)
	}
	if n := strings.Count(page, "<"); n != len(tag.FindAllString(page, -1))+strings.Count(page, "</")+strings.Count(page, "<!DOCTYPE") {
		t.Errorf("page has a '<' that is not a tag: %d '<' for %d tags", n, len(tag.FindAllString(page, -1)))
	}
}

func htmlBoolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestWriteHTMLUnknown checks that unknown figures read "unknown", never 0.
func TestWriteHTMLUnknown(t *testing.T) {
	d := Dataset{Repo: "acme/app", PRs: []PR{{Number: 7, Title: "No data here", MergedAt: htmlT("2026-03-02T10:00:00Z"),
		Commits: []Commit{{SHA: "7", Time: htmlT("2026-03-02T09:00:00Z"), Code: htmlLines(12, 3), DiffTokens: -1}}}}}
	page := htmlRender(t, d, Compute(d))
	card := func(label string) string {
		m := regexp.MustCompile(`<div class="label">` + regexp.QuoteMeta(label) + `</div><div class="value([^"]*)">([^<]*)</div>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no card %q", label)
		}
		return strings.TrimSpace(m[1]) + "|" + m[2]
	}
	for _, label := range []string{"Tokens", "Cost", "Tokens per changed line", "Merge rate", "Change-request rate",
		"Median review rounds", "Median time to merge", "Rework tokens", "Median tokens per pull request", "Diff tokens per AI output token"} {
		if got := card(label); got != "unknown|unknown" {
			t.Errorf("card %q = %q, want unknown", label, got)
		}
	}
	if got := card("Coverage"); got != "|0% (0/1)" {
		t.Errorf("coverage card = %q", got)
	}
	row := regexp.MustCompile(`(?s)<tr><th scope="row" class="num" data-v="7">#7</th>.*?</tr>`).FindString(page)
	if row == "" {
		t.Fatal("no row for PR #7")
	}
	if n := strings.Count(row, `class="num unknown" data-v=""`); n != 5 {
		t.Errorf("PR row has %d unknown numeric cells, want 5 (tokens, cost, tokens/line, rounds, time to merge): %s", n, row)
	}
	if strings.Contains(row, `>0<`) {
		t.Errorf("PR row shows a 0: %s", row)
	}
	for _, msg := range []string{"None of the 1 commits carries usage data", "Review outcomes are unknown for every pull request",
		"No pull request has both usage data and changed code lines", "No quartiles: 0 pull requests"} {
		if !strings.Contains(page, msg) {
			t.Errorf("page lacks %q", msg)
		}
	}
}

// TestWriteHTMLCostLowerBound checks a cost with an unpriced model: the
// priced part is shown as a lower bound, marked as not the full figure.
func TestWriteHTMLCostLowerBound(t *testing.T) {
	d, m := htmlFixture()
	page := htmlRender(t, d, m)
	if !strings.Contains(page, `<div class="value unknown">≥ $2.70</div>`) {
		t.Error("total cost not shown as the lower bound ≥ $2.70")
	}
	if !strings.Contains(page, `title="lower bound: 1 commits used a model without a known price">≥ $1.50</td>`) {
		t.Error("PR #105's cost not shown as a lower bound")
	}
}

// TestWriteHTMLSections checks the parts a reader relies on are present:
// each chart's accessible title and description, table headers with scope,
// sortable tables and the "how to read this" definitions.
func TestWriteHTMLSections(t *testing.T) {
	d, m := htmlSample()
	page := htmlRender(t, d, m)
	for _, id := range []string{"weekly", "scatter", "outcomes", "share-agents", "share-models"} {
		for _, part := range []string{`<title id="` + id + `-title">`, `<desc id="` + id + `-desc">`, `aria-labelledby="` + id + `-title ` + id + `-desc"`} {
			if !strings.Contains(page, part) {
				t.Errorf("chart %s lacks %s", id, part)
			}
		}
	}
	if n := strings.Count(page, `<table class="sortable"`); n != 6 {
		t.Errorf("%d sortable tables, want 6 (PRs, authors, weeks, agents, models, direct)", n)
	}
	if strings.Count(page, `<th scope="col"`) < 60 {
		t.Error("column headers lack scope")
	}
	for _, term := range []string{"<dt>Tokens</dt>", "<dt>Tokens per changed line</dt>", "<dt>Coverage</dt>",
		"<dt>Intensity versus outcome</dt>", "<dt>Unknown is not zero</dt>", "not causes", "@media print"} {
		if !strings.Contains(page, term) {
			t.Errorf("page lacks %q", term)
		}
	}
	if !strings.Contains(page, "Spearman") {
		t.Error("sample of 40 PRs states no rank correlation")
	}
}

// TestHTMLRowLimits checks that very long histories are cut with a note
// pointing to the complete outputs.
func TestHTMLRowLimits(t *testing.T) {
	tests := []struct {
		name     string
		table    htmlTable
		rows     int
		wantNote string
	}{
		{"PRs under the limit", htmlPRTable(make([]PRRow, 3)), 3, ""},
		{"PRs over the limit", htmlPRTable(make([]PRRow, htmlMaxPRRows+7)), htmlMaxPRRows, "\u2026 7 more pull requests not shown here"},
		{"direct commits over the limit", htmlDirectTable(make([]Commit, htmlMaxDirectRows+1), Figures{}), htmlMaxDirectRows, "\u2026 1 more direct commits not shown here"},
		{"no PR", htmlPRTable(nil), 0, "No merged pull request in this window."},
	}
	for _, tt := range tests {
		if len(tt.table.Rows) != tt.rows || !strings.HasPrefix(tt.table.Note, tt.wantNote) || (tt.wantNote == "") != (tt.table.Note == "") {
			t.Errorf("%s: %d rows, note %q; want %d rows, note %q", tt.name, len(tt.table.Rows), tt.table.Note, tt.rows, tt.wantNote)
		}
	}
}

// TestHTMLFlaggedNote checks that estimated and lower-bound usage is said.
func TestHTMLFlaggedNote(t *testing.T) {
	d, m := htmlFixture()
	d.Direct[0].Usage.Rows[0].Estimated = true
	d.Direct[0].Usage.Rows[0].LowerBound = true
	page := htmlRender(t, d, m)
	if !strings.Contains(page, "1 commit carries estimated usage and 1 commit carries usage known to be a lower bound") {
		t.Error("no note on estimated and lower-bound usage")
	}
	d, m = htmlFixture()
	if strings.Contains(htmlRender(t, d, m), "estimated usage") {
		t.Error("note on estimated usage without any")
	}
}

// TestWriteHTMLWriteError checks a failing writer's error is returned.
func TestWriteHTMLWriteError(t *testing.T) {
	boom := errors.New("disk full")
	err := WriteHTML(htmlFailWriter{boom}, Dataset{}, Metrics{})
	if !errors.Is(err, boom) {
		t.Errorf("WriteHTML = %v, want %v", err, boom)
	}
}

type htmlFailWriter struct{ err error }

func (w htmlFailWriter) Write([]byte) (int, error) { return 0, w.err }

func TestHTMLText(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"plain", 10, "plain"},
		{"  lead and trail  ", 40, "lead and trail"},
		{"line\nbreak\r\n\ttab\x00nul", 40, "line break tab nul"},
		{"a\u202Egnp.exe\u202C\u2066b\u2069", 40, "agnp.exeb"},
		{"abcdefghij", 4, "abcd\u2026"},
		{"日本語テキスト", 3, "日本語\u2026"},
		{"bad\xffutf8", 20, "bad\uFFFDutf8"},
	}
	for _, tt := range tests {
		if got := htmlText(tt.in, tt.limit); got != tt.want {
			t.Errorf("htmlText(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

func TestHTMLNumbers(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{htmlUSD(0), "$0.00"},
		{htmlUSD(0.004), "<$0.01"},
		{htmlUSD(0.426), "$0.43"},
		{htmlUSD(1234.5), "$1,234.50"},
		{htmlUSD(-2.5), "-$2.50"},
		{htmlUSDShort(1500), "$1.5k"},
		{htmlShort(950), "950"},
		{htmlShort(1200), "1.2k"},
		{htmlShort(3_400_000), "3.4M"},
		{htmlShort(2e9), "2B"},
		{htmlShort(0.25), "0.25"},
		{htmlPct(0), "0%"},
		{htmlPct(0.055), "5.5%"},
		{htmlPct(1.0 / 3), "33%"},
		{htmlPct(1), "100%"},
		{htmlRatio(0.4212), "0.42"},
		{htmlRatio(27.26), "27.3"},
		{htmlRatio(6250), "6,250"},
		{htmlTPL(4.26), "4.3"},
		{htmlTPL(49.6), "50"},
		{htmlTPL(6250.4), "6,250"},
		{htmlTokensValue(Figures{}).Text, "0"},
		{htmlTokensValue(Figures{Commits: 2}).Text, "unknown"},
		{htmlCostValue(Figures{}).Text, "$0.00"},
		{htmlCostValue(Figures{Commits: 1, CommitsWithData: 1, CostKnownUSD: 0, CostUnknownCommits: 1}).Text, "unknown"},
		{htmlHoursValue(htmlF(30.5)).Text, "30.5 h"},
		{htmlHoursValue(htmlF(72)).Text, "3 d"},
		{htmlHoursValue(nil).Text, "unknown"},
		{htmlCoord(12.345), "12.3"},
		{htmlCoord(math.NaN()), "0"},
		{htmlCoverageValue(Figures{Commits: 4, CommitsWithData: 3}).Text, "75% (3/4)"},
		{htmlLinesValue(1200, 30).Text, "+1,200 / \u221230"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestSVGTicks(t *testing.T) {
	lin := []struct {
		hi   float64
		want []float64
	}{
		{0, []float64{0, 1}},
		{95, []float64{0, 25, 50, 75, 100}},
		{1_020_000, []float64{0, 500_000, 1_000_000, 1_500_000}},
		{3.1, []float64{0, 1, 2, 3, 4}},
	}
	for _, tt := range lin {
		if got := svgLinearTicks(tt.hi, 4); !htmlFloatsEqual(got, tt.want) {
			t.Errorf("svgLinearTicks(%v) = %v, want %v", tt.hi, got, tt.want)
		}
	}
	log := []struct {
		lo, hi, d0, d1 float64
		ticks          int
	}{
		{12, 900, 10, 1000, 7},           // two decades: 10 20 50 100 200 500 1000
		{150, 180, 100, 1000, 4},         // within one decade: widened to it
		{3, 4_000_000, 1, 10_000_000, 8}, // seven decades: powers only
	}
	for _, tt := range log {
		d0, d1, ticks := svgLogTicks(tt.lo, tt.hi)
		if d0 != tt.d0 || d1 != tt.d1 || len(ticks) != tt.ticks {
			t.Errorf("svgLogTicks(%v, %v) = %v, %v, %v", tt.lo, tt.hi, d0, d1, ticks)
		}
	}
	s := svgScale{d0: 10, d1: 1000, r0: 0, r1: 200, log: true}
	if s.at(100) != 100 || s.at(1) != 0 || s.at(1e6) != 200 {
		t.Errorf("log scale: at(100)=%v at(1)=%v at(1e6)=%v", s.at(100), s.at(1), s.at(1e6))
	}
}

func htmlFloatsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9 {
			return false
		}
	}
	return true
}

func TestHTMLWeekSlots(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want []string
	}{
		{"gap filled", []string{"2026-W05", "2026-W08"}, []string{"2026-W05", "2026-W06", "2026-W07", "2026-W08"}},
		{"year boundary", []string{"2020-W52", "2021-W02"}, []string{"2020-W52", "2020-W53", "2021-W01", "2021-W02"}},
		{"unsorted", []string{"2026-W03", "2026-W01"}, []string{"2026-W01", "2026-W02", "2026-W03"}},
		{"not weeks", []string{"b", "a"}, []string{"a", "b"}},
		{"week 53 of a 52-week year", []string{"2026-W53"}, []string{"2026-W53"}},
		{"five-digit year", []string{"10000-W01", "2026-W06"}, []string{"10000-W01", "2026-W06"}},
		{"years apart", []string{"2001-W01", "2026-W06"}, []string{"2001-W01", "2026-W06"}},
	}
	for _, tt := range tests {
		var groups []Group
		for _, k := range tt.keys {
			groups = append(groups, Group{Key: k})
		}
		var got []string
		for _, s := range htmlWeekSlots(groups) {
			got = append(got, s.Key)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: slots %v, want %v", tt.name, got, tt.want)
		}
	}
	if mon, ok := weekStart("2026-W01"); !ok || !mon.Equal(time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("2026-W01 starts %v, %v", mon, ok)
	}
}

// FuzzWriteHTML renders pages with arbitrary titles, names and keys and
// checks that no tag, attribute or URL scheme from them reaches the markup.
func FuzzWriteHTML(f *testing.F) {
	f.Add(htmlHostileTitle, "@team", "gpt\"><script>")
	f.Add("</title><script>x</script>", "</svg><img src=x>", "2026-W05")
	f.Add("\x00\xff\u202e", "javascript:alert(1)", "<!--")
	f.Add("0", "0", "10000-W01") // a five-digit year once sorted before 2026 and emptied the weekly axis
	f.Fuzz(func(t *testing.T, title, author, key string) {
		d, m := htmlFixture()
		d.Repo, d.Branch = title, key
		m.PRs[0].Title, m.PRs[0].Author = title, author
		m.Models[0].Key, m.Weeks[0].Key, m.Authors[0].Key = key, key, author
		d.Direct[0].Subject = title
		page := htmlRender(t, d, m)
		htmlCheckMarkup(t, page)
		if got := len(htmlChartMarks(page)); got != 5 {
			t.Fatalf("%d charts, want 5", got)
		}
	})
}
