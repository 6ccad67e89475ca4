package site

import (
	"net/http"
	"unicode/utf8"

	"confide/internal/web"
)

// resetConfirm sets a new passphrase from a reset link, ends every other
// session, and signs in. Receiving the mail also proves the address.
func (s *Server) resetConfirm(w http.ResponseWriter, r *http.Request) {
	tok := r.PostForm.Get("token")
	id, err := s.cfg.Store.ReaderToken(r.Context(), web.TokenHash(tok), tokenReset, s.cfg.Now())
	if err != nil {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "site.verify.bad", nil), "/reset")
		return
	}
	pass := r.PostForm.Get("passphrase")
	if utf8.RuneCountInString(pass) < 12 || len(pass) > 1024 {
		s.render.Render(w, http.StatusBadRequest, "reset_confirm", s.page(w, r, "site.reset.title", nil, formData{Token: tok, Failed: "site.register.shortpass"}))
		return
	}
	rd, err := s.cfg.Store.ReaderByID(r.Context(), id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	hash, err := s.hashPass(r.Context(), pass)
	if err != nil {
		s.refused(w, r, "reset_confirm", "site.reset.title", formData{Token: tok}, err)
		return
	}
	rd.PassHash, rd.Verified, rd.Failures, rd.LockedUntil = hash, true, 0, 0
	if err := s.cfg.Store.UpdateReader(r.Context(), rd); err != nil {
		s.internal(w, r, err)
		return
	}
	s.cfg.Store.DeleteReaderTokens(r.Context(), rd.ID, "")
	if err := s.startSession(w, r, rd); err != nil {
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
