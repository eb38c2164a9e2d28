package ghfake

import (
	"net/http"
	"strconv"
	"unicode/utf8"
)

// commentJSON renders an issue comment from GitHub's example.
func (s *Server) commentJSON(rp *repo, c *comment) object {
	full := rp.owner + "/" + rp.name
	o := s.template(fxComments, full)
	id := strconv.FormatInt(c.ID, 10)
	n := strconv.Itoa(c.issue)
	userID := int64(1)
	if c.User == s.commenter.login {
		userID = s.commenter.id
	}
	set(o, "id", c.ID)
	set(o, "url", s.srv.URL+"/repos/"+full+"/issues/comments/"+id)
	set(o, "html_url", "https://github.com/"+full+"/pull/"+n+"#issuecomment-"+id)
	set(o, "issue_url", s.srv.URL+"/repos/"+full+"/issues/"+n)
	set(o, "body", c.Body)
	set(o, "user.login", c.User)
	set(o, "user.type", c.UserType)
	set(o, "user.id", userID)
	set(o, "created_at", timeOrNil(c.CreatedAt))
	set(o, "updated_at", timeOrNil(c.UpdatedAt))
	if c.UserType == "Bot" {
		set(o, "author_association", "NONE")
	}
	return o
}

func (s *Server) handleListComments(w http.ResponseWriter, r *http.Request) {
	rp, pr := s.lookupPR(w, r)
	if pr == nil {
		return
	}
	listed := rp.issueComments(pr.number)
	s.paginate(w, r, len(listed), func(i int) object { return s.commentJSON(rp, listed[i]) })
}

// commentBody decodes {"body": "..."} and enforces GitHub's length limit;
// false when it answered the request.
func (s *Server) commentBody(w http.ResponseWriter, r *http.Request) (string, bool) {
	var in struct {
		Body *string `json:"body"`
	}
	if err := readBody(r, &in); err != nil || in.Body == nil {
		s.invalid(w, r, `"body" wasn't supplied.`)
		return "", false
	}
	if utf8.RuneCountInString(*in.Body) > s.maxChars {
		s.writeFixture(w, fxErrTooLong)
		return "", false
	}
	return *in.Body, true
}

func (s *Server) handleCreateComment(w http.ResponseWriter, r *http.Request) {
	rp, pr := s.lookupPR(w, r)
	if pr == nil {
		return
	}
	body, ok := s.commentBody(w, r)
	if !ok {
		return
	}
	c := s.addComment(rp, pr.number, Comment{Body: body})
	o := s.commentJSON(rp, c)
	w.Header().Set("Location", o["url"].(string))
	s.writeJSON(w, http.StatusCreated, o)
}

// lookupComment returns the comment a request names. A comment deleted
// earlier answers 404 without failing the test (a concurrent run may have
// deleted it); an id never seen is unexpected.
func (s *Server) lookupComment(w http.ResponseWriter, r *http.Request) (*repo, *comment) {
	id, ok := pathInt(r, "id")
	rp := s.repos[r.PathValue("owner")+"/"+r.PathValue("repo")]
	if !ok || rp == nil {
		s.unexpected(w, r, "no such comment")
		return nil, nil
	}
	for _, c := range rp.comments {
		if c.ID == id {
			return rp, c
		}
	}
	if rp.deleted[id] {
		s.writeJSON(w, http.StatusNotFound, object{"message": "Not Found", "documentation_url": "https://docs.github.com/rest/issues/comments"})
		return nil, nil
	}
	s.unexpected(w, r, "no such comment")
	return nil, nil
}

func (s *Server) handleEditComment(w http.ResponseWriter, r *http.Request) {
	rp, c := s.lookupComment(w, r)
	if c == nil {
		return
	}
	body, ok := s.commentBody(w, r)
	if !ok {
		return
	}
	c.Body = body
	c.Edits++
	c.UpdatedAt = s.clock.Now()
	s.writeJSON(w, http.StatusOK, s.commentJSON(rp, c))
}

func (s *Server) handleDeleteComment(w http.ResponseWriter, r *http.Request) {
	rp, c := s.lookupComment(w, r)
	if c == nil {
		return
	}
	for i, x := range rp.comments {
		if x == c {
			rp.comments = append(rp.comments[:i], rp.comments[i+1:]...)
			break
		}
	}
	rp.deleted[c.ID] = true
	w.WriteHeader(http.StatusNoContent)
}
