package amp

import (
	"os"
	"strings"
	"testing"

	"github.com/tokenyield/tokenyield/attribution"
)

// FuzzParseThread checks that no document makes the reader panic, that every
// event is one a note can hold, and that parsing is deterministic (the
// scanner relies on a rewritten document giving the same keys again).
func FuzzParseThread(f *testing.F) {
	for _, p := range []string{
		threadFile(synthetic, sampleThread),
		threadFile(handmade, messagesThread),
		threadFile(handmade, oracleThread),
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(doc(msg1+","+msg3, evt1)))
	f.Add([]byte(doc(`{"role":"assistant","messageId":"7","usage":{"inputTokens":"5","outputTokens":1e3}}`, `{"tokens":{"input":1},"toMessageId":7},{"id":"x","toMessageId":null}`)))
	f.Add([]byte(`{"id":"T-1","messages":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var first []attribution.Event
		err := parseThread(data, "/x/T-f.json", func(e attribution.Event) { first = append(first, e) })
		for _, e := range first {
			switch {
			case e.Usage.Validate() != nil:
				t.Fatalf("invalid usage %+v", e.Usage)
			case e.Usage.IsZero():
				t.Fatalf("zero event %+v", e)
			case e.Agent != attribution.AgentAmp:
				t.Fatalf("agent %q", e.Agent)
			case !attribution.ValidName(e.Model):
				t.Fatalf("model %q cannot go into a note", e.Model)
			case e.Time.IsZero():
				t.Fatalf("no time")
			case e.Key == "" || !strings.Contains(e.Key, "/"):
				t.Fatalf("key %q", e.Key)
			}
		}
		var again []attribution.Event
		err2 := parseThread(data, "/x/T-f.json", func(e attribution.Event) { again = append(again, e) })
		if (err == nil) != (err2 == nil) || len(again) != len(first) {
			t.Fatalf("second parse differs: %v %d vs %v %d", err, len(first), err2, len(again))
		}
		for i := range first {
			if first[i].Key != again[i].Key || first[i].Usage != again[i].Usage || !first[i].Time.Equal(again[i].Time) {
				t.Fatalf("event %d differs: %+v vs %+v", i, first[i], again[i])
			}
		}
	})
}
