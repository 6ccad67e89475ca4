package archive

import (
	"net/http"

	"confide/internal/auth"
	"confide/internal/web"
)

// logout deletes the session on the server, not just the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !s.csrf.Valid(r, r.PostForm.Get(web.Field)) {
		s.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", nil), "/")
		return
	}
	if u, _, err := s.current(r, auth.KindFull); err == nil {
		s.audit(r.Context(), u.Name, "logout", "")
	}
	s.auth.End(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
