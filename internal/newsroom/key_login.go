package newsroom

import (
	"confide/internal/web"
	"net/http"
)

// keyLoginShow is the second step of a sign-in with a security key.
func (s *Server) keyLoginShow(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.current(r, kindKey); err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.render.Render(w, http.StatusOK, "key", s.page(w, r, "newsroom.key.title", nil))
}

func (s *Server) keyLoginOptions(w http.ResponseWriter, r *http.Request) {
	j, sess, err := s.current(r, kindKey)
	if err != nil {
		web.WriteJSON(w, http.StatusUnauthorized, map[string]string{"next": "/login"})
		return
	}
	opts, err := s.auth.BeginKeyLogin(r, account(j), sess)
	if err != nil {
		s.keyFail(w, err, http.StatusBadRequest, "could not start")
		return
	}
	web.WriteJSON(w, http.StatusOK, opts)
}

// keyLoginSubmit verifies the key's assertion and upgrades the half-way
// session to a full one. A failed assertion counts as a failed login.
func (s *Server) keyLoginSubmit(w http.ResponseWriter, r *http.Request) {
	j, sess, err := s.current(r, kindKey)
	if err != nil || !s.postChecked(w, r) {
		web.WriteJSON(w, http.StatusUnauthorized, map[string]string{"next": "/login"})
		return
	}
	if err := s.auth.FinishKeyLogin(w, r, account(j), sess); err != nil {
		s.keyFail(w, err, http.StatusUnauthorized, "could not sign in")
		return
	}
	s.audit(r.Context(), j, "login", "web, security key")
	web.WriteJSON(w, http.StatusOK, map[string]string{"next": "/"})
}
