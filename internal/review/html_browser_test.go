package review

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The browser check: the sample report is opened in a real headless
// Chromium, which must run it without a console message (errors, blocked
// resources and policy violations all surface there), draw exactly one
// mark per datum, fit every mark inside its chart, and sort a table on a
// header click. scripts/test installs Debian's chromium when it runs as
// root; TOKENYIELD_CHROMIUM names another binary.

var (
	htmlScreenshot = flag.String("html-screenshot", "", "also write the sample report's screenshot (PNG) to this path")
	htmlOut        = flag.String("html-out", "", "also write the sample report (HTML) to this path")
)

// The screenshot's size: a common laptop width, tall enough to show the
// summary, the weekly chart and the tokens-versus-lines scatter.
const htmlShotW, htmlShotH = 1280, 2880

// htmlChromium finds the browser, or skips the test saying how to get one.
// With TOKENYIELD_REQUIRE_PEERS=1 and TOKENYIELD_CHROMIUM set, a browser
// that cannot be found fails instead.
func htmlChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TOKENYIELD_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			if os.Getenv("TOKENYIELD_REQUIRE_PEERS") == "1" {
				t.Fatalf("TOKENYIELD_CHROMIUM=%s: %v", p, err)
			}
			t.Skipf("TOKENYIELD_CHROMIUM=%s: %v", p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium: the HTML report is not checked in a browser. Install it (Debian: apt-get install chromium; scripts/test does so when run as root) or set TOKENYIELD_CHROMIUM.")
	return ""
}

// htmlRunChromium runs the headless browser with a private profile and
// home, no background network, and returns its stdout and stderr.
func htmlRunChromium(t *testing.T, bin string, args ...string) (stdout, stderr string) {
	t.Helper()
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{
		"--headless=new", "--disable-gpu", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
		"--user-data-dir=" + filepath.Join(home, "profile"), "--disable-extensions", "--disable-sync",
		"--disable-background-networking", "--disable-component-update", "--disable-domain-reliability",
		"--no-pings", "--hide-scrollbars", "--force-device-scale-factor=1", "--enable-logging=stderr", "--v=0",
	}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, htmlTail(errb.String(), 40))
	}
	return out.String(), errb.String()
}

// htmlTail is the last n lines of s.
func htmlTail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// htmlProbeHead records errors from the moment the page starts; htmlProbeTail
// runs after the report's own script and writes what it finds as JSON into
// the DOM, which --dump-dom prints.
const (
	htmlProbeHead = `window.__probe={errors:[]};` +
		`window.addEventListener("error",function(e){window.__probe.errors.push(String(e.message||(e.target&&e.target.outerHTML)||e))},true);` +
		`document.addEventListener("securitypolicyviolation",function(e){window.__probe.errors.push("CSP "+e.violatedDirective+" "+e.blockedURI)});`
	htmlProbeTail = `(function(){var p=window.__probe,svgNS="http://www.w3.org/2000/svg";p.marks={};p.outside=[];` +
		`document.querySelectorAll("svg.chart").forEach(function(svg){var id=svg.getAttribute("data-chart"),vb=svg.viewBox.baseVal,n=0;` +
		`svg.querySelectorAll(".mark").forEach(function(el){if(el.namespaceURI!==svgNS){return}n++;var b=el.getBBox();` +
		`if(b.x<vb.x-0.5||b.y<vb.y-0.5||b.x+b.width>vb.x+vb.width+0.5||b.y+b.height>vb.y+vb.height+0.5){p.outside.push(id)}});p.marks[id]=n});` +
		`p.buttons=document.querySelectorAll("table.sortable th > button").length;p.js=document.documentElement.classList.contains("js");` +
		`var t=document.getElementById("prs-table"),col=-1;Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){if(th.textContent.trim()==="Tokens"){col=i}});` +
		`t.tHead.rows[0].cells[col].querySelector("button").click();p.sort1=t.tHead.rows[0].cells[col].getAttribute("aria-sort");` +
		`p.sorted=Array.prototype.map.call(t.tBodies[0].rows,function(r){return r.cells[col].getAttribute("data-v")});` +
		`var o=document.createElement("pre");o.id="probe-result";o.textContent=JSON.stringify(p);document.body.appendChild(o)})();`
)

// htmlProbeResult is what htmlProbeTail reports.
type htmlProbeResult struct {
	Errors  []string       `json:"errors"`
	Marks   map[string]int `json:"marks"`
	Outside []string       `json:"outside"`
	Buttons int            `json:"buttons"`
	JS      bool           `json:"js"`
	Sort1   string         `json:"sort1"`
	Sorted  []string       `json:"sorted"`
}

// htmlWithProbe inserts the probe scripts into a page and admits them in
// its Content-Security-Policy (by hash, as the report's own script is).
func htmlWithProbe(t *testing.T, page string) string {
	t.Helper()
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	re := regexp.MustCompile(`content="(default-src [^"]*)"`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no Content-Security-Policy in the page")
	}
	policy := strings.Replace(html.UnescapeString(m[1]), "script-src ", "script-src"+hash(htmlProbeHead)+hash(htmlProbeTail)+" ", 1)
	page = strings.Replace(page, m[0], `content="`+html.EscapeString(policy)+`"`, 1)
	page = strings.Replace(page, "<style>", "<script>"+htmlProbeHead+"</script><style>", 1)
	return strings.Replace(page, "</body>", "<script>"+htmlProbeTail+"</script></body>", 1)
}

// TestHTMLInBrowser checks the sample report in headless Chromium.
func TestHTMLInBrowser(t *testing.T) {
	bin := htmlChromium(t)
	d, m := htmlSample()
	page := htmlRender(t, d, m)
	dir := t.TempDir()
	plain := filepath.Join(dir, "review.html")
	probed := filepath.Join(dir, "probed.html")
	if err := os.WriteFile(plain, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(probed, []byte(htmlWithProbe(t, page)), 0o644); err != nil {
		t.Fatal(err)
	}

	dom, stderr := htmlRunChromium(t, bin, "--dump-dom", "file://"+probed)
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, ":CONSOLE") || strings.Contains(line, "Uncaught") {
			t.Errorf("browser console: %s", line)
		}
	}
	raw := regexp.MustCompile(`(?s)<pre id="probe-result">(.*?)</pre>`).FindStringSubmatch(dom)
	if raw == nil {
		t.Fatalf("the probe did not run; DOM tail:\n%s", htmlTail(dom, 20))
	}
	var got htmlProbeResult
	if err := json.Unmarshal([]byte(html.UnescapeString(raw[1])), &got); err != nil {
		t.Fatalf("probe result: %v", err)
	}
	if len(got.Errors) > 0 {
		t.Errorf("page errors: %q", got.Errors)
	}
	want := htmlExpectedMarks(m)
	if len(got.Marks) != 5 {
		t.Errorf("browser drew %d charts (%v), want 5", len(got.Marks), got.Marks)
	}
	for id, n := range want {
		if got.Marks[id] != n {
			t.Errorf("chart %s: %d marks in the browser, want %d", id, got.Marks[id], n)
		}
	}
	if len(got.Outside) > 0 {
		t.Errorf("marks drawn outside their chart: %v", got.Outside)
	}
	if !got.JS || got.Buttons < 60 {
		t.Errorf("sort script: js=%v, %d header buttons", got.JS, got.Buttons)
	}
	// One click on Tokens sorts descending, unknown ("" data-v) last.
	if got.Sort1 != "descending" || len(got.Sorted) != len(m.PRs) {
		t.Fatalf("after a click: aria-sort=%q, %d rows", got.Sort1, len(got.Sorted))
	}
	seenUnknown := false
	prev := ""
	for _, v := range got.Sorted {
		if v == "" {
			seenUnknown = true
			continue
		}
		if seenUnknown {
			t.Fatalf("a known value after an unknown one: %v", got.Sorted)
		}
		if prev != "" && htmlParseFloat(v) > htmlParseFloat(prev) {
			t.Fatalf("not descending: %v", got.Sorted)
		}
		prev = v
	}

	shot := filepath.Join(dir, "review.png")
	_, _ = htmlRunChromium(t, bin, fmt.Sprintf("--window-size=%d,%d", htmlShotW, htmlShotH), "--screenshot="+shot, "file://"+plain)
	b, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != htmlShotW || cfg.Height != htmlShotH {
		t.Fatalf("screenshot: %v, %dx%d", err, cfg.Width, cfg.Height)
	}
	if *htmlScreenshot != "" {
		if err := os.WriteFile(*htmlScreenshot, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if *htmlOut != "" {
		if err := os.WriteFile(*htmlOut, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func htmlParseFloat(s string) float64 {
	var f float64
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		return 0
	}
	return f
}
