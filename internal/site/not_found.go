package site

import (
	"net/http"

	"confide/internal/web"
)

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, web.Fail(http.StatusNotFound, "error.notfound", nil), "/")
}
