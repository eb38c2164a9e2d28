package ghfake

import (
	"crypto/sha1"
	"encoding/hex"
	"sort"
	"strconv"
	"time"
)

// GitHub's caps on a pull request's lists.
const (
	// MaxPRCommits is the most commits GET /pulls/{n}/commits lists.
	MaxPRCommits = 250
	// MaxPRFiles is the most files GET /pulls/{n}/files lists.
	MaxPRFiles = 3000
	// MaxCommentChars is the longest comment body GitHub accepts.
	MaxCommentChars = 65536
)

// PR is a pull request as a test sets it. Zero fields take the defaults
// noted; the rest of the JSON is GitHub's example pull request.
type PR struct {
	// Title defaults to "Amazing new feature" (the example's).
	Title string
	// State is "open" (default) or "closed".
	State string
	// Draft marks a draft pull request.
	Draft bool
	// Author is the login of the pull request's author (default "octocat").
	Author string
	// HeadSHA defaults to the last commit added; BaseSHA to the first
	// commit's first parent, else SHA("base").
	HeadSHA, BaseSHA string
	// HeadRef and BaseRef are branch names (default "feature", "main").
	HeadRef, BaseRef string
	// Merged, MergeCommitSHA, MergedAt: a merged pull request (MergedAt
	// defaults to the clock's now when Merged).
	Merged         bool
	MergeCommitSHA string
	MergedAt       time.Time
	// Landed are the commits a rebase merge wrote on the base branch (the
	// last is MergeCommitSHA): GET /commits/{sha}/pulls lists the pull
	// request for each, as GitHub does.
	Landed []string
	// CreatedAt defaults to the clock's time at SetPR; ClosedAt to MergedAt
	// for a merged pull request.
	CreatedAt, ClosedAt time.Time
	// Commits, ChangedFiles, Additions and Deletions override the counts
	// derived from AddCommits and AddFiles (which see GitHub's caps, while
	// these are the true totals); 0 means derive.
	Commits, ChangedFiles, Additions, Deletions int
	// Extra is deep-merged into the JSON last, for any other field.
	Extra map[string]any
}

// Commit is a commit of a pull request (or any commit object, see
// AddCommitObject).
type Commit struct {
	// SHA defaults to SHA(Message + position).
	SHA string
	// Message is the full commit message.
	Message string
	// AuthorName, AuthorEmail: default "Monalisa Octocat",
	// "support@github.com". AuthorLogin is the GitHub account ("" = no
	// linked account: author is null, as GitHub returns it).
	AuthorName, AuthorEmail, AuthorLogin string
	// Time is the author and committer date (default: the clock's now).
	Time time.Time
	// Parents are the parent ids (default: the previous commit added).
	Parents []string
}

// File is a file changed by a pull request.
type File struct {
	// Name is the path; PreviousName the old path of a rename.
	Name, PreviousName string
	// Status: added, removed, modified (default), renamed, copied, changed,
	// unchanged.
	Status string
	// Additions and Deletions are line counts.
	Additions, Deletions int
	// Patch is the diff hunk text ("" leaves it out, as for binaries).
	Patch string
}

// Review is a pull request review.
type Review struct {
	// ID defaults to the next id.
	ID int64
	// User is the reviewer's login (default "octocat").
	User string
	// State as REST returns it: APPROVED, CHANGES_REQUESTED, COMMENTED
	// (default), DISMISSED, PENDING.
	State string
	// Body is the review text; CommitID the reviewed commit.
	Body, CommitID string
	// SubmittedAt defaults to the clock's now (absent for PENDING).
	SubmittedAt time.Time
}

// ReviewComment is a comment on the diff of a pull request.
type ReviewComment struct {
	// ID defaults to the next id; ReviewID is the review it belongs to;
	// InReplyTo the comment it answers (0: none).
	ID, ReviewID, InReplyTo int64
	// User is the author's login (default "octocat").
	User string
	// Body, Path and CommitID: the text, the file and the commit.
	Body, Path, CommitID string
	// CreatedAt defaults to the clock's now.
	CreatedAt time.Time
}

// Comment is an issue comment (the conversation of a pull request).
type Comment struct {
	// ID defaults to the next id.
	ID int64
	// User and UserType: the author (default: the commenter,
	// github-actions[bot] of type Bot).
	User, UserType string
	// Body is the Markdown text.
	Body string
	// CreatedAt defaults to the clock's now; UpdatedAt to CreatedAt.
	CreatedAt, UpdatedAt time.Time
	// Edits counts the PATCHes received (read-only, for assertions).
	Edits int
}

// repo is one repository's state.
type repo struct {
	owner, name string
	prs         map[int]*pullRequest
	comments    []*comment // live comments in creation order
	deleted     map[int64]bool
	commits     map[string]*gitCommit // every commit object by id
	trees       map[string]*tree
	blobs       map[string][]byte
	refs        map[string]string // "notes/x" -> commit id
}

type pullRequest struct {
	number         int
	pr             PR
	commits        []Commit
	files          []File
	reviews        []Review
	reviewComments []ReviewComment
}

type comment struct {
	issue int
	Comment
}

type gitCommit struct {
	Commit
	tree string
}

// tree is one git tree: entries in git's order.
type tree struct {
	entries   []treeEntry
	truncated bool // a recursive listing of this tree is cut short
}

type treeEntry struct {
	name, mode, typ, sha string
	size                 int
}

// SHA returns a fake 40-hex object id derived from s (its SHA-1), for tests
// that need distinct, stable commit ids.
func SHA(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// gitObjectID is git's id of an object: SHA-1 of "<type> <len>\0<data>".
func gitObjectID(typ string, data []byte) string {
	h := sha1.New()
	h.Write([]byte(typ + " " + strconv.Itoa(len(data)) + "\x00"))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// repoFor returns the state of owner/name, creating it. Callers hold s.mu.
func (s *Server) repoFor(owner, name string) *repo {
	key := owner + "/" + name
	rp := s.repos[key]
	if rp == nil {
		rp = &repo{
			owner: owner, name: name,
			prs:     map[int]*pullRequest{},
			deleted: map[int64]bool{},
			commits: map[string]*gitCommit{},
			trees:   map[string]*tree{},
			blobs:   map[string][]byte{},
			refs:    map[string]string{},
		}
		s.repos[key] = rp
	}
	return rp
}

// pull returns pull request n of owner/name or fails the test. Callers
// hold s.mu.
func (s *Server) pull(owner, name string, n int, caller string) *pullRequest {
	s.t.Helper()
	pr := s.repoFor(owner, name).prs[n]
	if pr == nil {
		s.t.Fatalf("ghfake: %s: no pull request %s/%s#%d (call SetPR first)", caller, owner, name, n)
	}
	return pr
}

func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

// SetPR creates or replaces pull request number of owner/repo (keeping the
// commits, files, reviews and comments already added to it).
func (s *Server) SetPR(owner, repoName string, number int, pr PR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pr.CreatedAt.IsZero() {
		pr.CreatedAt = s.clock.Now()
	}
	rp := s.repoFor(owner, repoName)
	if old := rp.prs[number]; old != nil {
		old.pr = pr
		return
	}
	rp.prs[number] = &pullRequest{number: number, pr: pr}
}

// AddCommits appends commits to pull request number (oldest first); they
// also become commit objects (GET /git/commits/{sha}).
func (s *Server) AddCommits(owner, repoName string, number int, commits ...Commit) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.pull(owner, repoName, number, "AddCommits")
	rp := s.repoFor(owner, repoName)
	for _, c := range commits {
		if c.SHA == "" {
			c.SHA = SHA(c.Message + "#" + strconv.Itoa(len(pr.commits)))
		}
		if c.Time.IsZero() {
			c.Time = s.clock.Now()
		}
		if c.Parents == nil && len(pr.commits) > 0 {
			c.Parents = []string{pr.commits[len(pr.commits)-1].SHA}
		}
		pr.commits = append(pr.commits, c)
		rp.commits[c.SHA] = &gitCommit{Commit: c, tree: SHA("tree of " + c.SHA)}
	}
}

// AddCommitObject makes a commit readable through GET /git/commits/{sha}
// without adding it to a pull request (for instance the squash commit on
// the base branch).
func (s *Server) AddCommitObject(owner, repoName string, c Commit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.SHA == "" {
		c.SHA = SHA(c.Message)
	}
	if c.Time.IsZero() {
		c.Time = s.clock.Now()
	}
	s.repoFor(owner, repoName).commits[c.SHA] = &gitCommit{Commit: c, tree: SHA("tree of " + c.SHA)}
}

// AddFiles appends changed files to pull request number.
func (s *Server) AddFiles(owner, repoName string, number int, files ...File) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.pull(owner, repoName, number, "AddFiles")
	pr.files = append(pr.files, files...)
}

// AddReviews appends reviews to pull request number.
func (s *Server) AddReviews(owner, repoName string, number int, reviews ...Review) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.pull(owner, repoName, number, "AddReviews")
	for _, r := range reviews {
		if r.ID == 0 {
			r.ID = s.newID()
		}
		if r.SubmittedAt.IsZero() && r.State != "PENDING" {
			r.SubmittedAt = s.clock.Now()
		}
		pr.reviews = append(pr.reviews, r)
	}
}

// AddReviewComments appends review comments to pull request number.
func (s *Server) AddReviewComments(owner, repoName string, number int, comments ...ReviewComment) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.pull(owner, repoName, number, "AddReviewComments")
	for _, c := range comments {
		if c.ID == 0 {
			c.ID = s.newID()
		}
		if c.CreatedAt.IsZero() {
			c.CreatedAt = s.clock.Now()
		}
		pr.reviewComments = append(pr.reviewComments, c)
	}
}

// AddComment adds an issue comment to pull request number (as if someone,
// or an earlier run, had posted it) and returns its id.
func (s *Server) AddComment(owner, repoName string, number int, c Comment) int64 {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pull(owner, repoName, number, "AddComment")
	return s.addComment(s.repoFor(owner, repoName), number, c).ID
}

// addComment stores c with defaults filled in. Callers hold s.mu.
func (s *Server) addComment(rp *repo, issue int, c Comment) *comment {
	if c.ID == 0 {
		c.ID = s.newID()
	} else if c.ID > s.nextID {
		s.nextID = c.ID
	}
	if c.User == "" {
		c.User, c.UserType = s.commenter.login, s.commenter.typ
	}
	if c.UserType == "" {
		c.UserType = "User"
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.clock.Now()
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	cm := &comment{issue: issue, Comment: c}
	rp.comments = append(rp.comments, cm)
	return cm
}

// DeleteComment removes a comment, as another run or a person would.
func (s *Server) DeleteComment(owner, repoName string, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoFor(owner, repoName)
	for i, c := range rp.comments {
		if c.ID == id {
			rp.comments = append(rp.comments[:i], rp.comments[i+1:]...)
			rp.deleted[id] = true
			return
		}
	}
}

// Comments returns the live comments of issue or pull request number,
// oldest first (by creation time, then id), as GitHub lists them.
func (s *Server) Comments(owner, repoName string, number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.repoFor(owner, repoName).issueComments(number) {
		out = append(out, c.Comment)
	}
	return out
}

// issueComments returns the live comments of one issue, oldest first.
func (rp *repo) issueComments(number int) []*comment {
	var out []*comment
	for _, c := range rp.comments {
		if c.issue == number {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// SetCommenter sets the author of comments created through the API
// (default github-actions[bot], type Bot).
func (s *Server) SetCommenter(login, userType string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commenter = user{login: login, typ: userType, id: s.commenter.id}
}

// SetMaxCommentChars changes the longest body accepted (default
// MaxCommentChars), to reach the 422 path with a short body.
func (s *Server) SetMaxCommentChars(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxChars = n
}

// sortedPRs returns a repository's pull requests by number.
func (rp *repo) sortedPRs() []*pullRequest {
	out := make([]*pullRequest, 0, len(rp.prs))
	for _, pr := range rp.prs {
		out = append(out, pr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].number < out[j].number })
	return out
}
