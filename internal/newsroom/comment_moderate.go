package newsroom

import (
	"net/http"

	"confide/internal/store"
)

// commentModerate approves, rejects or removes a comment, or bans its
// author (which also removes it).
func (s *Server) commentModerate(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	c, err := s.cfg.Store.CommentByID(r.Context(), r.PathValue("id"))
	if !s.found(w, r, err) {
		return
	}
	action := r.PostForm.Get("action")
	switch action {
	case "approve":
		err = s.cfg.Store.SetCommentState(r.Context(), c.ID, store.CommentApproved)
	case "reject":
		err = s.cfg.Store.SetCommentState(r.Context(), c.ID, store.CommentRejected)
	case "remove":
		err = s.cfg.Store.SetCommentState(r.Context(), c.ID, store.CommentRemoved)
	case "ban":
		var rd store.Reader
		if rd, err = s.cfg.Store.ReaderByID(r.Context(), c.ReaderID); err == nil {
			rd.Banned = true
			if err = s.cfg.Store.UpdateReader(r.Context(), rd); err == nil {
				err = s.cfg.Store.SetCommentState(r.Context(), c.ID, store.CommentRemoved)
			}
		}
	default:
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), j, "comment "+action, "")
	http.Redirect(w, r, "/comments", http.StatusSeeOther)
}
