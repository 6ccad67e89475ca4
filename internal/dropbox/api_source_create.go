package dropbox

import (
	"confide/internal/api"
	"confide/internal/web"
	"errors"
	"net/http"

	"confide/internal/seal"
	"confide/internal/store"
)

func (s *Server) apiSourceCreate(w http.ResponseWriter, r *http.Request) {
	var req api.SourceRequest
	if !web.ReadJSON(w, r, 64<<10, &req) {
		return
	}
	if len(req.LoginKey) != 32 {
		s.apiFail(w, http.StatusBadRequest, "login_key must be 32 bytes, base64", nil)
		return
	}
	if _, err := seal.ParseRecipient(req.Recipient); err != nil {
		s.apiFail(w, http.StatusBadRequest, "recipient must be an age X25519 recipient (age1…)", nil)
		return
	}
	if !s.accepting(r.Context()) {
		s.apiFail(w, http.StatusServiceUnavailable, "this dropbox is not accepting submissions yet", nil)
		return
	}
	src, err := s.newSource(r.Context(), seal.LoginHash(req.LoginKey), req.Recipient)
	if errors.Is(err, store.ErrConflict) {
		s.apiFail(w, http.StatusConflict, "that codename is already registered: log in instead", nil)
		return
	}
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the dropbox could not register you; try again later", err)
		return
	}
	s.apiToken(w, http.StatusCreated, src.ID)
}
