package newsroom

import (
	"net/http"

	"confide/internal/store"
	"confide/internal/web"
)

// sourceDelete deletes a source and everything of it, after an explicit
// confirmation tick.
func (s *Server) sourceDelete(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	src, ok := s.loadSource(w, r)
	if !ok {
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "newsroom.delete.confirm", nil), "/sources/"+src.ID)
		return
	}
	if err := s.DeleteSource(r.Context(), src.ID); err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), j, "delete source", "")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
