package hook

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// Marker is the line that identifies a hook script written by this package.
// Any line starting with "# tokenyield-managed-hook" near the top of a file
// (later versions change the suffix) marks it as tokenyield's.
const Marker = markerPrefix + " v1"

const (
	markerPrefix  = "# tokenyield-managed-hook"
	chainedSuffix = ".tokenyield-chained"
	binaryVar     = "tokenyield_bin="
)

// hookNames are the hooks tokenyield installs, in install order.
var hookNames = []string{"commit-msg", "post-commit", "post-rewrite", "pre-push"}

// Names returns the git hooks tokenyield installs: commit-msg, post-commit,
// post-rewrite and pre-push.
func Names() []string { return append([]string(nil), hookNames...) }

// readsStdin reports whether git passes the hook data on stdin.
func readsStdin(name string) bool { return name == "pre-push" || name == "post-rewrite" }

// canAbort reports whether the hook's exit status can stop the git command.
func canAbort(name string) bool { return name == "commit-msg" || name == "pre-push" }

// scriptSpec is everything one generated script depends on.
type scriptSpec struct {
	hook   string
	binary string
	// chainSource runs the chained hook with "." in a subshell (an sh script:
	// it keeps $0 as git's hook path) instead of executing it.
	chainSource bool
	chainFlags  []string // sh options from the chained script's #! line, for "set"
	repoHooks   bool     // also run the repository's own hooks (global hooks dir we own)
	global      bool     // wording of the "binary missing" line
}

// isManaged reports whether content is a script written by this package.
func isManaged(content []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(content))
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	for i := 0; i < 10 && sc.Scan(); i++ {
		if strings.HasPrefix(sc.Text(), markerPrefix) {
			return true
		}
	}
	return false
}

var shFlags = regexp.MustCompile(`^-[A-Za-z]+$`)

// chainMode decides how a chained hook runs: sh scripts (and files without a
// #! line, which git runs with sh) are sourced in a subshell, with the options
// of their #! line applied; everything else is executed.
func chainMode(content []byte) (source bool, flags []string) {
	line, _, _ := bytes.Cut(content, []byte("\n"))
	first := strings.TrimRight(string(line), "\r")
	if !strings.HasPrefix(first, "#!") {
		return true, nil
	}
	f := strings.Fields(strings.TrimPrefix(first, "#!"))
	if len(f) == 0 {
		return false, nil
	}
	args := f[1:]
	switch filepath.Base(f[0]) {
	case "sh":
	case "env":
		if len(args) == 0 || args[0] != "sh" {
			return false, nil
		}
		args = args[1:]
	default:
		return false, nil
	}
	for _, a := range args {
		if !shFlags.MatchString(a) {
			return false, nil
		}
	}
	return true, args
}

// shQuote quotes s for sh: in single quotes, each embedded single quote
// written as quote, backslash, quote, quote (close, escaped quote, reopen).
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shUnquote reverses shQuote for a word made of '…' runs and \' escapes.
func shUnquote(s string) (string, bool) {
	var b strings.Builder
	for s != "" {
		switch {
		case strings.HasPrefix(s, `\'`):
			b.WriteByte('\'')
			s = s[2:]
		case s[0] == '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return "", false
			}
			b.WriteString(s[1 : 1+end])
			s = s[end+2:]
		default:
			return "", false
		}
	}
	return b.String(), true
}

// scriptBinary returns the binary path a managed script calls.
func scriptBinary(content []byte) (string, bool) {
	for _, line := range strings.Split(string(content), "\n") {
		if rest, ok := strings.CutPrefix(line, binaryVar); ok {
			return shUnquote(rest)
		}
	}
	return "", false
}

// script returns the hook script for spec.
func script(spec scriptSpec) string {
	name := spec.hook
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	reinstall, remove := "tokenyield install", "tokenyield uninstall"
	if spec.global {
		reinstall, remove = reinstall+" --global", remove+" --global"
	}

	w("#!/bin/sh\n%s\n", Marker)
	w("# %s hook written by `%s`.\n", name, reinstall)
	w("# `%s` removes it and restores the hook that was here\n", remove)
	w("# (%s%s). That hook runs first and its exit status is this\n", name, chainedSuffix)
	w("# script's; tokenyield's own part never blocks, fails or changes the git\n")
	w("# command. TOKENYIELD_DISABLE=1 skips tokenyield's part.\n")
	w("%s%s\n", binaryVar, shQuote(spec.binary))
	w("# git commands run by tokenyield itself run no hooks, as with --no-verify\n")
	w("if [ \"${TOKENYIELD_IN_HOOK-}\" = tokenyield ]; then exit 0; fi\n")
	// ${0%/*} rather than $(dirname "$0"): no process (git runs hooks by path)
	w("case $0 in */*) tokenyield_dir=${0%%/*} ;; *) tokenyield_dir=. ;; esac\n")
	w("tokenyield_status=0\n")
	w("tokenyield_stdin=\n")
	if readsStdin(name) {
		w("# git writes %s's input to stdin: keep a copy so that every hook reads all of it\n", name)
		w("if tokenyield_stdin=$(mktemp \"${TMPDIR:-/tmp}/tokenyield-hook.XXXXXX\" 2>/dev/null); then\n")
		w("\ttrap 'rm -f \"$tokenyield_stdin\"' EXIT\n")
		w("\ttrap 'exit 129' HUP\n")
		w("\ttrap 'exit 130' INT\n")
		w("\ttrap 'exit 143' TERM\n")
		w("\tcat >\"$tokenyield_stdin\" || :\n")
		w("else\n")
		w("\ttokenyield_stdin=\n")
		w("fi\n")
	}
	w("tokenyield_run() { # run \"$@\" on the saved stdin, or on git's if it could not be saved\n")
	w("\tif [ -n \"$tokenyield_stdin\" ]; then \"$@\" <\"$tokenyield_stdin\"; else \"$@\"; fi\n")
	w("}\n")
	w("tokenyield_chained=\"$tokenyield_dir/%s%s\"\n", name, chainedSuffix)
	if spec.chainSource {
		w("tokenyield_chain() { # an sh script: sourced in a subshell, so $0 stays git's hook path\n")
		w("\t(\n")
		w("\t\tTOKENYIELD_IN_HOOK=%s\n", name)
		w("\t\texport TOKENYIELD_IN_HOOK\n")
		if len(spec.chainFlags) > 0 {
			w("\t\tset %s\n", strings.Join(spec.chainFlags, " "))
		}
		w("\t\t. \"$tokenyield_chained\"\n")
		w("\t)\n")
		w("}\n")
	} else {
		w("tokenyield_chain() {\n")
		w("\tTOKENYIELD_IN_HOOK=%s \"$tokenyield_chained\" \"$@\"\n", name)
		w("}\n")
	}
	w("if [ -f \"$tokenyield_chained\" ] && [ -x \"$tokenyield_chained\" ]; then\n")
	w("\ttokenyield_run tokenyield_chain \"$@\"\n")
	w("\ttokenyield_status=$?\n")
	w("fi\n")
	abort := func() {
		if canAbort(name) {
			w("# git stops when %s fails: nothing for tokenyield to record\n", name)
			w("if [ \"$tokenyield_status\" -ne 0 ]; then exit \"$tokenyield_status\"; fi\n")
		}
	}
	abort()
	if spec.repoHooks {
		w("# core.hooksPath points here, which hides the repository's own hooks: run its\n")
		w("# %s hook too (unless that directory is this one)\n", name)
		w("tokenyield_repo=$(git rev-parse --git-common-dir 2>/dev/null)/hooks || tokenyield_repo=\n")
		w("tokenyield_repo_hook() {\n")
		w("\tTOKENYIELD_IN_HOOK=%s \"$tokenyield_repo/%s\" \"$@\"\n", name, name)
		w("}\n")
		w("if [ -n \"$tokenyield_repo\" ] && [ -f \"$tokenyield_repo/%s\" ] && [ -x \"$tokenyield_repo/%s\" ] &&\n", name, name)
		w("\t[ \"$(cd \"$tokenyield_repo\" 2>/dev/null && pwd -P)\" != \"$(cd \"$tokenyield_dir\" && pwd -P)\" ]; then\n")
		w("\ttokenyield_run tokenyield_repo_hook \"$@\"\n")
		w("\ttokenyield_s=$?\n")
		w("\tif [ \"$tokenyield_status\" -eq 0 ]; then tokenyield_status=$tokenyield_s; fi\n")
		w("fi\n")
		abort()
	}
	w("case ${TOKENYIELD_DISABLE-} in\n")
	w("'' | 0 | false) ;;\n")
	w("*) exit \"$tokenyield_status\" ;;\n")
	w("esac\n")
	w("# an outer tokenyield hook ran this one and does the recording itself\n")
	w("if [ \"${TOKENYIELD_IN_HOOK-}\" = %s ]; then exit \"$tokenyield_status\"; fi\n", name)
	w("if [ ! -x \"$tokenyield_bin\" ]; then\n")
	w("\tprintf '%%s\\n' \"tokenyield: hook skipped: $tokenyield_bin not found (reinstall: %s, or remove: %s)\" >&2\n", reinstall, remove)
	w("\texit \"$tokenyield_status\"\n")
	w("fi\n")
	if name == "commit-msg" {
		// tokenyield left a watch (internal/tagger/watch.go): when no log
		// directory or active log file changed since its last run, nothing
		// is pending, no full walk is due, no proposal is left over and the
		// message carries no AI-Tokens lines, the commit has no AI usage and
		// starting the binary can be skipped.
		w("# nothing changed in the agents' logs since tokenyield last looked: skip starting it\n")
		w("if [ -f .git/tokenyield/watch.stamp ] && [ -f .git/tokenyield/watch.sh ] && [ ! -s .git/tokenyield/proposal ] && [ -n \"${1-}\" ] && [ -f \"$1\" ] && [ ! \"$1\" -nt .git/tokenyield/watch.due ]; then\n")
		w("\ttokenyield_fresh=1\n")
		w("\twhile IFS= read -r tokenyield_p || [ -n \"$tokenyield_p\" ]; do\n")
		w("\t\tcase $tokenyield_p in [Aa][Ii]-[Tt][Oo][Kk][Ee][Nn][Ss]:*) tokenyield_fresh=; break ;; esac\n")
		w("\tdone <\"$1\"\n")
		// In a subshell: a broken watch file fails the check, never the hook.
		w("\tif [ -n \"$tokenyield_fresh\" ] && (. ./.git/tokenyield/watch.sh && tokenyield_watch) 2>/dev/null; then :; else tokenyield_fresh=; fi\n")
		w("\tif [ -n \"$tokenyield_fresh\" ] && echo 1 >.git/tokenyield/post-commit-skip 2>/dev/null; then exit \"$tokenyield_status\"; fi\n")
		w("fi\n")
	}
	if name == "post-commit" {
		// The commit-msg hook leaves this marker when the commit has no
		// usage to store: skip starting the binary (the common case).
		w("# commit-msg found no AI usage for this commit: nothing to store\n")
		// Files are emptied with the shell's own redirection rather than
		// removed with rm: one process less on every commit.
		w("if [ -s .git/tokenyield/post-commit-skip ] && : >.git/tokenyield/post-commit-skip 2>/dev/null; then exit \"$tokenyield_status\"; fi\n")
		// The commit-msg hook prepared the note: git stores it, which is
		// cheaper than starting the binary; on any failure the binary does.
		w("# commit-msg prepared the note: let git store it (the binary is the fallback)\n")
		w("if [ -s .git/tokenyield/note-ready ] && TOKENYIELD_IN_HOOK=tokenyield git notes --ref=refs/notes/tokenyield add -f -F .git/tokenyield/note-ready HEAD 2>/dev/null; then\n")
		w("\t: >.git/tokenyield/note-ready\n")
		w("\t: >.git/tokenyield/proposal\n")
		w("\texit \"$tokenyield_status\"\n")
		w("fi\n")
	}
	w("TOKENYIELD_IN_HOOK=tokenyield \"$tokenyield_bin\" hook %s \"$@\" <\"${tokenyield_stdin:-/dev/null}\" || :\n", name)
	w("exit \"$tokenyield_status\"\n")
	return b.String()
}

// WatchScript renders the watch the commit-msg script sources (written by
// internal/tagger into .git/tokenyield/watch.sh): a function that fails as
// soon as one of paths is newer than .git/tokenyield/watch.stamp. The script
// and this fragment are one contract, kept side by side here.
func WatchScript(paths []string) string {
	var b strings.Builder
	b.WriteString("# written by tokenyield: the agents' active log files and log directories\n")
	b.WriteString("tokenyield_watch() {\n")
	for _, p := range paths {
		b.WriteString("\t[ ")
		b.WriteString(shQuote(p))
		b.WriteString(" -nt .git/tokenyield/watch.stamp ] && return 1\n")
	}
	b.WriteString("\treturn 0\n}\n")
	return b.String()
}
