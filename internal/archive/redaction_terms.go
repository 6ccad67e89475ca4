package archive

import (
	"net/http"
	"slices"
	"sort"
)

// redactionTerms adds the words a copy's boxes covered to the user's
// marks as terms, so that the next copy burns them wherever else they
// occur and its verification looks for them: a box alone is checked by
// nobody.
func (s *Server) redactionTerms(w http.ResponseWriter, r *http.Request, u User) {
	red, err := s.a.Redaction(r.Context(), r.PathValue("rid"))
	if !s.found(w, r, err) {
		return
	}
	r.SetPathValue("id", red.DocID)
	d, m, ok := s.draft(w, r, u)
	if !ok {
		return
	}
	pages := make([]int, 0, len(red.Boxed))
	for p := range red.Boxed {
		pages = append(pages, p)
	}
	sort.Ints(pages)
	for _, p := range pages {
		for _, t := range red.Boxed[p] {
			if len(m.Terms) < maxMarks && !slices.Contains(m.Terms, t) {
				m.Terms = append(m.Terms, t)
			}
		}
	}
	if err := s.a.SaveDraft(r.Context(), d.ID, u.ID, m); err != nil {
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/documents/"+d.ID+"/redact#marks", http.StatusSeeOther)
}
