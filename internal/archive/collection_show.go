package archive

import (
	"net/http"
	"strconv"
)

type collectionData struct {
	User   User
	Status CollectionStatus
}

// collectionShow is a collection's ingest status: its counts, every failure
// with its reason, and the OCRed pages to review. With ?refresh=N it
// reloads itself every N seconds (a meta refresh, no script), to follow an
// ingest live.
func (s *Server) collectionShow(w http.ResponseWriter, r *http.Request, u User) {
	name := r.PathValue("name")
	if !u.Reads(name) {
		// An ungranted collection is not told apart from a missing one.
		s.notFound(w, r)
		return
	}
	st, err := s.a.Status(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for _, c := range st {
		if c.Name == name {
			if n, err := strconv.Atoi(r.URL.Query().Get("refresh")); err == nil && n >= 5 && n <= 3600 {
				w.Header().Set("Refresh", strconv.Itoa(n))
			}
			s.audit(r.Context(), u.Name, "view collection", name)
			s.render.Render(w, http.StatusOK, "collection", s.page(w, r, "Collection "+name, collectionData{User: u, Status: c}))
			return
		}
	}
	s.notFound(w, r)
}
