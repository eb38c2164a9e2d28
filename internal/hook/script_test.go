package hook

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestShQuote(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, s := range []string{"", "plain", "with space", "it's", "''", `a\'b`, "$HOME `id` \"q\" \\n", "/x/it's here/tokenyield"} {
		q := shQuote(s)
		if got, ok := shUnquote(q); !ok || got != s {
			t.Errorf("shUnquote(%s) = %q, %v; want %q", q, got, ok, s)
		}
		out, err := exec.Command(sh, "-c", "printf '%s' "+q).Output()
		if err != nil || string(out) != s {
			t.Errorf("sh reads %s as %q (%v), want %q", q, out, err, s)
		}
	}
	for _, bad := range []string{"'open", "bare", `'a'x`} {
		if _, ok := shUnquote(bad); ok {
			t.Errorf("shUnquote(%q) accepted", bad)
		}
	}
}

func TestChainMode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		first  string
		source bool
		flags  []string
	}{
		{"#!/bin/sh", true, nil},
		{"#!/bin/sh -e", true, []string{"-e"}},
		{"#! /usr/bin/env sh", true, nil},
		{"#!/usr/bin/env sh -eu\r", true, []string{"-eu"}},
		{"echo no shebang", true, nil},
		{"#!/bin/bash", false, nil},
		{"#!/usr/bin/env bash", false, nil},
		{"#!/usr/bin/env python3", false, nil},
		{"#!/bin/sh --posix-ish=1", false, nil},
		{"#!", false, nil},
	}
	for _, tt := range tests {
		source, flags := chainMode([]byte(tt.first + "\necho\n"))
		if source != tt.source || !slices.Equal(flags, tt.flags) {
			t.Errorf("chainMode(%q) = %v %v, want %v %v", tt.first, source, flags, tt.source, tt.flags)
		}
	}
}

func TestRefGlobs(t *testing.T) {
	t.Parallel()
	covers := map[string]bool{
		NotesRef: true, "refs/notes/*": true, "refs/*": true, "refs/notes/token*": true,
		"refs/notes/commits": false, "refs/notes/tokenyield2": false, "": false,
	}
	for v, want := range covers {
		if got := rewriteRefCovers([]string{v}); got != want {
			t.Errorf("rewriteRefCovers(%q) = %v", v, got)
		}
	}
	specs := []struct {
		spec       string
		force, hit bool
	}{
		{"+refs/heads/*:refs/remotes/origin/*", true, false},
		{"+refs/notes/*:refs/notes/*", true, true},
		{"+refs/notes/tokenyield:refs/notes/tokenyield", true, true},
		{"refs/notes/tokenyield:refs/notes/tokenyield", false, true},
		{"+refs/notes/tokenyield:refs/notes/origin/tokenyield", true, false},
		{"+refs/*:refs/*", true, true},
		{"refs/notes/tokenyield", false, false},
		{"^refs/notes/*", false, false},
	}
	for _, tt := range specs {
		force, hit := notesRefspec(tt.spec)
		if hit != tt.hit || (hit && force != tt.force) {
			t.Errorf("notesRefspec(%q) = %v %v, want %v %v", tt.spec, force, hit, tt.force, tt.hit)
		}
	}
}

func TestIsManaged(t *testing.T) {
	t.Parallel()
	if !isManaged([]byte(script(scriptSpec{hook: "commit-msg", binary: "/bin/true"}))) {
		t.Error("our script not recognised")
	}
	if !isManaged([]byte("#!/bin/sh\n# tokenyield-managed-hook v2\n")) {
		t.Error("a later version not recognised")
	}
	if isManaged([]byte("#!/bin/sh\ngrep '# tokenyield-managed-hook' x\n")) {
		t.Error("a mention counted as ours")
	}
}

// Every variant of the script parses with each POSIX shell at hand.
func TestScriptSyntax(t *testing.T) {
	t.Parallel()
	var shells [][]string
	for _, s := range [][]string{{"sh", "-n"}, {"dash", "-n"}, {"bash", "--posix", "-n"}, {"busybox", "sh", "-n"}, {"zsh", "--emulate", "sh", "-n"}} {
		if _, err := exec.LookPath(s[0]); err == nil {
			shells = append(shells, s)
		}
	}
	if len(shells) == 0 {
		t.Skip("no shell")
	}
	for _, name := range hookNames {
		for _, spec := range []scriptSpec{
			{hook: name, binary: "/usr/bin/tokenyield"},
			{hook: name, binary: "/a b/it's", chainSource: true, chainFlags: []string{"-e", "-u"}},
			{hook: name, binary: "/x", chainSource: true, repoHooks: true, global: true},
		} {
			src := script(spec)
			if !strings.HasPrefix(src, "#!/bin/sh\n"+Marker+"\n") {
				t.Fatalf("script starts %q", src[:40])
			}
			for _, sh := range shells {
				cmd := exec.Command(sh[0], append(sh[1:], "-c", src)...)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("%s: %v %s\n%s", sh, err, out, src)
				}
			}
		}
	}
}
