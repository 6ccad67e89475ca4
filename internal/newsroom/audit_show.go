package newsroom

import (
	"net/http"

	"confide/internal/store"
)

type auditData struct {
	Entries []store.AuditEntry
}

func (s *Server) auditShow(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	log, err := s.cfg.Store.AuditLog(r.Context(), 500)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render.Render(w, http.StatusOK, "audit", s.page(w, r, "newsroom.audit.title", auditData{Entries: log}))
}
