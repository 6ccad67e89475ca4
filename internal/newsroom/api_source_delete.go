package newsroom

import (
	"confide/internal/web"
	"net/http"

	"confide/internal/store"
)

func (s *Server) apiSourceDelete(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	src, ok := s.apiSource(w, r)
	if !ok {
		return
	}
	if err := s.DeleteSource(r.Context(), src.ID); err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the newsroom could not delete the source", err)
		return
	}
	s.audit(r.Context(), j, "delete source", "api")
	web.WriteJSON(w, http.StatusOK, map[string]bool{"deleted": true})
}
