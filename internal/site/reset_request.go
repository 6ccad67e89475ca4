package site

import (
	"errors"
	"net/http"
	"strings"

	"confide/internal/store"
)

// resetRequest mails a reset link if the address is registered, and says
// the same thing either way. An unknown address gets one mail too (that no
// account uses it), so the work, and the time it takes, are the same.
func (s *Server) resetRequest(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	if !s.allowed(s.limits.resetAccount, s.limits.reset, email) {
		s.refused(w, r, "reset", "site.reset.title", formData{Email: email}, nil)
		return
	}
	lang := s.render.Cat.Preferred(r)
	rd, err := s.cfg.Store.ReaderByEmail(r.Context(), email)
	switch {
	case err == nil:
		var tok string
		if tok, err = s.issue(r.Context(), rd.ID, tokenReset, resetTTL); err == nil {
			body := s.render.Cat.T(lang, "site.mail.reset.body", rd.Name) + "\n\n" + s.baseURL(r) + "/reset/confirm?token=" + tok + "\n"
			err = s.cfg.Mail.Send(rd.Email, s.render.Cat.T(lang, "site.mail.reset.subject"), body)
		}
	case errors.Is(err, store.ErrNotFound) && validEmail(email):
		body := s.render.Cat.T(lang, "site.mail.noaccount.body") + "\n\n" + s.baseURL(r) + "/register\n"
		err = s.cfg.Mail.Send(email, s.render.Cat.T(lang, "site.mail.noaccount.subject"), body)
	case errors.Is(err, store.ErrNotFound):
		err = nil // not an address: nobody to write to
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render.Render(w, http.StatusOK, "message", s.page(w, r, "site.reset.title", nil, formData{Done: "site.reset.sent", Outbox: s.demoOutbox()}))
}
