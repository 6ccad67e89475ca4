package site

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"confide/internal/seal"
	"confide/internal/store"
)

// registerSubmit creates an unverified reader and mails the link. An email
// already registered gets the same answer, so the form tells nobody who
// reads the site.
func (s *Server) registerSubmit(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	name := strings.TrimSpace(r.PostForm.Get("name"))
	pass := r.PostForm.Get("passphrase")
	d := formData{Email: email, Name: name}
	bad := func(msg string) {
		d.Failed = msg
		s.render.Render(w, http.StatusBadRequest, "register", s.page(w, r, "site.register.title", nil, d))
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		bad("site.register.bademail")
		return
	}
	if name == "" || utf8.RuneCountInString(name) > 60 {
		bad("site.register.badname")
		return
	}
	if utf8.RuneCountInString(pass) < 12 || len(pass) > 1024 {
		bad("site.register.shortpass")
		return
	}
	rd := store.Reader{ID: store.NewID(), Email: email, Name: name, PassHash: seal.HashPassphrase(pass, s.cfg.Params)}
	err := s.cfg.Store.CreateReader(r.Context(), rd)
	switch {
	case errors.Is(err, store.ErrConflict):
		// Same answer as a new address.
	case err != nil:
		s.internal(w, r, err)
		return
	default:
		if err := s.sendVerification(r, rd); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	s.render.Render(w, http.StatusOK, "message", s.page(w, r, "site.register.title", nil, formData{Done: "site.register.sent"}))
}
