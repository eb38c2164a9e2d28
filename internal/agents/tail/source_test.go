package tail

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestListVarAndPathList(t *testing.T) {
	vars := map[string]string{"LIST": " /a , ,/b/,, /a ", "BLANK": " , ", "": "never"}
	env := Env{Getenv: func(k string) string { return vars[k] }}
	if got := env.ListVar("LIST"); !slices.Equal(got, []string{"/a", "/b/", "/a"}) {
		t.Errorf("ListVar(LIST) = %q", got)
	}
	for _, name := range []string{"BLANK", "UNSET", ""} {
		if got := env.ListVar(name); got != nil {
			t.Errorf("ListVar(%s) = %q, want nil (unset)", name, got)
		}
	}
	var l PathList
	for _, p := range []string{"/a", "", "/b/", "/a/.", "/c/../b"} {
		l.Add(p)
	}
	if want := []string{filepath.Clean("/a"), filepath.Clean("/b")}; !slices.Equal(l, want) {
		t.Errorf("PathList = %q, want %q", l, want)
	}
}
