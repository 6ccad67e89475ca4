package newsroom

import (
	"confide/internal/web"
	"net/http"

	"confide/internal/store"
)

// keyOptions starts registering a security key: the challenge waits in the
// signed-in session.
func (s *Server) keyOptions(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	opts, err := s.auth.BeginKeyRegistration(r, account(j))
	if err != nil {
		s.keyFail(w, err, http.StatusBadRequest, "could not start")
		return
	}
	web.WriteJSON(w, http.StatusOK, opts)
}

// keyRegister finishes registering a security key.
func (s *Server) keyRegister(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	if err := s.auth.FinishKeyRegistration(r, account(j)); err != nil {
		s.keyFail(w, err, http.StatusBadRequest, "could not register")
		return
	}
	s.audit(r.Context(), j, "add security key", "")
	web.WriteJSON(w, http.StatusCreated, map[string]string{"next": "/account?added=1"})
}
