package site

import (
	"net/http"

	"confide/internal/store"
)

func (s *Server) authorShow(w http.ResponseWriter, r *http.Request) {
	a, err := s.cfg.Store.AuthorBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.notFoundOr(w, r, err)
		return
	}
	stories, err := s.cfg.Store.Stories(r.Context(), store.StoryQuery{LiveAt: s.cfg.Now(), Author: a.Slug, Limit: 100})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render.Render(w, http.StatusOK, "list", s.page(w, r, "site.author.title", s.currentReader(r), listData{Heading: "site.author.title", Name: a.Name, Bio: a.Bio, Stories: stories}))
}
