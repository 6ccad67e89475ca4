package archive

import (
	"net/http"

	"confide/internal/auth"
	"confide/internal/web"
)

// setupSubmit confirms the second factor with a first code and upgrades
// the setup session to a full one.
func (s *Server) setupSubmit(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	sess, err := s.auth.Current(r, auth.KindSetup)
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !s.csrf.Valid(r, r.PostForm.Get(web.Field)) {
		s.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", nil), "/setup")
		return
	}
	acc, err := s.account(r, sess)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	ok, err := s.auth.ConfirmSetup(w, r, acc, sess, r.PostForm.Get("code"))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !ok {
		s.renderSetup(w, r, sess, "newsroom.setup.failed", http.StatusUnauthorized)
		return
	}
	s.audit(r.Context(), acc.Name, "second factor set up", "")
	s.audit(r.Context(), acc.Name, "login", "web, first sign-in")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
