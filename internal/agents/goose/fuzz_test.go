package goose

import (
	"os"
	"testing"
	"time"

	"github.com/tokenyield/tokenyield/attribution"
)

// checkEvent fails on an event a note could not hold.
func checkEvent(t *testing.T, e attribution.Event) {
	t.Helper()
	switch {
	case e.Usage.Validate() != nil:
		t.Fatalf("invalid usage %+v: %v", e.Usage, e.Usage.Validate())
	case e.Agent != attribution.AgentGoose || e.Key == "" || e.Session == "":
		t.Fatalf("bad identity %+v", e)
	case !attribution.ValidName(e.Model):
		t.Fatalf("model %q cannot go into a note", e.Model)
	case e.Time.IsZero() || e.Time.Location() != time.UTC:
		t.Fatalf("time %v", e.Time)
	}
}

// FuzzLegacy feeds arbitrary bytes to the legacy session file reader: no
// panic, at most one event, never an event with an error, every event valid.
func FuzzLegacy(f *testing.F) {
	for _, name := range []string{"20250710_2.jsonl", "20250709_1.jsonl"} {
		data, err := os.ReadFile(samples + "/legacy/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"working_dir":"/r","accumulated_input_tokens":9007199254740993,"accumulated_total_tokens":-1}`))
	f.Add([]byte("{\"working_dir\":7,\"input_tokens\":\"5\",\"total_tokens\":1e300}\n{\"created\":-9e18}"))
	mtime := func() time.Time { return time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC) }
	f.Fuzz(func(t *testing.T, data []byte) {
		var events []attribution.Event
		err := parseLegacy("/s/20250701_1.jsonl", data, mtime, func(e attribution.Event) { events = append(events, e) })
		if len(events) > 1 || (err != nil && len(events) > 0) {
			t.Fatalf("%d events, error %v", len(events), err)
		}
		for _, e := range events {
			checkEvent(t, e)
		}
	})
}

// FuzzRow feeds arbitrary column values to the conversion of a sessions
// row, as text or as integers: no panic; a row is either an error or a valid
// event.
func FuzzRow(f *testing.F) {
	f.Add("20260901_1", "/work/repo", "2026-09-01 10:00:05", `{"model_name":"gpt-5"}`, "45210", "3120", "48330", int64(0), false)
	f.Add("x", "", "2026-09-01T10:00:05.123+02:00", `{"model_name":7}`, "", "1", "abc", int64(-3), true)
	f.Add("", "\x00", "", "", "-1", "1.5", "9e99", int64(1<<62), true)
	f.Fuzz(func(t *testing.T, id, wd, updated, model, in, out, total string, n int64, asInt bool) {
		num := func(s string) any {
			if asInt {
				return n
			}
			if s == "" {
				return nil
			}
			return s
		}
		r := sessionRow{id: id, workingDir: wd, updated: updated, modelConfig: model,
			accIn: num(in), accOut: num(out), accTotal: num(total), in: n, out: nil, total: []byte(total)}
		e, _, err := r.event()
		if err == nil {
			checkEvent(t, e)
		}
	})
}
