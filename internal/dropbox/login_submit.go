package dropbox

import (
	"errors"
	"net/http"

	"confide/internal/store"
	"confide/internal/web"
)

// loginSubmit logs a returning source in. An unknown codename and a wrong
// one are the same thing here, and cost the same derivation.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.checkedForm(w, r); err != nil {
		s.fail(w, r, err, "/login")
		return
	}
	keys, err := s.derive(r.Context(), r.PostForm.Get("codename"))
	if err != nil {
		s.loginFailed(w, r, err)
		return
	}
	src, err := s.cfg.Store.SourceByLogin(r.Context(), keys.LoginHash())
	if errors.Is(err, store.ErrNotFound) {
		s.loginFailed(w, r, web.Fail(http.StatusUnauthorized, "dropbox.login.failed", nil))
		return
	}
	if err != nil {
		s.fail(w, r, web.Fail(http.StatusInternalServerError, "error.internal", err), "/login")
		return
	}
	s.startSession(w, r, src.ID, keys)
}

func (s *Server) loginFailed(w http.ResponseWriter, r *http.Request, err error) {
	var e *web.Error
	if !errors.As(err, &e) || e.Status >= 500 {
		s.fail(w, r, err, "/login")
		return
	}
	s.render.Render(w, e.Status, "login", s.page(w, r, "dropbox.login.title", loginData{Failed: e.Public}))
}
