package dropbox

import "net/http"

type loginData struct {
	Failed string
	// Kept is a submission that arrived after the session ended: given
	// back to copy, since without a session it cannot be sent or held.
	Kept *keptForm
}

func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) {
	s.render.Render(w, http.StatusOK, "login", s.page(w, r, "dropbox.login.title", loginData{}))
}
