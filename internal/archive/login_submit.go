package archive

import (
	"net/http"
	"net/url"

	"confide/internal/auth"
	"confide/internal/web"
)

// loginSubmit checks the passphrase and code through the shared auth; a
// first sign-in goes on to set up the code (the QR page), and a user with a
// security key who leaves the code empty goes on to the key step.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !s.csrf.Valid(r, r.PostForm.Get(web.Field)) {
		s.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", nil), "/login")
		return
	}
	next := web.LocalPath(r.PostForm.Get("next"))
	a, pending, err := s.auth.Authenticate(r, r.PostForm.Get("name"), r.PostForm.Get("passphrase"), r.PostForm.Get("code"), true)
	if err != nil {
		status, msg, until, ok := auth.Refusal(w, err, s.cfg.Now(), "archive.login.")
		if !ok {
			s.internal(w, r, err)
			return
		}
		s.render.Render(w, status, "login", s.page(w, r, "archive.login.title", loginData{Failed: msg, Until: until, Next: next, Name: r.PostForm.Get("name")}))
		return
	}
	kind := auth.KindFull
	switch pending {
	case auth.KindSetup:
		kind, next = auth.KindSetup, "/setup"
	case auth.KindKey:
		// The code was left empty and the user has a key: its step, where
		// a link leads back to the code for a browser without script.
		kind, next = auth.KindKey, "/login/key?next="+url.QueryEscape(next)
	}
	if err := s.auth.StartSession(w, r, a.ID, kind); err != nil {
		s.internal(w, r, err)
		return
	}
	if pending == "" {
		s.audit(r.Context(), a.Name, "login", "web")
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
