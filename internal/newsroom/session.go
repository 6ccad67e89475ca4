package newsroom

import (
	"errors"
	"net/http"
	"net/url"

	"confide/internal/auth"
	"confide/internal/store"
	"confide/internal/web"
)

// sessionCookie is the newsroom's own; the dropbox and site never see it.
const sessionCookie = "newsroom_session"

// Session kinds: a full web session, one that may only finish setting up
// the second factor, one that may only answer a security key, and an API
// token.
const (
	kindWeb   = auth.KindFull
	kindSetup = auth.KindSetup
	kindKey   = auth.KindKey
	kindAPI   = "api"
)

// handler is a page for a signed-in journalist.
type handler func(w http.ResponseWriter, r *http.Request, j store.Journalist)

// current returns the signed-in journalist for a session of the given kind.
func (s *Server) current(r *http.Request, kind string) (store.Journalist, auth.Session, error) {
	sess, err := s.auth.Current(r, kind)
	if errors.Is(err, auth.ErrNotFound) {
		return store.Journalist{}, auth.Session{}, store.ErrNotFound
	}
	if err != nil {
		return store.Journalist{}, auth.Session{}, err
	}
	j, err := s.cfg.Store.JournalistByID(r.Context(), sess.AccountID)
	return j, sess, err
}

// signedIn admits journalists with a full session, extending it; others go
// to the login page. POSTs must carry the CSRF token.
func (s *Server) signedIn(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		j, sess, err := s.current(r, kindWeb)
		if errors.Is(err, store.ErrNotFound) {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
			return
		}
		if err != nil {
			s.internal(w, r, err)
			return
		}
		s.auth.Touch(r.Context(), sess)
		if r.Method == http.MethodPost && !s.postChecked(w, r) {
			s.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", nil), "/")
			return
		}
		h(w, r, j)
	}
}

// admin admits administrators only.
func (s *Server) admin(h handler) http.HandlerFunc {
	return s.signedIn(func(w http.ResponseWriter, r *http.Request, j store.Journalist) {
		if !j.Admin {
			s.fail(w, r, web.Fail(http.StatusForbidden, "newsroom.admin.only", nil), "/")
			return
		}
		h(w, r, j)
	})
}

// csrfHeader carries the token on the JSON posts that security-key
// ceremonies make from script.
const csrfHeader = web.CSRFHeader

// postChecked checks a POST's CSRF token: in the form, or in csrfHeader for
// JSON (whose body is then left for the handler).
func (s *Server) postChecked(w http.ResponseWriter, r *http.Request) bool {
	return s.csrf.ValidPost(w, r, 1<<20)
}
