package ghapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/tokenyield/tokenyield/attribution"
)

// NotesResult is what ReadNotes found.
type NotesResult struct {
	// Notes maps a commit id (as the caller spelled it) to its note blob;
	// commits without a note are absent.
	Notes map[string][]byte
	// Skipped maps a commit id to the reason its note was not read (a blob
	// over attribution.MaxNoteBytes).
	Skipped map[string]string
}

// Notes returns the note blobs attached to the commits shas on the notes
// ref ref of owner/repo, read through the Git Data API (see ReadNotes).
// Skipped notes are passed to the WithWarnings function.
func (c *Client) Notes(ctx context.Context, owner, repo, ref string, shas []string) (map[string][]byte, error) {
	res, err := c.ReadNotes(ctx, owner, repo, ref, shas)
	if err != nil {
		return nil, err
	}
	for _, sha := range shas {
		if why, ok := res.Skipped[sha]; ok {
			c.warn(fmt.Sprintf("note of commit %s skipped: %s", sha, why))
			delete(res.Skipped, sha)
		}
	}
	return res.Notes, nil
}

// ReadNotes reads the notes of the commits shas (full hex ids, any case)
// from the notes ref ref ("refs/notes/tokenyield", "notes/tokenyield" or
// just "tokenyield") of owner/repo, without a checkout: ref -> commit ->
// tree (recursive; a truncated tree is completed by walking the fan-out
// subtrees of the wanted commits) -> blobs. A ref that does not exist means
// no notes: an empty result and no error. Blobs over
// attribution.MaxNoteBytes are not downloaded; they are listed in Skipped.
func (c *Client) ReadNotes(ctx context.Context, owner, repo, ref string, shas []string) (NotesResult, error) {
	res := NotesResult{Notes: map[string][]byte{}, Skipped: map[string]string{}}
	ref, err := notesRef(ref)
	if err != nil {
		return res, &opError{op: "read notes of " + repoName(owner, repo), err: err}
	}
	r := notesReader{c: c, owner: owner, repo: repo, ref: ref, trees: map[string][]*github.TreeEntry{}}

	want := map[string]string{} // lower-case id -> id as given
	var order []string          // lower-case ids in the caller's order
	for _, sha := range shas {
		if s := strings.ToLower(strings.TrimSpace(sha)); s != "" {
			if _, dup := want[s]; !dup {
				want[s] = sha
				order = append(order, s)
			}
		}
	}
	if len(want) == 0 {
		return res, nil
	}

	root, ok, err := r.rootTree(ctx)
	if err != nil || !ok {
		return res, err
	}
	found, err := r.find(ctx, root, want, order)
	if err != nil {
		return res, err
	}
	for _, low := range order {
		entry, sha := found[low], want[low]
		if entry == nil {
			continue
		}
		if size := entry.GetSize(); size > attribution.MaxNoteBytes {
			res.Skipped[sha] = fmt.Sprintf("note blob %s is %d bytes, over the %d byte limit", entry.GetSHA(), size, attribution.MaxNoteBytes)
			continue
		}
		data, err := r.blob(ctx, entry.GetSHA())
		if err != nil {
			return res, err
		}
		if len(data) > attribution.MaxNoteBytes {
			res.Skipped[sha] = fmt.Sprintf("note blob %s is %d bytes, over the %d byte limit", entry.GetSHA(), len(data), attribution.MaxNoteBytes)
			continue
		}
		res.Notes[sha] = data
	}
	return res, nil
}

// notesRef normalises a notes ref to go-github's form without "refs/".
func notesRef(ref string) (string, error) {
	ref = strings.TrimPrefix(strings.TrimSpace(ref), "refs/")
	if ref == "" || strings.HasSuffix(ref, "/") || strings.Contains(ref, "..") {
		return "", fmt.Errorf("invalid notes ref %q", ref)
	}
	if !strings.Contains(ref, "/") {
		ref = "notes/" + ref
	}
	return ref, nil
}

// notesReader walks one notes ref, remembering the trees it fetched.
type notesReader struct {
	c                *Client
	owner, repo, ref string
	trees            map[string][]*github.TreeEntry // non-recursive listings by tree id
}

func (r *notesReader) op(what string) string {
	return what + " of refs/" + r.ref + " in " + repoName(r.owner, r.repo)
}

// rootTree resolves the ref to its commit's tree id; ok is false when the
// ref does not exist (404) or the repository is empty (409).
func (r *notesReader) rootTree(ctx context.Context) (tree string, ok bool, err error) {
	var ref *github.Reference
	err = r.c.call(ctx, r.op("get ref"), func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		ref, resp, err = r.c.gh.Git.GetRef(ctx, r.owner, r.repo, r.ref)
		return resp, err
	})
	if errors.Is(err, ErrNotFound) || statusIs(err, http.StatusConflict) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if t := ref.GetObject().GetType(); t != "commit" {
		return "", false, &opError{op: r.op("read"), err: fmt.Errorf("the ref points to a %q, not a commit", t)}
	}
	var commit *github.Commit
	err = r.c.call(ctx, r.op("get notes commit"), func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		commit, resp, err = r.c.gh.Git.GetCommit(ctx, r.owner, r.repo, ref.GetObject().GetSHA())
		return resp, err
	})
	if err != nil {
		return "", false, err
	}
	return commit.GetTree().GetSHA(), true, nil
}

// find locates the note blobs of the wanted commits (keys: lower-case ids)
// (in order) under tree root: one recursive listing, completed by a targeted walk when
// GitHub truncated it.
func (r *notesReader) find(ctx context.Context, root string, want map[string]string, order []string) (map[string]*github.TreeEntry, error) {
	var tree *github.Tree
	err := r.c.call(ctx, r.op("get notes tree"), func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		tree, resp, err = r.c.gh.Git.GetTree(ctx, r.owner, r.repo, root, true)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	found := map[string]*github.TreeEntry{}
	for _, e := range tree.Entries {
		if e.GetType() != "blob" {
			continue
		}
		// A note's path is the commit id, flat or split by fan-out directories.
		id := strings.ToLower(strings.ReplaceAll(e.GetPath(), "/", ""))
		if _, ok := want[id]; ok && found[id] == nil {
			found[id] = e
		}
	}
	if !tree.GetTruncated() {
		return found, nil
	}
	for _, id := range order {
		if found[id] != nil {
			continue
		}
		e, err := r.walk(ctx, root, id, 0)
		if err != nil {
			return nil, err
		}
		if e != nil {
			found[id] = e
		}
	}
	return found, nil
}

// walk looks for the blob named rest (the remaining hex digits of a commit
// id) under tree, descending only into fan-out directories that prefix
// rest.
func (r *notesReader) walk(ctx context.Context, tree, rest string, depth int) (*github.TreeEntry, error) {
	if depth > 40 {
		return nil, nil
	}
	entries, err := r.list(ctx, tree)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		p := strings.ToLower(e.GetPath())
		switch {
		case e.GetType() == "blob" && p == rest:
			return e, nil
		case e.GetType() == "tree" && p != "" && len(p) < len(rest) && strings.HasPrefix(rest, p):
			if got, err := r.walk(ctx, e.GetSHA(), rest[len(p):], depth+1); err != nil || got != nil {
				return got, err
			}
		}
	}
	return nil, nil
}

// list returns the entries of one tree (non-recursive), fetching it once.
func (r *notesReader) list(ctx context.Context, sha string) ([]*github.TreeEntry, error) {
	if entries, ok := r.trees[sha]; ok {
		return entries, nil
	}
	var tree *github.Tree
	err := r.c.call(ctx, r.op("get notes subtree "+sha), func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		tree, resp, err = r.c.gh.Git.GetTree(ctx, r.owner, r.repo, sha, false)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	r.trees[sha] = tree.Entries
	return tree.Entries, nil
}

// blob downloads one blob raw.
func (r *notesReader) blob(ctx context.Context, sha string) ([]byte, error) {
	var data []byte
	err := r.c.call(ctx, r.op("get note blob "+sha), func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		data, resp, err = r.c.gh.Git.GetBlobRaw(ctx, r.owner, r.repo, sha)
		return resp, err
	})
	return data, err
}

// statusIs reports whether err carries a GitHub answer with that status.
func statusIs(err error, status int) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == status
}
