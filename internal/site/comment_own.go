package site

import (
	"errors"
	"net/http"
	"strings"

	"confide/internal/store"
	"confide/internal/story"
	"confide/internal/web"
)

// ownComment loads the comment in the path if it belongs to the signed-in
// reader; anything else is "not found".
func (s *Server) ownComment(w http.ResponseWriter, r *http.Request) (store.Comment, bool) {
	reader := s.currentReader(r)
	c, err := s.cfg.Store.CommentByID(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && (reader == nil || c.ReaderID != reader.ID) {
		s.fail(w, r, web.Fail(http.StatusNotFound, "error.notfound", nil), "/")
		return c, false
	}
	if err != nil {
		s.internal(w, r, err)
		return c, false
	}
	return c, true
}

// commentEdit changes a comment within the edit window.
func (s *Server) commentEdit(w http.ResponseWriter, r *http.Request) {
	c, ok := s.ownComment(w, r)
	if !ok {
		return
	}
	back := "/stories/" + c.Story
	if s.cfg.Now().Sub(c.Created) >= editWindow {
		s.fail(w, r, web.Fail(http.StatusForbidden, "site.comment.toolate", nil), back)
		return
	}
	body := strings.TrimSpace(r.PostForm.Get("body"))
	if body == "" || len(body) > story.MaxComment {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "site.comment.length", nil), back)
		return
	}
	if err := s.cfg.Store.EditComment(r.Context(), c.ID, body, s.cfg.Now()); err != nil {
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, back+"#c-"+c.ID, http.StatusSeeOther)
}

// commentDelete deletes a reader's own comment (and replies to it).
func (s *Server) commentDelete(w http.ResponseWriter, r *http.Request) {
	c, ok := s.ownComment(w, r)
	if !ok {
		return
	}
	if err := s.cfg.Store.DeleteComment(r.Context(), c.ID); err != nil {
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/stories/"+c.Story, http.StatusSeeOther)
}
