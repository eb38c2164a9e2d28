package ghfake

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Handlers run with s.mu held (see ServeHTTP).

// routes registers every endpoint the fake answers.
func (s *Server) routes() {
	const r = "/repos/{owner}/{repo}"
	s.mux.HandleFunc("GET /rate_limit", func(w http.ResponseWriter, _ *http.Request) { s.serveRateLimit(w) })
	s.mux.HandleFunc("GET "+r+"/pulls/{number}", s.handlePull)
	s.mux.HandleFunc("GET "+r+"/pulls/{number}/commits", s.handlePullCommits)
	s.mux.HandleFunc("GET "+r+"/pulls/{number}/files", s.handlePullFiles)
	s.mux.HandleFunc("GET "+r+"/pulls/{number}/reviews", s.handleReviews)
	s.mux.HandleFunc("GET "+r+"/pulls/{number}/comments", s.handleReviewComments)
	s.mux.HandleFunc("GET "+r+"/commits/{sha}/pulls", s.handleCommitPulls)
	s.mux.HandleFunc("GET "+r+"/issues/{number}/comments", s.handleListComments)
	s.mux.HandleFunc("POST "+r+"/issues/{number}/comments", s.handleCreateComment)
	s.mux.HandleFunc("PATCH "+r+"/issues/comments/{id}", s.handleEditComment)
	s.mux.HandleFunc("DELETE "+r+"/issues/comments/{id}", s.handleDeleteComment)
	s.mux.HandleFunc("GET "+r+"/git/ref/{ref...}", s.handleRef)
	s.mux.HandleFunc("GET "+r+"/git/commits/{sha}", s.handleGitCommit)
	s.mux.HandleFunc("GET "+r+"/git/trees/{sha}", s.handleTree)
	s.mux.HandleFunc("GET "+r+"/git/blobs/{sha}", s.handleBlob)
}

// lookupPR returns the pull request a request names, or answers
// "unexpected" and returns nil.
func (s *Server) lookupPR(w http.ResponseWriter, r *http.Request) (*repo, *pullRequest) {
	n, ok := pathInt(r, "number")
	if !ok {
		s.unexpected(w, r, "bad pull request number")
		return nil, nil
	}
	rp := s.repos[r.PathValue("owner")+"/"+r.PathValue("repo")]
	if rp == nil || rp.prs[int(n)] == nil {
		s.unexpected(w, r, "no such pull request (SetPR)")
		return nil, nil
	}
	return rp, rp.prs[int(n)]
}

func (s *Server) handlePull(w http.ResponseWriter, r *http.Request) {
	if rp, pr := s.lookupPR(w, r); pr != nil {
		s.writeJSON(w, http.StatusOK, s.prJSON(rp, pr))
	}
}

func (s *Server) handlePullCommits(w http.ResponseWriter, r *http.Request) {
	rp, pr := s.lookupPR(w, r)
	if pr == nil {
		return
	}
	s.paginate(w, r, min(len(pr.commits), MaxPRCommits), func(i int) object { return s.commitJSON(rp, pr.commits[i]) })
}

func (s *Server) handlePullFiles(w http.ResponseWriter, r *http.Request) {
	rp, pr := s.lookupPR(w, r)
	if pr == nil {
		return
	}
	s.paginate(w, r, min(len(pr.files), MaxPRFiles), func(i int) object { return s.fileJSON(rp, pr, pr.files[i]) })
}

func (s *Server) handleReviews(w http.ResponseWriter, r *http.Request) {
	rp, pr := s.lookupPR(w, r)
	if pr == nil {
		return
	}
	s.paginate(w, r, len(pr.reviews), func(i int) object { return s.reviewJSON(rp, pr, pr.reviews[i]) })
}

func (s *Server) handleReviewComments(w http.ResponseWriter, r *http.Request) {
	rp, pr := s.lookupPR(w, r)
	if pr == nil {
		return
	}
	s.paginate(w, r, len(pr.reviewComments), func(i int) object { return s.reviewCommentJSON(rp, pr, pr.reviewComments[i]) })
}

// handleCommitPulls lists the pull requests containing a commit: among its
// commits, as its head, or merged as it (merge_commit_sha).
func (s *Server) handleCommitPulls(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha")
	rp := s.repos[r.PathValue("owner")+"/"+r.PathValue("repo")]
	if rp == nil {
		s.unexpected(w, r, "no such repository")
		return
	}
	var matched []*pullRequest
	for _, pr := range rp.sortedPRs() {
		if prHas(pr, sha) {
			matched = append(matched, pr)
		}
	}
	known := rp.commits[sha] != nil || len(matched) > 0
	if !known {
		s.t.Errorf("ghfake: unexpected request %s %s: no commit %s", r.Method, r.URL.Path, sha)
		s.writeJSON(w, http.StatusUnprocessableEntity, object{"message": "No commit found for SHA: " + sha, "documentation_url": "https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit"})
		return
	}
	s.paginate(w, r, len(matched), func(i int) object { return s.prJSON(rp, matched[i]) })
}

func prHas(pr *pullRequest, sha string) bool {
	if pr.pr.MergeCommitSHA == sha || pr.headSHA() == sha || slices.Contains(pr.pr.Landed, sha) {
		return true
	}
	for _, c := range pr.commits {
		if c.SHA == sha {
			return true
		}
	}
	return false
}

func (pr *pullRequest) headSHA() string {
	switch {
	case pr.pr.HeadSHA != "":
		return pr.pr.HeadSHA
	case len(pr.commits) > 0:
		return pr.commits[len(pr.commits)-1].SHA
	}
	return SHA("head of " + strconv.Itoa(pr.number))
}

func (pr *pullRequest) baseSHA() string {
	switch {
	case pr.pr.BaseSHA != "":
		return pr.pr.BaseSHA
	case len(pr.commits) > 0 && len(pr.commits[0].Parents) > 0:
		return pr.commits[0].Parents[0]
	}
	return SHA("base")
}

// timeOrNil formats t for JSON, null when zero.
func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// prJSON renders a pull request from GitHub's example.
func (s *Server) prJSON(rp *repo, pr *pullRequest) object {
	full := rp.owner + "/" + rp.name
	n := strconv.Itoa(pr.number)
	o := rewrite(s.template(fxPull, full), strings.NewReplacer("/pulls/1347", "/pulls/"+n, "/issues/1347", "/issues/"+n, "/pull/1347", "/pull/"+n)).(object)
	p := pr.pr
	adds, dels := 0, 0
	for _, f := range pr.files {
		adds += f.Additions
		dels += f.Deletions
	}
	state := or(p.State, "open")
	mergedAt, closedAt := p.MergedAt, p.ClosedAt
	if p.Merged {
		if mergedAt.IsZero() {
			mergedAt = s.clock.Now()
		}
		state = or(p.State, "closed")
		if closedAt.IsZero() {
			closedAt = mergedAt
		}
	}
	head, base := pr.headSHA(), pr.baseSHA()
	for path, v := range map[string]any{
		"id":                   int64(pr.number) + 1_000_000,
		"number":               pr.number,
		"title":                or(p.Title, "Amazing new feature"),
		"state":                state,
		"draft":                p.Draft,
		"user.login":           or(p.Author, "octocat"),
		"head.sha":             head,
		"head.ref":             or(p.HeadRef, "feature"),
		"head.label":           rp.owner + ":" + or(p.HeadRef, "feature"),
		"base.sha":             base,
		"base.ref":             or(p.BaseRef, "main"),
		"base.label":           rp.owner + ":" + or(p.BaseRef, "main"),
		"merged":               p.Merged,
		"merge_commit_sha":     or(p.MergeCommitSHA, SHA("test merge of "+head)),
		"created_at":           timeOrNil(p.CreatedAt),
		"updated_at":           timeOrNil(s.clock.Now()),
		"merged_at":            timeOrNil(mergedAt),
		"closed_at":            timeOrNil(closedAt),
		"commits":              orInt(p.Commits, len(pr.commits)),
		"changed_files":        orInt(p.ChangedFiles, len(pr.files)),
		"additions":            orInt(p.Additions, adds),
		"deletions":            orInt(p.Deletions, dels),
		"review_comments":      len(pr.reviewComments), // GitHub's count of the comments on the diff
		"statuses_url":         s.srv.URL + "/repos/" + full + "/statuses/" + head,
		"_links.statuses.href": s.srv.URL + "/repos/" + full + "/statuses/" + head,
	} {
		set(o, path, v)
	}
	if !p.Merged {
		o["merged_by"] = nil
	}
	if p.Extra != nil {
		merge(o, p.Extra)
	}
	return o
}

// commitJSON renders a pull request commit from GitHub's example.
func (s *Server) commitJSON(rp *repo, c Commit) object {
	full := rp.owner + "/" + rp.name
	o := s.template(fxCommits, full)
	api := s.srv.URL + "/repos/" + full
	person := object{
		"name":  or(c.AuthorName, "Monalisa Octocat"),
		"email": or(c.AuthorEmail, "support@github.com"),
		"date":  timeOrNil(c.Time),
	}
	set(o, "sha", c.SHA)
	set(o, "url", api+"/commits/"+c.SHA)
	set(o, "html_url", "https://github.com/"+full+"/commit/"+c.SHA)
	set(o, "comments_url", api+"/commits/"+c.SHA+"/comments")
	set(o, "commit.url", api+"/git/commits/"+c.SHA)
	set(o, "commit.author", person)
	set(o, "commit.committer", person)
	set(o, "commit.message", c.Message)
	set(o, "commit.tree.sha", rp.commits[c.SHA].tree)
	set(o, "commit.tree.url", api+"/git/trees/"+rp.commits[c.SHA].tree)
	if c.AuthorLogin == "" {
		o["author"], o["committer"] = nil, nil
	} else {
		set(o, "author.login", c.AuthorLogin)
		set(o, "committer.login", c.AuthorLogin)
	}
	parents := make([]any, 0, len(c.Parents))
	for _, p := range c.Parents {
		parents = append(parents, object{"sha": p, "url": api + "/commits/" + p})
	}
	o["parents"] = parents
	return o
}

// fileJSON renders a changed file from GitHub's example.
func (s *Server) fileJSON(rp *repo, pr *pullRequest, f File) object {
	full := rp.owner + "/" + rp.name
	o := s.template(fxFiles, full)
	head := pr.headSHA()
	set(o, "sha", SHA("blob "+f.Name))
	set(o, "filename", f.Name)
	set(o, "status", or(f.Status, "modified"))
	set(o, "additions", f.Additions)
	set(o, "deletions", f.Deletions)
	set(o, "changes", f.Additions+f.Deletions)
	set(o, "blob_url", "https://github.com/"+full+"/blob/"+head+"/"+f.Name)
	set(o, "raw_url", "https://github.com/"+full+"/raw/"+head+"/"+f.Name)
	set(o, "contents_url", s.srv.URL+"/repos/"+full+"/contents/"+f.Name+"?ref="+head)
	if f.Patch == "" {
		delete(o, "patch")
	} else {
		set(o, "patch", f.Patch)
	}
	if f.PreviousName != "" {
		set(o, "previous_filename", f.PreviousName)
	}
	return o
}

// reviewJSON renders a review from GitHub's example.
func (s *Server) reviewJSON(rp *repo, pr *pullRequest, rv Review) object {
	full := rp.owner + "/" + rp.name
	o := s.template(fxReviews, full)
	n := strconv.Itoa(pr.number)
	id := strconv.FormatInt(rv.ID, 10)
	html := "https://github.com/" + full + "/pull/" + n + "#pullrequestreview-" + id
	prURL := s.srv.URL + "/repos/" + full + "/pulls/" + n
	set(o, "id", rv.ID)
	set(o, "user.login", or(rv.User, "octocat"))
	set(o, "body", rv.Body)
	set(o, "state", or(rv.State, "COMMENTED"))
	set(o, "html_url", html)
	set(o, "pull_request_url", prURL)
	set(o, "_links.html.href", html)
	set(o, "_links.pull_request.href", prURL)
	set(o, "commit_id", or(rv.CommitID, pr.headSHA()))
	if rv.SubmittedAt.IsZero() {
		delete(o, "submitted_at")
	} else {
		set(o, "submitted_at", timeOrNil(rv.SubmittedAt))
	}
	return o
}

// reviewCommentJSON renders a review comment from GitHub's example.
func (s *Server) reviewCommentJSON(rp *repo, pr *pullRequest, c ReviewComment) object {
	full := rp.owner + "/" + rp.name
	o := s.template(fxReviewComment, full)
	n := strconv.Itoa(pr.number)
	id := strconv.FormatInt(c.ID, 10)
	self := s.srv.URL + "/repos/" + full + "/pulls/comments/" + id
	html := "https://github.com/" + full + "/pull/" + n + "#discussion_r" + id
	prURL := s.srv.URL + "/repos/" + full + "/pulls/" + n
	commit := or(c.CommitID, pr.headSHA())
	set(o, "id", c.ID)
	set(o, "url", self)
	set(o, "html_url", html)
	set(o, "pull_request_url", prURL)
	set(o, "_links.self.href", self)
	set(o, "_links.html.href", html)
	set(o, "_links.pull_request.href", prURL)
	set(o, "pull_request_review_id", c.ReviewID)
	set(o, "user.login", or(c.User, "octocat"))
	set(o, "body", c.Body)
	set(o, "path", or(c.Path, "file1.txt"))
	set(o, "commit_id", commit)
	set(o, "original_commit_id", commit)
	set(o, "created_at", timeOrNil(c.CreatedAt))
	set(o, "updated_at", timeOrNil(c.CreatedAt))
	if c.InReplyTo == 0 {
		delete(o, "in_reply_to_id")
	} else {
		set(o, "in_reply_to_id", c.InReplyTo)
	}
	return o
}
