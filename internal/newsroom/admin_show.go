package newsroom

import (
	"net/http"

	"confide/internal/store"
)

type adminData struct {
	Me          store.Journalist
	Journalists []store.Journalist
}

func (s *Server) adminShow(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	js, err := s.cfg.Store.Journalists(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render.Render(w, http.StatusOK, "admin", s.page(w, r, "newsroom.admin.title", adminData{Me: j, Journalists: js}))
}
