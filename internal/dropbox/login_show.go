package dropbox

import "net/http"

type loginData struct{ Failed string }

func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) {
	s.render.Render(w, http.StatusOK, "login", s.page(w, r, "dropbox.login.title", loginData{}))
}
