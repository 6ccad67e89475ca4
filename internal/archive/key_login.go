package archive

import (
	"net/http"

	"confide/internal/auth"
	"confide/internal/web"
)

// keyLoginShow is the second step of a sign-in with a security key: the
// passphrase was right and the code left empty.
func (s *Server) keyLoginShow(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if _, _, err := s.current(r, auth.KindKey); err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.render.Render(w, http.StatusOK, "key", s.page(w, r, "newsroom.key.title", nil))
}

// keyLoginOptions is the key step's challenge, kept in the key session.
func (s *Server) keyLoginOptions(w http.ResponseWriter, r *http.Request) {
	u, sess, err := s.current(r, auth.KindKey)
	if err != nil {
		web.WriteJSON(w, http.StatusUnauthorized, map[string]string{"next": "/login"})
		return
	}
	acc, err := s.accountOf(r, u)
	if err != nil {
		auth.KeyFail(w, s.log, err, http.StatusBadRequest, "could not start")
		return
	}
	opts, err := s.auth.BeginKeyLogin(r, acc, sess)
	if err != nil {
		auth.KeyFail(w, s.log, err, http.StatusBadRequest, "could not start")
		return
	}
	web.WriteJSON(w, http.StatusOK, opts)
}

// keyLoginSubmit verifies the key's answer and replaces the key session
// with a full one. A refused key counts, and locks, as a wrong code does.
func (s *Server) keyLoginSubmit(w http.ResponseWriter, r *http.Request) {
	u, sess, err := s.current(r, auth.KindKey)
	if err != nil || !s.csrf.ValidPost(w, r, maxKeyAnswer) {
		web.WriteJSON(w, http.StatusUnauthorized, map[string]string{"next": "/login"})
		return
	}
	acc, err := s.accountOf(r, u)
	if err == nil {
		err = s.auth.FinishKeyLogin(w, r, acc, sess)
	}
	if err != nil {
		auth.KeyFail(w, s.log, err, http.StatusUnauthorized, "could not sign in")
		return
	}
	s.audit(r.Context(), u.Name, "login", "web, security key")
	// Back to the page that asked for the sign-in, kept on this site.
	web.WriteJSON(w, http.StatusOK, map[string]string{"next": web.LocalPath(r.URL.Query().Get("next"))})
}
