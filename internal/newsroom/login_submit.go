package newsroom

import (
	"net/http"

	"confide/internal/auth"
	"confide/internal/store"
	"confide/internal/web"
)

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !s.csrf.Valid(r, r.PostForm.Get(web.Field)) {
		s.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", nil), "/login")
		return
	}
	next := web.LocalPath(r.PostForm.Get("next"))
	a, pending, err := s.auth.Authenticate(r, r.PostForm.Get("name"), r.PostForm.Get("passphrase"), r.PostForm.Get("code"), true)
	if err != nil {
		status, msg, until, ok := auth.Refusal(w, err, s.cfg.Now(), "newsroom.login.")
		if !ok {
			s.internal(w, r, err)
			return
		}
		s.render.Render(w, status, "login", s.page(w, r, "newsroom.login.title", loginData{Failed: msg, Until: until, Next: next, Name: r.PostForm.Get("name")}))
		return
	}
	kind := kindWeb
	switch pending {
	case kindSetup:
		kind, next = kindSetup, "/setup"
	case kindKey:
		kind, next = kindKey, "/login/key"
	}
	if err := s.auth.StartSession(w, r, a.ID, kind); err != nil {
		s.internal(w, r, err)
		return
	}
	if pending == "" {
		s.audit(r.Context(), store.Journalist{ID: a.ID, Name: a.Name}, "login", "web")
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
