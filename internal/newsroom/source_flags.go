package newsroom

import (
	"net/http"
	"strings"

	"confide/internal/store"
	"confide/internal/web"
)

// sourceFlags stars, hides or assigns a source.
func (s *Server) sourceFlags(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	src, ok := s.loadSource(w, r)
	if !ok {
		return
	}
	var err error
	switch action := r.PostForm.Get("action"); action {
	case "star", "unstar":
		err = s.cfg.Store.SetStarred(r.Context(), src.ID, action == "star")
	case "hide", "unhide":
		err = s.cfg.Store.SetHidden(r.Context(), src.ID, action == "hide")
	case "assign":
		a := strings.TrimSpace(r.PostForm.Get("assignee"))
		if len(a) > 64 {
			s.fail(w, r, web.Fail(http.StatusBadRequest, "newsroom.assign.long", nil), "/sources/"+src.ID)
			return
		}
		err = s.cfg.Store.SetAssignee(r.Context(), src.ID, a)
	default:
		s.fail(w, r, web.Fail(http.StatusBadRequest, "error.method", nil), "/sources/"+src.ID)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), j, "source "+r.PostForm.Get("action"), "")
	http.Redirect(w, r, "/sources/"+src.ID, http.StatusSeeOther)
}
