package site

import (
	"embed"
	"log/slog"
	"net/http"

	"confide/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Config is what the public site needs.
type Config struct {
	Log  *slog.Logger
	Demo bool
	// Onion returns the dropbox's onion address, or "" while there is none.
	Onion func() string
}

// Server is the public site zone.
type Server struct {
	cfg    Config
	render *web.Renderer
}

// New parses the site's templates.
func New(cfg Config) (*Server, error) {
	rd, err := web.NewRenderer(cfg.Log, templates)
	if err != nil {
		return nil, err
	}
	if cfg.Onion == nil {
		cfg.Onion = func() string { return "" }
	}
	return &Server{cfg: cfg, render: rd}, nil
}

func (s *Server) page(w http.ResponseWriter, r *http.Request, title string, data any) *web.Page {
	return &web.Page{Lang: s.render.Cat.Negotiate(w, r), Zone: "site", Title: title, Demo: s.cfg.Demo, Path: r.URL.Path, Data: data}
}
