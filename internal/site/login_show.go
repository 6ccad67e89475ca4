package site

import (
	"net/http"

	"confide/internal/web"
)

func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) {
	s.render.Render(w, http.StatusOK, "login", s.page(w, r, "site.login.title", s.currentReader(r), formData{Token: web.LocalPath(r.URL.Query().Get("next"))}))
}
