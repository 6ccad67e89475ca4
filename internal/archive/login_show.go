package archive

import (
	"net/http"

	"confide/internal/web"
)

type loginData struct {
	Failed string // catalogue key
	Until  string // when a lock ends
	Next   string
	Name   string // kept after a failure, so only the secrets need typing again
}

func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.render.Render(w, http.StatusOK, "login", s.page(w, r, "archive.login.title", loginData{Next: web.LocalPath(r.URL.Query().Get("next"))}))
}
