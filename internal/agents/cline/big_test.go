package cline

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// bigDocument builds a ui_messages.json of several megabytes, like a long
// task with pasted screenshots: requests interleaved with messages carrying
// base64 images (and the image data inside the request text, as Cline
// embeds it), and the usage it should yield.
func bigDocument(requests, imageBytes int) ([]byte, attribution.Usage) {
	rng := rand.New(rand.NewPCG(1, 2))
	img := make([]byte, imageBytes)
	for i := range img {
		img[i] = byte(rng.UintN(256))
	}
	dataURL := "data:image/png;base64," + base64.StdEncoding.EncodeToString(img)
	var msgs []map[string]any
	var want attribution.Usage
	ts := int64(1770000000000)
	for i := range requests {
		ts += 1000
		user := msg(ts, "user_feedback", "see the screenshot")
		user["images"] = []string{dataURL}
		msgs = append(msgs, user)
		ts += 1000
		in, out, cr := int64(3+i%5), int64(100+i), int64(20000+i*7)
		msgs = append(msgs, msg(ts, sayAPIReqStarted, map[string]any{
			"request":   "[user_feedback]\n" + dataURL[:min(len(dataURL), 4096)],
			"tokensIn":  in,
			"tokensOut": out, "cacheReads": cr, "cacheWrites": 0, "cost": 0.01,
		}))
		want = want.Add(attribution.Usage{Input: in, Output: out, CacheRead: cr})
	}
	return doc(msgs...), want
}

// TestBigDocument parses a multi-megabyte document: every request counts.
// It takes about 0.1 s (2 s under the race detector); the bound only catches
// a pathological slowdown on a loaded machine (BenchmarkParseBig measures).
func TestBigDocument(t *testing.T) {
	data, want := bigDocument(200, 32<<10)
	if len(data) < 8<<20 {
		t.Fatalf("document is only %d bytes", len(data))
	}
	dir := filepath.Join(t.TempDir(), "tasks", "big")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, uiMessagesFile)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	events, st, err := readEvents(t, Source(), path)
	elapsed := time.Since(start)
	if err != nil || len(events) != 200 || st.Bytes != int64(len(data)) {
		t.Fatalf("%v: %d events, stats %+v", err, len(events), st)
	}
	var got attribution.Usage
	for _, e := range events {
		got = got.Add(e.Usage)
	}
	if got != want {
		t.Errorf("total %+v, want %+v", got, want)
	}
	if elapsed > time.Minute {
		t.Errorf("%d bytes took %v", len(data), elapsed)
	}
	t.Logf("%.1f MB in %v", float64(len(data))/(1<<20), elapsed)
	if !bytes.HasPrefix(data, []byte(`[{"images":["data:image/png;base64,`)) {
		t.Errorf("unexpected layout %.60s", data)
	}
}

// BenchmarkParseBig measures the document parser on an 8 MB document.
func BenchmarkParseBig(b *testing.B) {
	data, _ := bigDocument(200, 32<<10)
	f := clineFlavor()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := f.parse(data, task{id: "big"}, func(attribution.Event) {}); err != nil {
			b.Fatal(err)
		}
	}
}
