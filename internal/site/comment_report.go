package site

import (
	"net/http"

	"confide/internal/store"
	"confide/internal/web"
)

// commentReport flags an approved comment for the moderators.
func (s *Server) commentReport(w http.ResponseWriter, r *http.Request) {
	if s.currentReader(r) == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	c, err := s.cfg.Store.CommentByID(r.Context(), r.PathValue("id"))
	if err != nil || c.State != store.CommentApproved {
		s.fail(w, r, web.Fail(http.StatusNotFound, "error.notfound", nil), "/")
		return
	}
	if err := s.cfg.Store.ReportComment(r.Context(), c.ID); err != nil {
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/stories/"+c.Story+"?notice=reported", http.StatusSeeOther)
}
