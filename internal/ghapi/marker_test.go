package ghapi

import "testing"

func TestHasMarker(t *testing.T) {
	const m = "<!-- tokenyield:pr-report -->"
	tests := []struct {
		body string
		want bool
	}{
		{m, true},
		{m + "\nreport", true},
		{"title\n" + m + "\nreport", true},
		{"title\r\n" + m, true},
		{"> " + m, false},
		{"see " + m, false},
		{"> " + m + "\n" + m, true},
		{m[:len(m)-1], false},
		{"", false},
		{"x" + m + m, false},
	}
	for _, tt := range tests {
		if got := hasMarker(tt.body, m); got != tt.want {
			t.Errorf("hasMarker(%q) = %v, want %v", tt.body, got, tt.want)
		}
	}
}

// FuzzHasMarker compares hasMarker with the plain definition: some line of
// the body starts with the marker.
func FuzzHasMarker(f *testing.F) {
	for _, seed := range []struct{ body, marker string }{
		{"<!-- m -->\nx", "<!-- m -->"},
		{"> <!-- m -->", "<!-- m -->"},
		{"a\n<!-- m --><!-- m -->", "<!-- m -->"},
		{"aaa", "aa"},
		{"\n\n", "\n"},
	} {
		f.Add(seed.body, seed.marker)
	}
	f.Fuzz(func(t *testing.T, body, marker string) {
		if marker == "" {
			return
		}
		want := false
		for i := 0; i+len(marker) <= len(body); i++ {
			if (i == 0 || body[i-1] == '\n') && body[i:i+len(marker)] == marker {
				want = true
				break
			}
		}
		if got := hasMarker(body, marker); got != want {
			t.Errorf("hasMarker(%q, %q) = %v, want %v", body, marker, got, want)
		}
	})
}
