package site

import (
	"net/http"

	"confide/internal/store"
)

type listData struct {
	Heading string // catalogue key, or a name
	Name    string
	Bio     string
	Stories []store.Story
}

func (s *Server) homeShow(w http.ResponseWriter, r *http.Request) {
	stories, err := s.cfg.Store.Stories(r.Context(), store.StoryQuery{LiveAt: s.cfg.Now(), Limit: 20})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render.Render(w, http.StatusOK, "home", s.page(w, r, "site.home.title", s.currentReader(r), listData{Stories: stories}))
}
