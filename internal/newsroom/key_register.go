package newsroom

import (
	"confide/internal/web"
	"encoding/json"
	"net/http"

	"confide/internal/store"

	"github.com/go-webauthn/webauthn/webauthn"
)

// keyOptions starts registering a security key: the challenge waits in the
// signed-in session.
func (s *Server) keyOptions(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	rp, u, ok := s.ceremony(w, r, j)
	if !ok {
		return
	}
	opts, data, err := rp.BeginRegistration(u, webauthn.WithExclusions(webauthn.Credentials(u.creds).CredentialDescriptors()))
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "could not start", err)
		return
	}
	b, _ := json.Marshal(data)
	if err := s.cfg.Store.SetSessionData(r.Context(), sessionHash(r), string(b)); err != nil {
		s.apiFail(w, http.StatusInternalServerError, "could not start", err)
		return
	}
	web.WriteJSON(w, http.StatusOK, opts)
}

// keyRegister finishes registering a security key.
func (s *Server) keyRegister(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	rp, u, ok := s.ceremony(w, r, j)
	if !ok {
		return
	}
	sess, err := s.cfg.Store.SessionByHash(r.Context(), sessionHash(r))
	var data webauthn.SessionData
	if err != nil || json.Unmarshal([]byte(sess.Data), &data) != nil {
		web.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "start again"})
		return
	}
	s.cfg.Store.SetSessionData(r.Context(), sess.TokenHash, "")
	cred, err := rp.FinishRegistration(u, data, r)
	if err != nil {
		web.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "the security key's answer did not verify"})
		return
	}
	b, _ := json.Marshal(cred)
	if err := s.cfg.Store.AddSecurityKey(r.Context(), j.ID, credentialID(cred), string(b)); err != nil {
		s.apiFail(w, http.StatusInternalServerError, "could not register", err)
		return
	}
	s.audit(r.Context(), j, "add security key", "")
	web.WriteJSON(w, http.StatusCreated, map[string]string{"next": "/account?added=1"})
}
