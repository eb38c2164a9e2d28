package aider

import (
	"bufio"
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
	"github.com/tokenyield/tokenyield/internal/agents/agenttest"
)

// TestTokensLineVariants parses one line of every wording aider has used
// (sample line numbers in the names; "synthetic" lines are hand-written in the
// current format) and checks the exact numbers, the normalisation of "sent"
// and the Estimated flag. Derivations are in the comments.
func TestTokensLineVariants(t *testing.T) {
	type u = attribution.Usage
	for _, tc := range []struct {
		name      string
		line      string
		want      u
		estimated bool
	}{
		// Exact numbers, no cache: Input = sent, Output = received.
		{"head 236 request wording", "> Tokens: 12,566 sent, 84 received. Cost: $0.0019 request, $0.0019 session.  ",
			u{Input: 12566, Output: 84}, false},
		{"tail 12799 no cost", "> Tokens: 9,869 sent, 0 received.",
			u{Input: 9869}, false},
		{"tail 12309 cache costs after received", "> Tokens: 529 sent, 90 received, cache costs not included. Cost: $0.00024 message, $0.00024 session.  ",
			u{Input: 529, Output: 90}, false},
		{"tail 12324 cache costs after session", "> Tokens: 529 sent, 90 received. Cost: $0.00024 message, $0.00024 session, cache costs not included.  ",
			u{Input: 529, Output: 90}, false},
		// "cached" (0.50.2-dev): 1,278 > 492, so "sent" excluded it:
		// Input 492, CacheRead 1,278.
		{"tail 7588 cached exceeding sent", "> Tokens: 492 sent, 1,278 cached, 72 received. Cost: $0.0026 message, $0.0026 session.  ",
			u{Input: 492, CacheRead: 1278, Output: 72}, false},
		{"tail 12443 cached, costs not available", "> Tokens: 194 sent, 9,474 cached, 7 received. Cost: $0.000057 message, $0.000057 session, cache costs not available.  ",
			u{Input: 194, CacheRead: 9474, Output: 7}, false},
		// 320 <= 21,539: included: Input 21,539 - 320 = 21,219.
		{"tail 12475 cached within sent", "> Tokens: 21,539 sent, 320 cached, 9 received. Cost: $0.0030 message, $0.0030 session.  ",
			u{Input: 21219, CacheRead: 320, Output: 9}, false},
		// DeepSeek: 21,523 - 13,952 = 7,571.
		{"tail 12693 cache hit within sent", "> Tokens: 21,523 sent, 13,952 cache hit, 9 received. Cost: $0.0030 message, $0.0030 session.  ",
			u{Input: 7571, CacheRead: 13952, Output: 9}, false},
		// The mid-August 2024 build whose "sent" excluded the cache.
		{"tail 12723 cache hit exceeding sent", "> Tokens: 194 sent, 9,474 cache hit, 7 received. Cost: $0.00029 message, $0.00029 session.  ",
			u{Input: 194, CacheRead: 9474, Output: 7}, false},
		{"tail 12708 cache write exceeding sent", "> Tokens: 194 sent, 9,474 cache write, 7 received. Cost: $0.0000088 message, $0.0000088 session.  ",
			u{Input: 194, CacheWrite: 9474, Output: 7}, false},
		// 2,930 - 2,728 = 202, the same prompt as line 12708 once "sent"
		// included the cache.
		{"tail 16091 cache write within sent", "> Tokens: 2,930 sent, 2,728 cache write, 18 received. Cost: $0.00093 message, $0.00093 session.  ",
			u{Input: 202, CacheWrite: 2728, Output: 18}, false},
		// Both cache parts: the cost moves to the next line, unprefixed.
		// 12,963 - 11,191 - 1,270 = 502.
		{"tail 16333 write and hit, cost on the next line", "> Tokens: 12,963 sent, 11,191 cache write, 1,270 cache hit, 105 received.",
			u{Input: 502, CacheRead: 1270, CacheWrite: 11191, Output: 105}, false},
		// Rounded: 15k - 13k - 1.6k = 15,000 - 13,000 - 1,600 = 400.
		{"tail 17287 rounded write and hit", "> Tokens: 15k sent, 13k cache write, 1.6k cache hit, 133 received.",
			u{Input: 400, CacheRead: 1600, CacheWrite: 13000, Output: 133}, true},
		// 2.3k - 1.8k = 2,300 - 1,800 = 500.
		{"tail 17139 rounded hit", "> Tokens: 2.3k sent, 1.8k cache hit, 91 received. Cost: $0.0034 message, $0.0034 session.  ",
			u{Input: 500, CacheRead: 1800, Output: 91}, true},
		{"tail 16597 rounded write equal to sent", "> Tokens: 1.6k sent, 1.6k cache write, 51 received. Cost: $0.0069 message, $0.0069 session.  ",
			u{CacheWrite: 1600, Output: 51}, true},
		{"tail 19907 rounded received", "> Tokens: 31k sent, 1.1k received.",
			u{Input: 31000, Output: 1100}, true},
		{"tail 20345 one decimal zero", "> Tokens: 6.1k sent, 1.0k received.",
			u{Input: 6100, Output: 1000}, true},
		// Only the exact part is exact: one rounded number marks the event.
		{"synthetic rounded sent only", "> Tokens: 12k sent, 256 received. Cost: $0.0051 message, $0.03 session.",
			u{Input: 12000, Output: 256}, true},
		// The format of reference §6b: 12,000 - 1,100 - 2,300 = 8,600.
		{"synthetic current format", "> Tokens: 12k sent, 1.1k cache write, 2.3k cache hit, 256 received. Cost: $0.0051 message, $0.03 session.  ",
			u{Input: 8600, CacheRead: 2300, CacheWrite: 1100, Output: 256}, true},
		// Rounding can make the parts exceed the whole: the hit (1,300) is
		// kept, the write is cut to 12,000 - 1,300 = 10,700, Input 0.
		{"synthetic rounded parts exceed sent", "> Tokens: 12k sent, 11k cache write, 1.3k cache hit, 256 received.",
			u{CacheRead: 1300, CacheWrite: 10700, Output: 256}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content := "# aider chat started at 2024-08-15 10:50:12\n" + tc.line + "\n"
			events, skipped := parse(t, role{kind: kindHistory, cwd: "/r"}, []byte(content), false)
			if skipped != 0 || len(events) != 1 {
				t.Fatalf("%d events, %d skipped", len(events), skipped)
			}
			if e := events[0]; e.Usage != tc.want || e.Estimated != tc.estimated {
				t.Errorf("got %+v estimated=%v, want %+v estimated=%v", e.Usage, e.Estimated, tc.want, tc.estimated)
			}
		})
	}
}

// TestHistoryLinesIgnoredOrSkipped: lines that look like usage but are not
// aider's Tokens output are ignored; Tokens lines that cannot be read are
// errors (counted as skipped), as are Tokens lines outside a session.
func TestHistoryLinesIgnoredOrSkipped(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content string
		skipped int
	}{
		{"user message", "#### Tokens: 12 sent, 3 received.", 0},
		{"plain text", "Tokens: 12 sent, 3 received.", 0},
		{"no space after >", ">Tokens: 12 sent, 3 received.", 0},
		{"code", `        tokens_report = f"Tokens: {format_tokens(self.message_tokens_sent)} sent"`, 0},
		{"separate cost line", "Cost: $0.05 message, $0.05 session.  ", 0},
		{"not a number", "> Tokens: many sent, 3 received.", 1},
		{"no received", "> Tokens: 12 sent", 1},
		{"no received after comma", "> Tokens: 12 sent, ", 1},
		{"received first", "> Tokens: 3 received.", 1},
		{"unknown part", "> Tokens: 12 sent, 3 bogus, 4 received.", 1},
		{"decimal without k", "> Tokens: 1.5 sent, 3 received.", 1},
		{"bad thousands", "> Tokens: 1,,2 sent, 3 received.", 1},
		{"k with comma", "> Tokens: 1,2k sent, 3 received.", 1},
		{"cached and cache hit", "> Tokens: 12 sent, 3 cached, 4 cache hit, 5 received.", 1},
		{"sent twice", "> Tokens: 12 sent, 3 sent, 5 received.", 1},
		{"too large", "> Tokens: 999999999999999k sent, 5 received.", 1},
		{"label glued", "> Tokens: 12 sentx, 5 received.", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content := "# aider chat started at 2024-08-15 10:50:12\n" + tc.content + "\n"
			events, skipped := parse(t, role{kind: kindHistory, cwd: "/r"}, []byte(content), false)
			if len(events) != 0 || skipped != tc.skipped {
				t.Errorf("%d events, %d skipped; want none, %d skipped", len(events), skipped, tc.skipped)
			}
		})
	}

	// Outside a session: before any header, and after a header whose time
	// cannot be read (which ends the previous session).
	content := "> Tokens: 1 sent, 2 received.\n" +
		"# aider chat started at 2024-08-15 10:50:12\n> Tokens: 3 sent, 4 received.\n" +
		"# aider chat started at yesterday\n> Tokens: 5 sent, 6 received.\n"
	events, skipped := parse(t, role{kind: kindHistory, cwd: "/r"}, []byte(content), true)
	if len(events) != 1 || events[0].Usage != (attribution.Usage{Input: 3, Output: 4}) || skipped != 3 {
		t.Errorf("got %+v with %d skipped; want the one event inside a session, 3 skipped", events, skipped)
	}
}

// TestHistorySessions checks sessions, models, keys and times on a small
// history: two sessions started in the same second stay apart, the model
// is the latest announcement of the session, and every Tokens line takes a
// rank, readable or not.
func TestHistorySessions(t *testing.T) {
	content := `
# aider chat started at 2024-08-05 19:33:02

> Aider v0.47.2-dev  
> Model: gpt-4o-mini with whole edit format  
> Tokens: 1 sent, 2 received.  
#### /model claude
> Main model: claude-3-5-sonnet-20240620⚡ with diff edit format, prompt cache, infinite output  
> Weak model: claude-3-haiku-20240307  
> Model claude-x: Unknown context window size and costs, using sane defaults.  
> Tokens: garbage
> Tokens: 3 sent, 4 received.  

# aider chat started at 2024-08-05 19:33:02

> Tokens: 5 sent, 6 received.

# aider chat started at 2024-08-06 08:00:00

> Models: claude-3-5-sonnet-20240620 with ♾️ diff edit format, weak model claude-3-haiku-20240307  
> Tokens: 7k sent, 8 received.
`
	start1, err := time.ParseInLocation("2006-01-02 15:04:05", "2024-08-05 19:33:02", time.Local)
	if err != nil {
		t.Fatal(err)
	}
	start2, err := time.ParseInLocation("2006-01-02 15:04:05", "2024-08-06 08:00:00", time.Local)
	if err != nil {
		t.Fatal(err)
	}
	s := func(raw string) string { return attribution.HashSession(attribution.AgentAider, raw) }
	want := []attribution.Event{
		{Key: "h:2024-08-05 19:33:02#0:0", Session: s("2024-08-05 19:33:02#0"), Model: "gpt-4o-mini", Time: start1.UTC(), Usage: attribution.Usage{Input: 1, Output: 2}},
		{Key: "h:2024-08-05 19:33:02#0:2", Session: s("2024-08-05 19:33:02#0"), Model: "claude-3-5-sonnet-20240620", Time: start1.UTC(), Usage: attribution.Usage{Input: 3, Output: 4}},
		{Key: "h:2024-08-05 19:33:02#1:0", Session: s("2024-08-05 19:33:02#1"), Model: "unknown", Time: start1.UTC(), Usage: attribution.Usage{Input: 5, Output: 6}},
		{Key: "h:2024-08-06 08:00:00#0:0", Session: s("2024-08-06 08:00:00#0"), Model: "claude-3-5-sonnet-20240620", Time: start2.UTC(), Usage: attribution.Usage{Input: 7000, Output: 8}, Estimated: true},
	}
	for _, roundTrip := range []bool{false, true} {
		events, skipped := parse(t, role{kind: kindHistory, cwd: "/work/repo"}, []byte(content), roundTrip)
		if skipped != 1 {
			t.Errorf("skipped %d, want 1 (the garbage Tokens line)", skipped)
		}
		if len(events) != len(want) {
			t.Fatalf("%d events, want %d: %+v", len(events), len(want), events)
		}
		for i, e := range events {
			w := want[i]
			w.Agent, w.Cwd = attribution.AgentAider, "/work/repo"
			if e != w {
				t.Errorf("event %d\n got %+v\nwant %+v", i, e, w)
			}
		}
		checkEvents(t, events, true)
	}
}

// plainTokens is the independent reading of a chat history used to check
// the totals: it splits each "> Tokens:" line into whitespace-separated
// words (no shared code with parseTokens, no regular expressions), reads
// every number followed by its label, and applies the normalisation of the
// package documentation.
func plainTokens(t *testing.T, data []byte) (total attribution.Usage, events, estimated int) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	inSession := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# aider chat started at ") {
			inSession = true
		}
		if !strings.HasPrefix(line, "> Tokens: ") || !inSession {
			continue
		}
		words := strings.Fields(line)[2:]
		counts := map[string]int64{}
		rounded := false
		for i := 0; i+1 < len(words); i++ {
			v, isK, ok := plainNumber(words[i])
			if !ok {
				continue
			}
			label := strings.TrimRight(words[i+1], ",.")
			if label == "cache" && i+2 < len(words) {
				label += " " + strings.TrimRight(words[i+2], ",.")
			}
			if label == "cached" {
				label = "cache hit"
			}
			counts[label] = v
			rounded = rounded || isK
			if label == "received" {
				break
			}
		}
		sent, hit, write := counts["sent"], counts["cache hit"], counts["cache write"]
		u := attribution.Usage{Output: counts["received"]}
		if !rounded && hit+write > sent {
			u.Input, u.CacheRead, u.CacheWrite = sent, hit, write
		} else {
			u.CacheRead = min(hit, sent)
			u.CacheWrite = min(write, sent-u.CacheRead)
			u.Input = sent - u.CacheRead - u.CacheWrite
		}
		total = total.Add(u)
		events++
		if rounded {
			estimated++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return total, events, estimated
}

// plainNumber reads "12,566", "492", "1.6k" or "12k" by a different route
// than parseCount: through the digits and the position of the dot.
func plainNumber(w string) (v int64, rounded, ok bool) {
	k := strings.HasSuffix(w, "k")
	w = strings.TrimSuffix(w, "k")
	w = strings.ReplaceAll(w, ",", "")
	dot := strings.IndexByte(w, '.')
	if dot >= 0 && !k || w == "" {
		return 0, false, false
	}
	decimals := 0
	if dot >= 0 {
		decimals = len(w) - dot - 1
		w = w[:dot] + w[dot+1:]
	}
	for _, c := range w {
		if c < '0' || c > '9' {
			return 0, false, false
		}
		v = v*10 + int64(c-'0')
	}
	if k {
		if decimals > 3 {
			return 0, false, false
		}
		for ; decimals < 3; decimals++ {
			v *= 10
		}
	}
	return v, k, true
}

// TestHistorySampleTotals scans both real chat-history samples, each as the
// .aider.chat.history.md of its own repository, and checks the totals
// against the independent plainTokens reading and against fixed figures.
//
// head (aider 0.47, exact numbers, no cache): 12 Tokens lines; sent
// 5,244 + 12,566 + 8,985 + 13,371 + 17,121 + 12,673 + 13,611 + 14,462 +
// 15,765 + 14,490 + 7,373 + 26,200 = 161,861 and received 604 + 84 + 883 +
// 2,375 + 188 + 144 + 104 + 349 + 224 + 165 + 764 + 680 = 6,564.
//
// tail (aider 0.50-0.5x, every wording): 316 Tokens lines, 120 of them with
// a rounded number; the fixed figures were also computed with a separate
// regular-expression script outside Go while writing this test.
func TestHistorySampleTotals(t *testing.T) {
	for _, tc := range []struct {
		name      string
		sample    string
		want      attribution.Usage
		events    int
		estimated int
	}{
		{"head", sampleHead, attribution.Usage{Input: 161861, Output: 6564}, 12, 0},
		{"tail", sampleTail, attribution.Usage{Input: 2292751, CacheRead: 205524, CacheWrite: 109595, Output: 104211}, 316, 120},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := readFile(t, tc.sample)
			plain, n, est := plainTokens(t, data)
			if plain != tc.want || n != tc.events || est != tc.estimated {
				t.Fatalf("plain reading: %+v, %d events, %d estimated; want %+v, %d, %d", plain, n, est, tc.want, tc.events, tc.estimated)
			}

			repo := t.TempDir()
			writeFile(t, filepath.Join(repo, historyName), data)
			env := agenttest.Env(t, nil)
			env.Repos = []string{repo}
			res := agenttest.Scan(t, env, Source())
			if len(res.Problems) > 0 {
				t.Fatalf("problems: %v", res.Problems)
			}
			checkEvents(t, res.Events, false)
			gotEst := 0
			for _, e := range res.Events {
				if e.Cwd != repo {
					t.Errorf("cwd %q, want %q", e.Cwd, repo)
				}
				if e.Estimated {
					gotEst++
				}
			}
			if res.Total != tc.want || res.Requests != tc.events || gotEst != tc.estimated {
				t.Errorf("scan: %+v in %d requests, %d estimated; want %+v, %d, %d", res.Total, res.Requests, gotEst, tc.want, tc.events, tc.estimated)
			}
			if s := res.Stats[attribution.AgentAider]; s.Skipped != 0 {
				t.Errorf("%d lines skipped", s.Skipped)
			}

			// The parser alone, restarted from its state after every line,
			// gives the same events with distinct keys.
			events, skipped := parse(t, role{kind: kindHistory, cwd: repo}, data, true)
			if skipped != 0 || len(events) != tc.events || sum(events) != tc.want {
				t.Errorf("round-tripped parser: %d events, %d skipped, %+v", len(events), skipped, sum(events))
			}
			checkEvents(t, events, true)
		})
	}
}

// TestHistorySampleFirstEvent checks where the first head event comes from:
// line 209 "> Tokens: 5,244 sent, 604 received." belongs to the session of
// line 103 "# aider chat started at 2024-08-05 19:33:32", whose model line
// is "> Models: claude-3-5-sonnet-20240620 with diff edit format, …".
func TestHistorySampleFirstEvent(t *testing.T) {
	events, _ := parse(t, role{kind: kindHistory, cwd: "/r"}, readFile(t, sampleHead), false)
	start, err := time.ParseInLocation("2006-01-02 15:04:05", "2024-08-05 19:33:32", time.Local)
	if err != nil {
		t.Fatal(err)
	}
	want := attribution.Event{
		Agent: attribution.AgentAider, Session: attribution.HashSession(attribution.AgentAider, "2024-08-05 19:33:32#0"),
		Key: "h:2024-08-05 19:33:32#0:0", Model: "claude-3-5-sonnet-20240620", Time: start.UTC(), Cwd: "/r",
		Usage: attribution.Usage{Input: 5244, Output: 604},
	}
	if len(events) == 0 {
		t.Fatal("no events")
	}
	if events[0] != want {
		t.Errorf("first event\n got %+v\nwant %+v", events[0], want)
	}
}
