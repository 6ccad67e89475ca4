package newsroom

import (
	"confide/internal/web"
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
	if !web.ReadJSON(w, r, 1<<10, &req) {
		return
	}
	if err := s.cfg.Store.SetStarred(r.Context(), src.ID, req.Starred); err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the newsroom could not star the source", err)
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]bool{"starred": req.Starred})
}
