package dropbox

import (
	"confide/internal/api"
	"confide/internal/web"
	"errors"
	"net/http"

	"confide/internal/seal"
	"confide/internal/store"
)

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) {
	var req api.LoginRequest
	if !web.ReadJSON(w, r, 64<<10, &req) {
		return
	}
	if len(req.LoginKey) != 32 {
		s.apiFail(w, http.StatusBadRequest, "login_key must be 32 bytes, base64", nil)
		return
	}
	src, err := s.cfg.Store.SourceByLogin(r.Context(), seal.LoginHash(req.LoginKey))
	if errors.Is(err, store.ErrNotFound) {
		s.apiFail(w, http.StatusUnauthorized, "that codename was not recognised", nil)
		return
	}
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the dropbox could not log you in; try again later", err)
		return
	}
	if err := s.cfg.Store.TouchSource(r.Context(), src.ID); err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the dropbox could not log you in; try again later", err)
		return
	}
	s.apiToken(w, http.StatusOK, src.ID)
}

func (s *Server) apiToken(w http.ResponseWriter, status int, sourceID string) {
	tok, err := s.sessions.create(sourceID, nil)
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the dropbox could not start a session; try again later", err)
		return
	}
	web.WriteJSON(w, status, api.SourceToken{Token: tok})
}
