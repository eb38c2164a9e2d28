// Package tagger is what happens at commit time: it collects the usage the
// agents logged since the last commit, decides which of it belongs to the
// committing worktree, and turns it into the note and the trailer the commit
// carries.
//
// # State
//
// Everything lives in the repository's common git directory, under
// tokenyield/, so all worktrees of a repository share it:
//
//	scan.state   cursors and de-dup memory of the incremental log scan
//	scan.state.journal  what changed since scan.state was written (see scan.Save)
//	pending      usage of this repository's worktrees not yet on a commit
//	lock         serialises hooks of concurrent commits
//	hook.log     errors of hooks, reported once by `tokenyield status`
//
// and, per worktree (its own git directory), tokenyield/proposal: what the
// commit-msg hook put in the trailer, for the post-commit hook to store.
//
// # The rule
//
// A commit in worktree W takes every pending event whose recorded working
// directory is W's root or below it (not inside a nested repository or
// another worktree), that happened before the commit and within the horizon
// (24 hours by default). Taken events leave the pending list, so each is
// counted once. Install scans all logs once and keeps nothing pending, so
// history before install never lands on the first commit.
//
// # Amend and rebase
//
// The post-commit hook stores only the new usage on a commit. When the
// commit amends another, git copies the old note (notes.rewriteRef) and the
// post-rewrite hook replaces the result with old + new; the commit-msg hook
// already wrote that sum into the trailer. After a rebase, the post-rewrite
// hook gives each new commit the merged notes of the commits it replaced
// (a squash sums them; its message holds every squashed trailer, whose sum
// is the same). Nothing is attributed while a rebase is in progress.
package tagger
