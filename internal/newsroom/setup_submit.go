package newsroom

import (
	"net/http"

	"confide/internal/web"
)

// setupSubmit confirms the second factor with a first code, then upgrades
// the setup session to a full one.
func (s *Server) setupSubmit(w http.ResponseWriter, r *http.Request) {
	j, sess, err := s.current(r, kindSetup)
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !s.csrf.Valid(r, r.PostForm.Get(web.Field)) {
		s.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", nil), "/setup")
		return
	}
	ok, err := s.auth.ConfirmSetup(w, r, account(j), sess, r.PostForm.Get("code"))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !ok {
		s.renderSetup(w, r, j, "newsroom.setup.failed", http.StatusUnauthorized)
		return
	}
	s.audit(r.Context(), j, "second factor set up", "")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
