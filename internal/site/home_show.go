package site

import "net/http"

func (s *Server) homeShow(w http.ResponseWriter, r *http.Request) {
	s.render.Render(w, http.StatusOK, "home", s.page(w, r, "site.home.title", nil))
}
