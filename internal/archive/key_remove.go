package archive

import (
	"errors"
	"net/http"

	"confide/internal/web"
)

// keyRemove removes one of the signed-in user's security keys, from a
// plain form: no script needed. The TOTP code stays, so removing the last
// key locks nobody out.
func (s *Server) keyRemove(w http.ResponseWriter, r *http.Request, u User) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !s.csrf.Valid(r, r.PostForm.Get(web.Field)) {
		s.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", nil), "/account")
		return
	}
	id := r.PathValue("id")
	err := s.a.RemoveSecurityKey(r.Context(), u.ID, id)
	if errors.Is(err, ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), u.Name, "remove security key", id)
	http.Redirect(w, r, "/account?removed=1", http.StatusSeeOther)
}
