package dropbox

import (
	"errors"
	"net/http"

	"confide/internal/store"
	"confide/internal/web"
)

// sourceCreate registers the codename shown by codenameNew and logs in.
func (s *Server) sourceCreate(w http.ResponseWriter, r *http.Request) {
	if err := s.checkedForm(w, r); err != nil {
		s.fail(w, r, err, "/new")
		return
	}
	if !s.accepting(r.Context()) {
		s.fail(w, r, web.Fail(http.StatusServiceUnavailable, "dropbox.closed", nil), "/")
		return
	}
	keys, err := s.derive(r.Context(), r.PostForm.Get("codename"))
	if err != nil {
		s.fail(w, r, err, "/new")
		return
	}
	src, err := s.newSource(r.Context(), keys.LoginHash(), keys.Identity.Recipient().String())
	if errors.Is(err, store.ErrConflict) {
		// The form was posted twice: the source exists, so just log in.
		src, err = s.cfg.Store.SourceByLogin(r.Context(), keys.LoginHash())
	}
	if err != nil {
		s.fail(w, r, web.Fail(http.StatusInternalServerError, "error.internal", err), "/")
		return
	}
	s.startSession(w, r, src.ID, keys)
}
