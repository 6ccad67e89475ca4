package newsroom

import (
	"errors"
	"net/http"
	"strings"

	"confide/internal/store"
	"confide/internal/web"
)

func (s *Server) journalistCreate(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	recipient := strings.TrimSpace(r.PostForm.Get("recipient"))
	if name == "" || len(name) > 64 || strings.ContainsAny(name, " \t\r\n/") {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "newsroom.admin.badname", nil), "/admin")
		return
	}
	if strings.HasPrefix(strings.ToUpper(recipient), "AGE-SECRET-KEY-") {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "newsroom.admin.privatekey", nil), "/admin")
		return
	}
	creds, err := CreateJournalist(r.Context(), s.cfg.Store, s.cfg.Issuer, name, recipient, r.PostForm.Get("admin") == "on", s.cfg.Params)
	switch {
	case errors.Is(err, store.ErrConflict):
		s.fail(w, r, web.Fail(http.StatusConflict, "newsroom.admin.exists", nil), "/admin")
		return
	case err != nil && strings.HasPrefix(err.Error(), "seal:"):
		s.fail(w, r, web.Fail(http.StatusBadRequest, "newsroom.admin.badrecipient", nil), "/admin")
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), j, "add journalist", name)
	s.showCredentials(w, r, name, creds.Passphrase, creds.TOTPURI)
}
