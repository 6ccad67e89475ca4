package site

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"confide/internal/store"
)

// registerSubmit creates an unverified reader and mails the link. An email
// already registered gets the same answer and the same work (one Argon2id
// hash, one mail: a note to the owner that they have an account), so
// neither the page nor its timing tells anybody who reads the site.
func (s *Server) registerSubmit(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	name := strings.TrimSpace(r.PostForm.Get("name"))
	pass := r.PostForm.Get("passphrase")
	d := formData{Email: email, Name: name}
	bad := func(msg string) {
		d.Failed = msg
		s.render.Render(w, http.StatusBadRequest, "register", s.page(w, r, "site.register.title", nil, d))
	}
	if !validEmail(email) {
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
	if !s.allowed(s.limits.registerAccount, s.limits.register, email) {
		s.refused(w, r, "register", "site.register.title", d, nil)
		return
	}
	hash, err := s.hashPass(r.Context(), pass)
	if err != nil {
		s.refused(w, r, "register", "site.register.title", d, err)
		return
	}
	rd := store.Reader{ID: store.NewID(), Email: email, Name: name, PassHash: hash}
	err = s.cfg.Store.CreateReader(r.Context(), rd)
	switch {
	case errors.Is(err, store.ErrConflict):
		err = s.mailExisting(r, email)
	case err == nil:
		err = s.sendVerification(r, rd)
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render.Render(w, http.StatusOK, "message", s.page(w, r, "site.register.title", nil, formData{Done: "site.register.sent", Outbox: s.demoOutbox()}))
}

// mailExisting tells the owner of a taken address that they already have
// an account, with the way back in.
func (s *Server) mailExisting(r *http.Request, email string) error {
	rd, err := s.cfg.Store.ReaderByEmail(r.Context(), email)
	if err != nil {
		return err
	}
	lang := s.render.Cat.Preferred(r)
	body := s.render.Cat.T(lang, "site.mail.exists.body", rd.Name) + "\n\n" + s.baseURL(r) + "/reset\n"
	return s.cfg.Mail.Send(rd.Email, s.render.Cat.T(lang, "site.mail.exists.subject"), body)
}

// validEmail is an address the site would write to: one plain address,
// nothing a mail header could be bent with.
func validEmail(email string) bool {
	a, err := mail.ParseAddress(email)
	return err == nil && a.Address == email && len(email) <= 254
}
