package ghfake

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// GitHub's page sizes.
const (
	// DefaultPerPage is the page size when per_page is absent.
	DefaultPerPage = 30
	// MaxPerPage is the largest page size GitHub honours; larger values are
	// cut to it.
	MaxPerPage = 100
)

// paginate writes one page of a list of n items, selected by the page and
// per_page query parameters, with GitHub's Link header; item renders the
// i-th item (only those on the page are rendered).
func (s *Server) paginate(w http.ResponseWriter, r *http.Request, n int, item func(i int) object) {
	q := r.URL.Query()
	perPage := DefaultPerPage
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		perPage = min(v, MaxPerPage)
	}
	page := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	last := max((n+perPage-1)/perPage, 1)

	start := min((page-1)*perPage, n)
	end := min(start+perPage, n)
	out := make([]object, 0, end-start)
	for i := start; i < end; i++ {
		out = append(out, item(i))
	}
	if link := linkHeader(s.srv.URL, r.URL, page, last); link != "" {
		w.Header().Set("Link", link)
	}
	s.writeJSON(w, http.StatusOK, out)
}

// linkHeader builds GitHub's Link header for page of last: rel="prev" and
// "first" after the first page, rel="next" and "last" before the last.
func linkHeader(base string, u *url.URL, page, last int) string {
	at := func(p int, rel string) string {
		q := u.Query()
		q.Set("page", strconv.Itoa(p))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, base, u.Path, q.Encode(), rel)
	}
	var parts []string
	if page > 1 {
		parts = append(parts, at(min(page-1, last), "prev"))
	}
	if page < last {
		parts = append(parts, at(page+1, "next"), at(last, "last"))
	}
	if page > 1 {
		parts = append(parts, at(1, "first"))
	}
	return strings.Join(parts, ", ")
}
