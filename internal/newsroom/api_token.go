package newsroom

import (
	"confide/internal/api"
	"confide/internal/auth"
	"confide/internal/seal"
	"confide/internal/web"
	"errors"
	"net/http"

	"confide/internal/store"
)

// apiToken exchanges a passphrase and a TOTP code for a short-lived token;
// the first valid code also confirms the second factor's setup.
func (s *Server) apiToken(w http.ResponseWriter, r *http.Request) {
	var req api.TokenRequest
	if !web.ReadJSON(w, r, 16<<10, &req) {
		return
	}
	a, _, err := s.auth.Authenticate(r, req.Name, req.Passphrase, req.Code, false)
	switch {
	case errors.Is(err, auth.ErrLoginFailed):
		s.apiFail(w, http.StatusUnauthorized, "the name, passphrase or code is wrong (a code works once)", nil)
		return
	case errors.Is(err, auth.ErrLocked), errors.Is(err, auth.ErrThrottled):
		web.RetryLater(w)
		s.apiFail(w, http.StatusTooManyRequests, "too many attempts: wait and try again", nil)
		return
	case errors.Is(err, seal.ErrBusy):
		web.RetryLater(w)
		s.apiFail(w, http.StatusServiceUnavailable, "the newsroom is busy: try again in a minute", nil)
		return
	case err != nil:
		s.apiFail(w, http.StatusInternalServerError, "the newsroom could not log you in", err)
		return
	}
	j := store.Journalist{ID: a.ID, Name: a.Name}
	if !a.TOTPConfirmed {
		// A code that Authenticate accepted proves the authenticator works,
		// which is all the web page's setup step confirms.
		if err := s.cfg.Store.ConfirmTOTP(r.Context(), j.ID); err != nil {
			s.apiFail(w, http.StatusInternalServerError, "the newsroom could not log you in", err)
			return
		}
		s.audit(r.Context(), j, "second factor confirmed", "api")
	}
	exp := s.cfg.Now().Add(s.cfg.TokenTTL)
	tok, err := s.auth.NewSession(r.Context(), j.ID, kindAPI, exp)
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the newsroom could not log you in", err)
		return
	}
	s.audit(r.Context(), j, "login", "api")
	web.WriteJSON(w, http.StatusOK, api.TokenResponse{Token: tok, Expires: exp})
}
