package archive

import (
	"net/http"

	"confide/internal/auth"
	"confide/internal/web"
)

// keyOptions starts registering a security key: the challenge waits in the
// signed-in session.
func (s *Server) keyOptions(w http.ResponseWriter, r *http.Request, u User) {
	acc, err := s.accountOf(r, u)
	if err != nil {
		auth.KeyFail(w, s.log, err, http.StatusBadRequest, "could not start")
		return
	}
	opts, err := s.auth.BeginKeyRegistration(r, acc)
	if err != nil {
		auth.KeyFail(w, s.log, err, http.StatusBadRequest, "could not start")
		return
	}
	web.WriteJSON(w, http.StatusOK, opts)
}

// keyRegister finishes registering a security key.
func (s *Server) keyRegister(w http.ResponseWriter, r *http.Request, u User) {
	if !s.csrf.ValidPost(w, r, maxKeyAnswer) {
		web.WriteJSON(w, http.StatusForbidden, map[string]string{"error": "the page expired: reload it"})
		return
	}
	acc, err := s.accountOf(r, u)
	if err == nil {
		err = s.auth.FinishKeyRegistration(r, acc)
	}
	if err != nil {
		auth.KeyFail(w, s.log, err, http.StatusBadRequest, "could not register")
		return
	}
	s.audit(r.Context(), u.Name, "add security key", "")
	web.WriteJSON(w, http.StatusCreated, map[string]string{"next": "/account?added=1"})
}

// maxKeyAnswer bounds a key's answer, a few hundred bytes of JSON.
const maxKeyAnswer = 64 << 10

// accountOf is a signed-in user's account as auth sees it.
func (s *Server) accountOf(r *http.Request, u User) (auth.Account, error) {
	return s.a.Accounts().AccountByName(r.Context(), u.Name)
}
