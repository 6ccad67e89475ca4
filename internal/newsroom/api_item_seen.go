package newsroom

import (
	"confide/internal/web"
	"net/http"

	"confide/internal/store"
)

func (s *Server) apiItemSeen(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	if _, err := s.cfg.Store.ItemByID(r.Context(), r.PathValue("id")); err != nil {
		s.apiFail(w, http.StatusNotFound, "no such item", nil)
		return
	}
	if err := s.cfg.Store.MarkSeen(r.Context(), j.ID, r.PathValue("id")); err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the newsroom could not mark the item", err)
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]bool{"seen": true})
}
