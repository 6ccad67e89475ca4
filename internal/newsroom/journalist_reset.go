package newsroom

import (
	"net/http"

	"confide/internal/store"
	"confide/internal/web"
)

// journalistReset gives a journalist a new passphrase or a new second
// factor, shown once, and ends their sessions.
func (s *Server) journalistReset(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	t, ok := s.loadJournalist(w, r)
	if !ok {
		return
	}
	switch r.PostForm.Get("what") {
	case "passphrase":
		pass, err := ResetPassphrase(r.Context(), s.cfg.Store, t.ID, s.cfg.Params)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		s.audit(r.Context(), j, "reset passphrase", t.Name)
		s.showCredentials(w, r, t.Name, pass, "")
	case "2fa":
		uri, err := ResetTOTP(r.Context(), s.cfg.Store, s.cfg.Issuer, t)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		s.audit(r.Context(), j, "reset second factor", t.Name)
		s.showCredentials(w, r, t.Name, "", uri)
	default:
		s.fail(w, r, web.Fail(http.StatusBadRequest, "error.method", nil), "/admin")
	}
}
