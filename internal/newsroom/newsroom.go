package newsroom

import (
	"embed"
	"log/slog"
	"net/http"

	"confide/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Config is what the newsroom needs.
type Config struct {
	Log  *slog.Logger
	Demo bool
}

// Server is the newsroom zone.
type Server struct {
	cfg    Config
	render *web.Renderer
}

// New parses the newsroom's templates.
func New(cfg Config) (*Server, error) {
	rd, err := web.NewRenderer(cfg.Log, templates)
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, render: rd}, nil
}

// Handler returns every route of the newsroom.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/style.css", web.Style)
	mux.HandleFunc("GET /{$}", s.homeShow)
	return web.SecurityHeaders(web.Recover(s.cfg.Log, mux))
}

func (s *Server) homeShow(w http.ResponseWriter, r *http.Request) {
	p := &web.Page{Lang: s.render.Cat.Negotiate(w, r), Zone: "newsroom", Title: "newsroom.home.title", Demo: s.cfg.Demo, Path: r.URL.Path}
	s.render.Render(w, http.StatusOK, "home", p)
}
