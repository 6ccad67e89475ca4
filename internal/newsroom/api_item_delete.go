package newsroom

import (
	"confide/internal/web"
	"errors"
	"net/http"

	"confide/internal/store"
)

func (s *Server) apiItemDelete(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	it, err := s.cfg.Store.ItemByID(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.apiFail(w, http.StatusNotFound, "no such item", nil)
		return
	}
	if err == nil {
		err = s.deleteItem(r.Context(), it.SourceID, it.ID)
	}
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the newsroom could not delete the item", err)
		return
	}
	s.audit(r.Context(), j, "delete items", "api, 1 item")
	web.WriteJSON(w, http.StatusOK, map[string]bool{"deleted": true})
}
