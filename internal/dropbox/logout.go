package dropbox

import "net/http"

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.checkedForm(w, r); err != nil {
		s.fail(w, r, err, "/inbox")
		return
	}
	if ck, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.destroy(ck.Value)
	}
	s.clearSession(w)
	s.csrf.Rotate(w)
	s.render.Render(w, http.StatusOK, "loggedout", s.page(w, r, "dropbox.loggedout.title", nil))
}
