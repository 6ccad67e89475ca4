package newsroom

import (
	"errors"
	"net/http"

	"confide/internal/auth"
	"confide/internal/web"
)

// keyFail answers a failed security-key ceremony: status and the sentence
// for a key that did not verify, failed for anything the store broke.
func (s *Server) keyFail(w http.ResponseWriter, err error, status int, failed string) {
	switch {
	case errors.Is(err, auth.ErrHost):
		web.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "security keys need the newsroom's own host name"})
	case errors.Is(err, auth.ErrKeys):
		s.apiFail(w, http.StatusInternalServerError, "could not read your security keys", err)
	case errors.Is(err, auth.ErrStartAgain):
		web.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "start again"})
	case errors.Is(err, auth.ErrNotVerified):
		if err != auth.ErrNotVerified {
			s.cfg.Log.Error("newsroom: count a failed login", "err", err)
		}
		web.WriteJSON(w, status, map[string]string{"error": "the security key's answer did not verify"})
	default:
		s.apiFail(w, http.StatusInternalServerError, failed, err)
	}
}
