package jsonfast

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// testPaths are the paths the table tests extract.
var testPaths = MustCompile(
	"a", "a.b", "a.b.c", "b",
	"message.id", "message.usage", "message.usage.output_tokens", "usage",
	"requestId", "data.message.message.id",
)

func TestExtract(t *testing.T) {
	type want map[string]string // path -> raw JSON text ("" = missing)
	tests := []struct {
		name string
		in   string
		want want
	}{
		{"flat", `{"a":1,"b":"x"}`, want{"a": `1`, "b": `"x"`}},
		{"nested", `{"a":{"b":{"c":true}}}`, want{"a": `{"b":{"c":true}}`, "a.b": `{"c":true}`, "a.b.c": `true`}},
		{"whitespace", " \t{ \"a\" :\r\n{ \"b\" : [ 1 , 2 ] } , \"b\":null }\n ", want{"a": `{ "b" : [ 1 , 2 ] }`, "a.b": `[ 1 , 2 ]`, "b": `null`}},
		{"empty object", `{}`, want{}},
		{"top-level array", `[{"a":1}]`, want{}},
		{"top-level scalar", `"a"`, want{}},
		{"path through a scalar", `{"a":5}`, want{"a": `5`}},
		{"path through an array", `{"a":[{"b":1}]}`, want{"a": `[{"b":1}]`}},
		{
			"key inside a string is not a key",
			`{"text":"\"usage\":{\"output_tokens\":5}","message":{"usage":{"output_tokens":7}}}`,
			want{"message.usage": `{"output_tokens":7}`, "message.usage.output_tokens": `7`},
		},
		{
			"usage inside a tool input is not message.usage",
			`{"message":{"content":[{"type":"tool_use","input":{"usage":{"output_tokens":99},"message":{"id":"no"}}}],"usage":{"output_tokens":3}}}`,
			want{"message.usage": `{"output_tokens":3}`, "message.usage.output_tokens": `3`},
		},
		{
			"usage nested in an unrelated object",
			`{"toolUseResult":{"usage":{"output_tokens":1}},"message":{"id":"m"}}`,
			want{"message.id": `"m"`},
		},
		{
			"progress record",
			`{"type":"progress","data":{"message":{"requestId":"r","message":{"id":"msg_1","usage":{}}}},"requestId":"outer"}`,
			want{"data.message.message.id": `"msg_1"`, "requestId": `"outer"`},
		},
		{"duplicate key: last wins", `{"a":1,"a":2}`, want{"a": `2`}},
		{"duplicate object: last replaces", `{"a":{"b":1},"a":{"c":2}}`, want{"a": `{"c":2}`}},
		{"duplicate object then scalar", `{"a":{"b":{"c":1}},"a":5}`, want{"a": `5`}},
		{"duplicate scalar then object", `{"a":5,"a":{"b":1}}`, want{"a": `{"b":1}`, "a.b": `1`}},
		{"duplicate inner key", `{"a":{"b":1,"b":[2]}}`, want{"a": `{"b":1,"b":[2]}`, "a.b": `[2]`}},
		{"escaped key", `{"\u0061":{"\u0062":7}}`, want{"a": `{"\u0062":7}`, "a.b": `7`}},
		{"escaped quote in key", `{"a\"":1,"b":2}`, want{"b": `2`}},
		{"escaped backslash before quote", `{"x":"\\","a":1}`, want{"a": `1`}},
		{"escaped backslash and quote", `{"x":"\\\"a\":9","a":1}`, want{"a": `1`}},
		{"many backslashes", `{"x":"\\\\\\\\","a":"\\\\"}`, want{"a": `"\\\\"`}},
		{"unicode", `{"b":"é😀","a":"\u00e9"}`, want{"a": `"\u00e9"`, "b": `"é😀"`}},
		{"numbers", `{"a":-0.5e+10,"b":0}`, want{"a": `-0.5e+10`, "b": `0`}},
		{"literals", `{"a":[true,false,null],"b":false}`, want{"a": `[true,false,null]`, "b": `false`}},
		{"empty key", `{"":{"a":1},"a":2}`, want{"a": `2`}},
		{"deep unrelated", `{"z":[[[[{"a":{"b":1}}]]]],"a":{"b":{"c":{"d":[]}}}}`, want{"a": `{"b":{"c":{"d":[]}}}`, "a.b": `{"c":{"d":[]}}`, "a.b.c": `{"d":[]}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !json.Valid([]byte(tt.in)) {
				t.Fatalf("test input is not valid JSON")
			}
			out := make([]Value, testPaths.Len())
			if err := testPaths.Extract([]byte(tt.in), out); err != nil {
				t.Fatalf("Extract: %v", err)
			}
			for i := range out {
				p := testPaths.Path(i)
				if got := string(out[i].Raw()); got != tt.want[p] {
					t.Errorf("%s = %q, want %q", p, got, tt.want[p])
				}
				g, err := Get([]byte(tt.in), p)
				if err != nil || !bytes.Equal(g.Raw(), out[i].Raw()) {
					t.Errorf("Get(%s) = %q, %v; Extract gave %q", p, g.Raw(), err, out[i].Raw())
				}
			}
			for p := range tt.want {
				found := false
				for i := range testPaths.Len() {
					found = found || testPaths.Path(i) == p
				}
				if !found {
					t.Errorf("want names unknown path %q", p)
				}
			}
		})
	}
}

func TestExtractErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{``, ErrEOF},
		{`   `, ErrEOF},
		{`{`, ErrEOF},
		{`{"a"`, ErrEOF},
		{`{"a":`, ErrEOF},
		{`{"a":1`, ErrEOF},
		{`{"a":1,`, ErrEOF},
		{`{"a":"x`, ErrEOF},
		{`{"a":"x\"}`, ErrEOF},
		{`{"x":[1,2`, ErrEOF},
		{`{"x":{"y":[{"z":"`, ErrEOF},
		{`{"a":tr`, ErrEOF},
		{`{"a":-`, ErrEOF},
		{`{"a":1.`, ErrEOF},
		{`{"a":1e`, ErrEOF},
		{`{"a":1,}`, ErrSyntax},
		{`{"a" 1}`, ErrSyntax},
		{`{a:1}`, ErrSyntax},
		{`{"x":[1,]}`, ErrSyntax},
		{`{"x":[1 2]}`, ErrSyntax},
		{`{"a":tru}`, ErrSyntax},
		{`{"a":nul,"b":1}`, ErrSyntax},
		{`{"a":01}`, ErrSyntax},
		{`{"a":-x}`, ErrSyntax},
		{`{"a":1.x}`, ErrSyntax},
		{`{"a":1ex}`, ErrSyntax},
		{`{"a":+1}`, ErrSyntax},
		{`{"a":.5}`, ErrSyntax},
		{`{"x":[}`, ErrSyntax},
		{`{"x":{]}`, ErrSyntax},
		{`{"x":[1}`, ErrSyntax},
		{`{"x":{"y":1]}`, ErrSyntax},
		{`{"a":1}}`, ErrSyntax},
		{`{"a":1} x`, ErrSyntax},
		{`{"a":1}{}`, ErrSyntax},
		{`{"a":12abc}`, ErrSyntax},
		{`{"x":'a'}`, ErrSyntax},
		{`{"x":[,1]}`, ErrSyntax},
		{`{,"a":1}`, ErrSyntax},
		{`{"x":{"y" 1}}`, ErrSyntax},
		{`{"x":{1:2}}`, ErrSyntax},
		{strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), ErrDepth},
		{`{"x":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`, ErrDepth},
		{`{"a":` + strings.Repeat(`{"a":`, MaxDepth) + `1` + strings.Repeat("}", MaxDepth+1), ErrDepth},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			out := make([]Value, testPaths.Len())
			for i := range out {
				out[i] = Value{raw: []byte("stale")}
			}
			err := testPaths.Extract([]byte(tt.in), out)
			if !errors.Is(err, tt.want) {
				t.Errorf("Extract error = %v, want %v", err, tt.want)
			}
			for i, v := range out {
				if v.Exists() {
					t.Errorf("out[%d] = %q after an error, want missing", i, v.Raw())
				}
			}
			for i := range testPaths.Len() {
				if _, err := Get([]byte(tt.in), testPaths.Path(i)); !errors.Is(err, tt.want) {
					t.Errorf("Get(%s) error = %v, want %v", testPaths.Path(i), err, tt.want)
				}
			}
			if Valid([]byte(tt.in)) {
				t.Errorf("Valid = true")
			}
			if json.Valid([]byte(tt.in)) {
				t.Errorf("encoding/json accepts the input: the test is wrong")
			}
		})
	}
}

// TestDepthLimit checks that the deepest nesting encoding/json accepts is
// accepted too.
func TestDepthLimit(t *testing.T) {
	for _, in := range []string{
		strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth),
		`{"a":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`,
		`{"a":` + strings.Repeat(`{"a":`, MaxDepth-2) + `1` + strings.Repeat("}", MaxDepth-1),
		strings.Repeat(`{"a":`, MaxDepth) + `1` + strings.Repeat("}", MaxDepth),
	} {
		if !json.Valid([]byte(in)) {
			t.Fatalf("encoding/json rejects the input")
		}
		out := make([]Value, testPaths.Len())
		if err := testPaths.Extract([]byte(in), out); err != nil {
			t.Errorf("Extract: %v", err)
		}
		if !Valid([]byte(in)) {
			t.Errorf("Valid = false")
		}
	}
}

// TestEveryPrefixFails cuts a real log line at every byte: every proper
// prefix of an object is truncated JSON and must fail without panicking.
func TestEveryPrefixFails(t *testing.T) {
	lines := sampleLines(t)
	if len(lines) > 20 {
		lines = lines[:20]
	}
	out := make([]Value, testPaths.Len())
	for _, line := range lines {
		if err := testPaths.Extract(line, out); err != nil {
			t.Fatalf("full line: %v", err)
		}
		for n := range len(line) {
			if err := testPaths.Extract(line[:n], out); err == nil {
				t.Fatalf("prefix of %d bytes accepted: %q", n, line[:n])
			}
		}
	}
}

func TestInt64(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  error
	}{
		{`0`, 0, nil},
		{`123`, 123, nil},
		{`9223372036854775807`, 9223372036854775807, nil},
		{`9223372036854775808`, 0, ErrRange},
		{`99999999999999999999999`, 0, ErrRange},
		{`-1`, 0, ErrRange},
		{`-0`, 0, ErrRange},
		{`1.0`, 0, ErrRange},
		{`1e3`, 0, ErrRange},
		{`"5"`, 0, ErrKind},
		{`null`, 0, ErrKind},
		{`true`, 0, ErrKind},
		{`{}`, 0, ErrKind},
	}
	for _, tt := range tests {
		v, err := Get([]byte(`{"a":`+tt.in+`}`), "a")
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		got, err := v.Int64()
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("Int64(%s) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
	if _, err := (Value{}).Int64(); !errors.Is(err, ErrMissing) {
		t.Errorf("missing Int64 error = %v", err)
	}
}

func TestBool(t *testing.T) {
	for in, want := range map[string]bool{`true`: true, `false`: false} {
		v, _ := Get([]byte(`{"a":`+in+`}`), "a")
		if got, err := v.Bool(); got != want || err != nil {
			t.Errorf("Bool(%s) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{`1`, `"true"`, `null`} {
		v, _ := Get([]byte(`{"a":`+in+`}`), "a")
		if _, err := v.Bool(); !errors.Is(err, ErrKind) {
			t.Errorf("Bool(%s) error = %v", in, err)
		}
	}
	if _, err := (Value{}).Bool(); !errors.Is(err, ErrMissing) {
		t.Errorf("missing Bool error = %v", err)
	}
}

func TestStrings(t *testing.T) {
	tests := []struct {
		in, raw, text string
		err           error
	}{
		{`"abc"`, `abc`, `abc`, nil},
		{`""`, ``, ``, nil},
		{`"a\"b\\c\/d"`, `a\"b\\c\/d`, `a"b\c/d`, nil},
		{`"\b\f\n\r\t"`, `\b\f\n\r\t`, "\b\f\n\r\t", nil},
		{`"\u00e9\u00E9"`, `\u00e9\u00E9`, "éé", nil},
		{`"\ud83d\ude00"`, `\ud83d\ude00`, "😀", nil},
		{`"\ud83dx"`, `\ud83dx`, "\uFFFDx", nil},
		{`"\ude00\ud83d"`, `\ude00\ud83d`, "\uFFFD\uFFFD", nil},
		{`"\ud83d\u0041"`, `\ud83d\u0041`, "\uFFFDA", nil},
		{"\"a\xffb\"", "a\xffb", "a\uFFFDb", nil},
		{"\"\xed\xa0\x80\"", "\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD", nil},
		{`"C:\\Users\\me"`, `C:\\Users\\me`, `C:\Users\me`, nil},
		{"\"a\tb\"", "a\tb", "", ErrSyntax},
		{`"\x"`, `\x`, "", ErrSyntax},
		{`"\u12"`, `\u12`, "", ErrSyntax},
		{`"\u12g4"`, `\u12g4`, "", ErrSyntax},
		{`5`, ``, "", ErrKind},
	}
	for _, tt := range tests {
		v, err := Get([]byte(`{"a":`+tt.in+`}`), "a")
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		raw, rerr := v.StringRaw()
		if !errors.Is(tt.err, ErrKind) && (string(raw) != tt.raw || rerr != nil) {
			t.Errorf("StringRaw(%s) = %q, %v; want %q", tt.in, raw, rerr, tt.raw)
		}
		got, err := v.AppendString([]byte("x:"))
		if !errors.Is(err, tt.err) || (err == nil && string(got) != "x:"+tt.text) {
			t.Errorf("AppendString(%s) = %q, %v; want %q, %v", tt.in, got, err, tt.text, tt.err)
		}
		if tt.err == nil {
			var std string
			if err := json.Unmarshal([]byte(tt.in), &std); err != nil || std != tt.text {
				t.Errorf("encoding/json decodes %s to %q, %v: the test is wrong", tt.in, std, err)
			}
		}
	}
}

func TestKind(t *testing.T) {
	for in, want := range map[string]Kind{`null`: Null, `true`: Bool, `false`: Bool, `-1`: Number, `"x"`: String, `{}`: Object, `[]`: Array} {
		v, _ := Get([]byte(`{"a":`+in+`}`), "a")
		if v.Kind() != want || !v.Exists() || v.IsNull() != (want == Null) {
			t.Errorf("Kind(%s) = %v, want %v", in, v.Kind(), want)
		}
	}
	if (Value{}).Kind() != Missing || (Value{}).Exists() || Missing.String() != "missing" {
		t.Errorf("zero Value is not missing")
	}
}

func TestCompile(t *testing.T) {
	if _, err := Compile("a.b", "a", "a.b"); err == nil {
		t.Errorf("duplicate path accepted")
	}
	f, err := Compile()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Extract([]byte(`{"a":1}`), nil); err != nil {
		t.Errorf("no paths: %v", err)
	}
	if err := f.Extract([]byte(`{"a":1`), nil); err == nil {
		t.Errorf("no paths: truncated input accepted")
	}
	if err := testPaths.Extract([]byte(`{}`), make([]Value, 2)); err == nil {
		t.Errorf("short output slice accepted")
	}
}

func TestExtractDoesNotAllocate(t *testing.T) {
	lines := sampleLines(t)
	out := make([]Value, testPaths.Len())
	allocs := testing.AllocsPerRun(20, func() {
		for _, l := range lines {
			if err := testPaths.Extract(l, out); err != nil {
				t.Fatal(err)
			}
			v := out[6]
			_, _ = v.Int64()
		}
	})
	if allocs != 0 {
		t.Errorf("Extract allocates %.1f times per run", allocs)
	}
}
