package site

import (
	"net/http"
	"strings"
)

// resetRequest mails a reset link if the address is registered, and says
// the same thing either way.
func (s *Server) resetRequest(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	if rd, err := s.cfg.Store.ReaderByEmail(r.Context(), email); err == nil {
		tok, err := s.issue(r.Context(), rd.ID, tokenReset, resetTTL)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		lang := s.render.Cat.Preferred(r)
		body := s.render.Cat.T(lang, "site.mail.reset.body", rd.Name) + "\n\n" + s.baseURL(r) + "/reset/confirm?token=" + tok + "\n"
		if err := s.cfg.Mail.Send(rd.Email, s.render.Cat.T(lang, "site.mail.reset.subject"), body); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	s.render.Render(w, http.StatusOK, "message", s.page(w, r, "site.reset.title", nil, formData{Done: "site.reset.sent"}))
}
