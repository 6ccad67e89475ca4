package archive

import "net/http"

type collectionsData struct {
	User        User
	Collections []CollectionStatus
}

// collectionsShow is the home page: a search box and the collections the
// user may read, each with its counts.
func (s *Server) collectionsShow(w http.ResponseWriter, r *http.Request, u User) {
	st, err := s.a.Status(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	d := collectionsData{User: u}
	for _, c := range st {
		if u.Reads(c.Name) {
			d.Collections = append(d.Collections, c)
		}
	}
	s.render.Render(w, http.StatusOK, "collections", s.page(w, r, "archive.collections.title", d))
}
