package archive

import (
	"log/slog"
	"net/http"

	"confide/internal/web"
)

// Server is the archive's web zone. For now it serves one page, the
// ingest status as plain text, without sign-in, which is why `confide
// archive serve` listens on loopback unless told otherwise; the sign-in
// (shared with the newsroom), search and document pages come next.
type Server struct {
	a   *Archive
	log *slog.Logger
}

// NewServer returns the web zone of an open archive.
func NewServer(a *Archive, log *slog.Logger) *Server { return &Server{a: a, log: log} }

// Handler is the zone's routes, behind the shared security headers.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.statusShow)
	return web.Recover(s.log, web.SecurityHeaders(mux))
}
