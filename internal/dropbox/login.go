package dropbox

import (
	"context"
	"errors"
	"net/http"

	"confide/internal/seal"
	"confide/internal/web"
)

// formLimit bounds the small url-encoded forms (codename, csrf).
const formLimit = 16 << 10

// checkedForm parses a small form and checks its CSRF token.
func (s *Server) checkedForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, formLimit)
	if err := r.ParseForm(); err != nil {
		return web.Fail(http.StatusBadRequest, "dropbox.submit.malformed", nil)
	}
	if !s.csrf.Valid(r, r.PostForm.Get(web.Field)) {
		return web.Fail(http.StatusForbidden, "error.csrf", nil)
	}
	return nil
}

// derive turns a typed codename into keys, mapping every failure to what the
// source may be told.
func (s *Server) derive(ctx context.Context, typed string) (*seal.SourceKeys, error) {
	codename, err := seal.NormalizeCodename(typed)
	if err != nil {
		return nil, web.Fail(http.StatusUnauthorized, "dropbox.login.format", nil)
	}
	var keys *seal.SourceKeys
	var derr error
	err = s.argon.Do(ctx, func() { keys, derr = seal.Derive(codename, s.salt, s.cfg.Params) })
	if err == nil {
		err = derr
	}
	if errors.Is(err, seal.ErrBusy) {
		return nil, web.Fail(http.StatusServiceUnavailable, "dropbox.busy", nil)
	}
	if err != nil {
		return nil, web.Fail(http.StatusInternalServerError, "error.internal", err)
	}
	return keys, nil
}

// startSession logs the browser in and sends it to its inbox. The CSRF token
// is rotated so no token spans the moment of login.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, sourceID string, keys *seal.SourceKeys) {
	// A day-granular "last seen", for retention; nothing finer is kept.
	if err := s.cfg.Store.TouchSource(r.Context(), sourceID); err != nil {
		s.fail(w, r, web.Fail(http.StatusInternalServerError, "error.internal", err), "/")
		return
	}
	bearer, err := s.sessions.create(sourceID, keys.Identity)
	if err != nil {
		s.fail(w, r, web.Fail(http.StatusInternalServerError, "error.internal", err), "/")
		return
	}
	s.setSession(w, bearer)
	s.csrf.Rotate(w)
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
}
