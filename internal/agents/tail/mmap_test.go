package tail

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// A file large enough for the mapped path reads exactly like the read path.
func TestMappedReadMatchesReadPath(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < mmapMin+100_000; i++ {
		fmt.Fprintf(&b, "k%d=%s\n", i, strings.Repeat("v", i%300))
	}
	b.WriteString("tail=partial") // no newline: left for later
	path := filepath.Join(t.TempDir(), "big.jsonl")
	write(t, path, b.String())

	r := &reader{t: t, path: path}
	mapped := r.read()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var viaRead []string
	var st Stats
	end, err := scanLines(f, 0, &lineParser{}, func(e attribution.Event) { viaRead = append(viaRead, e.Key) }, &st)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(mapped, ",") != strings.Join(viaRead, ",") || r.cur.Offset != end {
		t.Fatalf("mapped read gave %d keys ending at %d, read path %d keys ending at %d", len(mapped), r.cur.Offset, len(viaRead), end)
	}
	appendTo(t, path, "x\nnext=1\n")
	if got := strings.Join(r.read(), ","); got != "tail,next" {
		t.Fatalf("after append: %q", got)
	}
}

// truncatingParser shrinks the file under the mapping on its first line.
type truncatingParser struct {
	lineParser
	path string
	done bool
}

func (p *truncatingParser) Line(line []byte, emit func(attribution.Event)) error {
	if !p.done {
		p.done = true
		if err := os.Truncate(p.path, 0); err != nil {
			return err
		}
	}
	return p.lineParser.Line(line, emit)
}

// A file truncated while it is mapped must not crash the process.
func TestMappedFileTruncatedWhileReading(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shrinking.jsonl")
	write(t, path, strings.Repeat("key="+strings.Repeat("v", 100)+"\n", 2*mmapMin/100))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	var st Stats
	p := &truncatingParser{path: path}
	end, ok := scanMappedFile(f, 0, fi.Size(), p, func(attribution.Event) {}, &st)
	if !ok || st.Errors != 1 {
		t.Fatalf("ok=%v errors=%d: the fault was not recovered as a read error", ok, st.Errors)
	}
	if end >= fi.Size() {
		t.Fatalf("end = %d: lines past the truncation were counted", end)
	}
}
