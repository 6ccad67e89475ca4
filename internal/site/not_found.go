package site

import (
	"net/http"

	"confide/internal/web"
)

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.render.Error(w, s.page(w, r, "error.title", nil), web.Fail(http.StatusNotFound, "error.notfound", nil), "/")
}
