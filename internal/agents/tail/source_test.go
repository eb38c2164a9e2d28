package tail

import (
	"os"
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

// TestIsAbsAnyOS: the cases of the Gemini reader, where the rule lived, and
// a NUL byte.
func TestIsAbsAnyOS(t *testing.T) {
	for p, want := range map[string]bool{
		"/home/a": true, `C:\Users\a`: true, "c:/users/a": true, `\\server\share`: true,
		"home/a": false, "": false, "C:": false, "1:/x": false, "~/a": false, "/a\x00b": false,
	} {
		if got := IsAbsAnyOS(p); got != want {
			t.Errorf("IsAbsAnyOS(%q) = %v", p, got)
		}
	}
}

func TestReadSmall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.json")
	if err := os.WriteFile(path, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadSmall(path, 10); err != nil || string(got) != "0123456789" {
		t.Errorf("at the limit: %q, %v", got, err)
	}
	if _, err := ReadSmall(path, 9); err == nil {
		t.Error("a file over the limit was read")
	}
	if _, err := ReadSmall(path+".missing", 9); err == nil {
		t.Error("a missing file was read")
	}
}
