package newsroom

import (
	"confide/internal/web"
	"encoding/json"
	"net/http"

	"github.com/go-webauthn/webauthn/webauthn"
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
	rp, u, ok := s.ceremony(w, r, j)
	if !ok {
		return
	}
	opts, data, err := rp.BeginLogin(u)
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "could not start", err)
		return
	}
	b, _ := json.Marshal(data)
	if err := s.cfg.Store.SetSessionData(r.Context(), sess.TokenHash, string(b)); err != nil {
		s.apiFail(w, http.StatusInternalServerError, "could not start", err)
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
	var data webauthn.SessionData
	if json.Unmarshal([]byte(sess.Data), &data) != nil {
		web.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "start again"})
		return
	}
	s.cfg.Store.SetSessionData(r.Context(), sess.TokenHash, "")
	rp, u, ok := s.ceremony(w, r, j)
	if !ok {
		return
	}
	cred, err := rp.FinishLogin(u, data, r)
	if err != nil {
		if _, err := s.loginFailed(r.Context(), j, s.cfg.Now()); err != nil {
			s.cfg.Log.Error("newsroom: count a failed login", "err", err)
		}
		s.audit(r.Context(), j, "login failed", "security key")
		web.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "the security key's answer did not verify"})
		return
	}
	b, _ := json.Marshal(cred)
	s.cfg.Store.UpdateSecurityKey(r.Context(), credentialID(cred), string(b))
	s.cfg.Store.LoginSucceeded(r.Context(), j.ID)
	s.cfg.Store.DeleteSession(r.Context(), sess.TokenHash)
	if err := s.startSession(w, r, j, kindWeb); err != nil {
		s.apiFail(w, http.StatusInternalServerError, "could not sign in", err)
		return
	}
	s.audit(r.Context(), j, "login", "web, security key")
	web.WriteJSON(w, http.StatusOK, map[string]string{"next": "/"})
}
