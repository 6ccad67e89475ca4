package newsroom

import (
	"net/http"

	"confide/internal/web"
)

type loginData struct {
	Failed string
	// Until is when a lock ends, for the "locked" message.
	Until string
	Next  string
	// Name is the name typed before a failed attempt, kept so only the
	// secrets need typing again.
	Name string
}

func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) {
	s.render.Render(w, http.StatusOK, "login", s.page(w, r, "newsroom.login.title", loginData{Next: web.LocalPath(r.URL.Query().Get("next"))}))
}
