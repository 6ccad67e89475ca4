package newsroom

import (
	"net/http"

	"confide/internal/store"
	"confide/internal/web"
)

// loadJournalist finds the journalist named in the path, or renders a 404.
func (s *Server) loadJournalist(w http.ResponseWriter, r *http.Request) (store.Journalist, bool) {
	t, err := s.cfg.Store.JournalistByID(r.Context(), r.PathValue("id"))
	return t, s.found(w, r, err)
}

func (s *Server) journalistRemove(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	t, ok := s.loadJournalist(w, r)
	if !ok {
		return
	}
	if t.ID == j.ID {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "newsroom.admin.self", nil), "/admin")
		return
	}
	if err := s.cfg.Store.RemoveJournalist(r.Context(), t.Name); err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), j, "remove journalist", t.Name)
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}
