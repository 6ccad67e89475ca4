package dropbox

import (
	"errors"
	"net/http"

	"confide/internal/store"
	"confide/internal/web"
)

// replyDelete lets a source delete a reply it has read: the row and the
// ciphertext both go.
func (s *Server) replyDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.checkedForm(w, r); err != nil {
		s.fail(w, r, err, "/inbox")
		return
	}
	sess, _, err := s.current(r)
	if err != nil {
		s.fail(w, r, web.Fail(http.StatusUnauthorized, "dropbox.session.expired", nil), "/login")
		return
	}
	if err := s.deleteReply(r, sess.sourceID, r.PathValue("id")); err != nil {
		s.fail(w, r, err, "/inbox")
		return
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
}

func (s *Server) deleteReply(r *http.Request, sourceID, id string) error {
	it, err := s.cfg.Store.DeleteItem(r.Context(), sourceID, id, store.KindReply)
	if errors.Is(err, store.ErrNotFound) {
		return web.Fail(http.StatusNotFound, "error.notfound", nil)
	}
	if err != nil {
		return web.Fail(http.StatusInternalServerError, "error.internal", err)
	}
	if err := s.cfg.Blobs.Remove(it.Blob); err != nil {
		// The row is gone, so the reply is gone for everyone; the sweep
		// removes the orphaned ciphertext later.
		s.cfg.Log.Error("dropbox: remove reply blob", "err", err)
	}
	return nil
}
