package site

import (
	"net/http"

	"confide/internal/web"
)

// Handler returns every route of the public site.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/style.css", web.Style)
	mux.HandleFunc("GET /{$}", s.homeShow)
	mux.HandleFunc("GET /dropbox", s.dropboxShow)
	mux.HandleFunc("/", s.notFound)
	return web.SecurityHeaders(web.Recover(s.cfg.Log, mux))
}
