package newsroom

import (
	"net/http"
	"strings"

	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/web"
)

// journalistRotate replaces a journalist's age recipient. New material is
// encrypted to the new key; what came before stays readable with the old.
func (s *Server) journalistRotate(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	t, ok := s.loadJournalist(w, r)
	if !ok {
		return
	}
	rc := strings.TrimSpace(r.PostForm.Get("recipient"))
	if _, err := seal.ParseRecipient(rc); err != nil {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "newsroom.admin.badrecipient", nil), "/admin")
		return
	}
	if err := s.cfg.Store.SetRecipient(r.Context(), t.ID, rc); err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), j, "rotate recipient", t.Name)
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}
