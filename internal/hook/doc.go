// Package hook installs, removes and checks the git hooks through which
// tokenyield records AI token usage: commit-msg (the AI-Tokens trailer),
// post-commit (the note on refs/notes/tokenyield), post-rewrite (merging
// notes after amend, rebase and squash) and pre-push (pushing the notes ref).
//
// # What Install writes
//
// Each hook is a small POSIX sh script carrying the marker line
// "# tokenyield-managed-hook v1". It calls the tokenyield binary by absolute
// path (so it works from IDEs and GUI clients with a minimal PATH) as
// "tokenyield hook <name> <git's arguments>", with git's stdin for pre-push
// and post-rewrite. The script can never block, fail or lose a commit or a
// push: tokenyield's exit status is ignored, and when the binary is gone the
// script prints one line to stderr and lets git carry on. TOKENYIELD_DISABLE=1
// (any value but "", "0" or "false") skips tokenyield's part.
//
// A hook that already exists (a plain script, husky, lefthook, pre-commit) is
// not replaced: it is moved to "<name>.tokenyield-chained" in the same
// directory, and the script runs it first, with the same arguments and stdin,
// and exits with its status, so a commit-msg hook that rejects a message still
// rejects it. An sh script is sourced in a subshell rather than executed, so
// it sees $0 as git's own hook path: husky finds its user script from the
// basename and directory of $0. When that chained commit-msg or pre-push hook
// fails, git stops and tokenyield's part does not run; after post-commit and
// post-rewrite it always runs.
//
// The hooks directory is the one git uses: "git rev-parse --git-path hooks",
// which honours core.hooksPath (a relative value is relative to the top of the
// work tree). Install also adds refs/notes/tokenyield to notes.rewriteRef so
// that amend and rebase carry notes. What Install changed is recorded in
// <git common dir>/tokenyield/install.json, and Uninstall undoes exactly that:
// it removes the scripts, moves the chained originals back (content and mode
// unchanged) and removes only the config values Install added. It never
// touches refs/notes/tokenyield or any other recorded data.
//
// # Global install
//
// With Options.Global the hooks apply to every repository of the user. If the
// global core.hooksPath is unset, Install sets it to
// $XDG_CONFIG_HOME/tokenyield/hooks (or ~/.config/tokenyield/hooks) and writes
// the scripts there; if it is set, Install chains the hooks in that directory
// as it does locally. A core.hooksPath hides every repository's own
// .git/hooks, so the scripts in the directory tokenyield owns also run the
// repository's own hook ($(git rev-parse --git-common-dir)/hooks/<name>),
// after the chained one and before tokenyield's part. In a directory the user
// already pointed core.hooksPath at, repository hooks were already hidden
// before tokenyield, and the scripts leave that as it was. The record lives in
// $XDG_CONFIG_HOME/tokenyield/install.json (or ~/.config/tokenyield/…), and
// Uninstall unsets core.hooksPath again if Install set it. A repository whose
// own core.hooksPath is set does not run the global hooks; Check says so.
//
// A local install refuses to write into a hooks directory that comes from a
// global or system core.hooksPath, because every repository shares it: the
// global install is the one that owns that directory (when tokenyield's
// scripts are already there, the local install reports that and does nothing).
//
// Nested runs are guarded by TOKENYIELD_IN_HOOK: the scripts export it as the
// hook's name to the hooks they run (so a tokenyield script reached through a
// chain leaves the recording to the outer one), and as "tokenyield" to the
// binary, so git commands that tokenyield runs from a hook (pushing the notes
// ref) run no hooks at all, as with --no-verify.
//
// Options.Binary should be a path that survives upgrades (the one on PATH, not
// a versioned package-manager cellar path); "tokenyield install" run again
// updates the scripts when it changes, and Check reports a mismatch.
//
// All git commands of this package run through the small helper in git.go.
package hook
