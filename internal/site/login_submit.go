package site

import (
	"confide/internal/web"
	"errors"
	"net/http"
	"strings"

	"confide/internal/store"
)

// loginSubmit signs a reader in. Failures are counted per account (with a
// lock-out) and across all accounts (a token bucket).
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	next := web.LocalPath(r.PostForm.Get("next"))
	d := formData{Email: email, Token: next}
	failed := func(status int, msg string) {
		d.Failed = msg
		s.render.Render(w, status, "login", s.page(w, r, "site.login.title", nil, d))
	}
	now := s.cfg.Now()
	if !s.allowed(s.limits.loginAccount, s.throttle, email) {
		web.RetryLater(w)
		failed(http.StatusTooManyRequests, "site.login.throttled")
		return
	}
	rd, err := s.cfg.Store.ReaderByEmail(r.Context(), email)
	if errors.Is(err, store.ErrNotFound) {
		// An unknown address costs what a known one does: one check.
		if _, err := s.checkPass(r.Context(), r.PostForm.Get("passphrase"), ""); err != nil {
			s.refused(w, r, "login", "site.login.title", d, err)
			return
		}
		failed(http.StatusUnauthorized, "site.login.failed")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if rd.LockedUntil > now.Unix() {
		failed(http.StatusTooManyRequests, "site.login.locked")
		return
	}
	ok, err := s.checkPass(r.Context(), r.PostForm.Get("passphrase"), rd.PassHash)
	if err != nil {
		s.refused(w, r, "login", "site.login.title", d, err)
		return
	}
	if !ok {
		rd.Failures++
		if d := web.Lockout(rd.Failures); d > 0 {
			rd.LockedUntil = now.Add(d).Unix()
		}
		s.cfg.Store.UpdateReader(r.Context(), rd)
		failed(http.StatusUnauthorized, "site.login.failed")
		return
	}
	if !rd.Verified {
		if err := s.sendVerification(r, rd); err != nil {
			s.internal(w, r, err)
			return
		}
		failed(http.StatusForbidden, "site.login.unverified")
		return
	}
	rd.Failures, rd.LockedUntil = 0, 0
	s.cfg.Store.UpdateReader(r.Context(), rd)
	if err := s.startSession(w, r, rd); err != nil {
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
