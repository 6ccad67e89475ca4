package newsroom

import (
	"net/http"

	"confide/internal/store"
)

func (s *Server) apiSourceStar(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	src, ok := s.apiSource(w, r)
	if !ok {
		return
	}
	var req struct {
		Starred bool `json:"starred"`
	}
	if !readJSON(w, r, 1<<10, &req) {
		return
	}
	if err := s.cfg.Store.SetStarred(r.Context(), src.ID, req.Starred); err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the newsroom could not star the source", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"starred": req.Starred})
}
