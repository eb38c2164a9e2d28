package ghfake

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// NotesOption changes how SetNotes lays out the notes tree.
type NotesOption func(*notesLayout)

type notesLayout struct {
	fanOut    int
	truncated bool
}

// FanOut stores each note whose path is a bare commit id under levels
// 2-hex-digit directories ("ab/cdef…" for 1, "ab/cd/ef…" for 2), as git
// does for large notes trees.
func FanOut(levels int) NotesOption {
	return func(l *notesLayout) { l.fanOut = levels }
}

// TruncatedTree makes the recursive listing of the notes tree come back
// with "truncated": true and only the first half of its entries, as GitHub
// answers for trees over 100,000 entries or 7 MB. Non-recursive listings
// stay complete.
func TruncatedTree() NotesOption {
	return func(l *notesLayout) { l.truncated = true }
}

// SetNotes points the notes ref ref ("refs/notes/tokenyield") of owner/repo
// at a new notes commit whose tree holds notes: blob contents by path, the
// path being the annotated commit's id (flat, or already split such as
// "ab/cdef…"). The blob, tree and commit ids are git's real object ids. It
// returns the notes commit id.
func (s *Server) SetNotes(owner, repoName, ref string, notes map[string][]byte, opts ...NotesOption) string {
	var layout notesLayout
	for _, o := range opts {
		o(&layout)
	}
	files := map[string][]byte{}
	for p, data := range notes {
		if layout.fanOut > 0 && !strings.Contains(p, "/") {
			p = fanOutPath(p, layout.fanOut)
		}
		files[p] = data
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoFor(owner, repoName)
	root := rp.buildTree(files)
	rp.trees[root].truncated = layout.truncated

	when := s.clock.Now()
	stamp := " " + strconv.FormatInt(when.Unix(), 10) + " +0000"
	msg := "Notes added by 'git notes add'\n"
	raw := "tree " + root + "\nauthor tokenyield <tokenyield@example.com>" + stamp +
		"\ncommitter tokenyield <tokenyield@example.com>" + stamp + "\n\n" + msg
	id := gitObjectID("commit", []byte(raw))
	rp.commits[id] = &gitCommit{
		Commit: Commit{SHA: id, Message: msg, AuthorName: "tokenyield", AuthorEmail: "tokenyield@example.com", Time: when},
		tree:   root,
	}
	rp.refs[strings.TrimPrefix(ref, "refs/")] = id
	return id
}

func fanOutPath(p string, levels int) string {
	var b strings.Builder
	for i := 0; i < levels && len(p) > 2; i++ {
		b.WriteString(p[:2])
		b.WriteByte('/')
		p = p[2:]
	}
	b.WriteString(p)
	return b.String()
}

// buildTree stores the blobs and trees of files (contents by path) and
// returns the root tree's id. Callers hold s.mu.
func (rp *repo) buildTree(files map[string][]byte) string {
	dirs := map[string]map[string][]byte{}
	var entries []treeEntry
	for p, data := range files {
		if dir, rest, ok := strings.Cut(p, "/"); ok {
			if dirs[dir] == nil {
				dirs[dir] = map[string][]byte{}
			}
			dirs[dir][rest] = data
			continue
		}
		id := gitObjectID("blob", data)
		rp.blobs[id] = data
		entries = append(entries, treeEntry{name: p, mode: "100644", typ: "blob", sha: id, size: len(data)})
	}
	for dir, sub := range dirs {
		entries = append(entries, treeEntry{name: dir, mode: "040000", typ: "tree", sha: rp.buildTree(sub)})
	}
	// git orders entries by name, a tree's name compared as if it ended in "/".
	key := func(e treeEntry) string {
		if e.typ == "tree" {
			return e.name + "/"
		}
		return e.name
	}
	sort.Slice(entries, func(i, j int) bool { return key(entries[i]) < key(entries[j]) })
	var raw bytes.Buffer
	for _, e := range entries {
		mode := strings.TrimPrefix(e.mode, "0")
		raw.WriteString(mode + " " + e.name + "\x00")
		bin, _ := hex.DecodeString(e.sha)
		raw.Write(bin)
	}
	id := gitObjectID("tree", raw.Bytes())
	rp.trees[id] = &tree{entries: entries}
	return id
}

// repoOf returns the repository a request names, nil when the fake has
// none.
func (s *Server) repoOf(r *http.Request) *repo {
	return s.repos[r.PathValue("owner")+"/"+r.PathValue("repo")]
}

// handleRef answers GET /git/ref/{ref}. A missing ref is GitHub's 404, not
// a test failure: a repository without notes answers that way.
func (s *Server) handleRef(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	rp := s.repoOf(r)
	var id string
	if rp != nil {
		id = rp.refs[ref]
	}
	if id == "" {
		s.writeFixture(w, fxErrRefNotFound)
		return
	}
	full := rp.owner + "/" + rp.name
	o := s.template(fxGitRef, full)
	set(o, "ref", "refs/"+ref)
	set(o, "url", s.srv.URL+"/repos/"+full+"/git/refs/"+ref)
	set(o, "object.type", "commit")
	set(o, "object.sha", id)
	set(o, "object.url", s.srv.URL+"/repos/"+full+"/git/commits/"+id)
	s.writeJSON(w, http.StatusOK, o)
}

// handleGitCommit answers GET /git/commits/{sha} for notes commits and the
// commits added with AddCommits or AddCommitObject.
func (s *Server) handleGitCommit(w http.ResponseWriter, r *http.Request) {
	rp := s.repoOf(r)
	sha := r.PathValue("sha")
	if rp == nil || rp.commits[sha] == nil {
		s.unexpected(w, r, "no such commit")
		return
	}
	c := rp.commits[sha]
	full := rp.owner + "/" + rp.name
	api := s.srv.URL + "/repos/" + full
	o := s.template(fxGitCommit, full)
	person := object{"date": timeOrNil(c.Time), "name": or(c.AuthorName, "Monalisa Octocat"), "email": or(c.AuthorEmail, "support@github.com")}
	set(o, "sha", c.SHA)
	set(o, "url", api+"/git/commits/"+c.SHA)
	set(o, "html_url", "https://github.com/"+full+"/commit/"+c.SHA)
	set(o, "author", person)
	set(o, "committer", person)
	set(o, "message", c.Message)
	set(o, "tree.sha", c.tree)
	set(o, "tree.url", api+"/git/trees/"+c.tree)
	parents := make([]any, 0, len(c.Parents))
	for _, p := range c.Parents {
		parents = append(parents, object{"sha": p, "url": api + "/git/commits/" + p, "html_url": "https://github.com/" + full + "/commit/" + p})
	}
	o["parents"] = parents
	s.writeJSON(w, http.StatusOK, o)
}

// handleTree answers GET /git/trees/{sha}, recursive when the recursive
// parameter is present (GitHub: "any value").
func (s *Server) handleTree(w http.ResponseWriter, r *http.Request) {
	rp := s.repoOf(r)
	sha := r.PathValue("sha")
	if rp == nil || rp.trees[sha] == nil {
		s.unexpected(w, r, "no such tree")
		return
	}
	full := rp.owner + "/" + rp.name
	api := s.srv.URL + "/repos/" + full
	t := rp.trees[sha]
	var entries []object
	truncated := false
	if r.URL.Query().Has("recursive") {
		entries = rp.flatten(api, sha, "")
		if t.truncated {
			entries = entries[:max(len(entries)/2, 1)]
			truncated = true
		}
	} else {
		for _, e := range t.entries {
			entries = append(entries, entryJSON(api, e, e.name))
		}
	}
	o := s.template(fxGitTree, full)
	set(o, "sha", sha)
	set(o, "url", api+"/git/trees/"+sha)
	o["tree"] = entries
	o["truncated"] = truncated
	s.writeJSON(w, http.StatusOK, o)
}

// flatten lists a tree recursively, each tree entry before its contents
// (the order of git ls-tree -r -t and of GitHub's recursive listing).
func (rp *repo) flatten(api, sha, prefix string) []object {
	var out []object
	for _, e := range rp.trees[sha].entries {
		out = append(out, entryJSON(api, e, prefix+e.name))
		if e.typ == "tree" {
			out = append(out, rp.flatten(api, e.sha, prefix+e.name+"/")...)
		}
	}
	return out
}

func entryJSON(api string, e treeEntry, path string) object {
	o := object{"path": path, "mode": e.mode, "type": e.typ, "sha": e.sha}
	if e.typ == "blob" {
		o["size"] = e.size
		o["url"] = api + "/git/blobs/" + e.sha
	} else {
		o["url"] = api + "/git/trees/" + e.sha
	}
	return o
}

// handleBlob answers GET /git/blobs/{sha}: raw bytes for Accept
// application/vnd.github.raw (or .v3.raw), else GitHub's JSON with base64
// content broken into lines of 60 characters.
func (s *Server) handleBlob(w http.ResponseWriter, r *http.Request) {
	rp := s.repoOf(r)
	sha := r.PathValue("sha")
	data, ok := []byte(nil), false
	if rp != nil {
		data, ok = rp.blobs[sha]
	}
	if !ok {
		s.unexpected(w, r, "no such blob")
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "raw") {
		w.Header().Set("Content-Type", "application/vnd.github.raw; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(data)
		return
	}
	full := rp.owner + "/" + rp.name
	enc := base64.StdEncoding.EncodeToString(data)
	var lines strings.Builder
	for len(enc) > 60 {
		lines.WriteString(enc[:60] + "\n")
		enc = enc[60:]
	}
	lines.WriteString(enc + "\n")
	o := s.template(fxGitBlob, full)
	set(o, "content", lines.String())
	set(o, "sha", sha)
	set(o, "size", len(data))
	set(o, "url", s.srv.URL+"/repos/"+full+"/git/blobs/"+sha)
	s.writeJSON(w, http.StatusOK, o)
}
