package site

import (
	"net/http"

	"confide/internal/store"
	"confide/internal/web"
)

func (s *Server) tagShow(w http.ResponseWriter, r *http.Request) {
	tag := r.PathValue("tag")
	stories, err := s.cfg.Store.Stories(r.Context(), store.StoryQuery{LiveAt: s.cfg.Now(), Tag: tag, Limit: 100})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if len(stories) == 0 {
		s.fail(w, r, web.Fail(http.StatusNotFound, "error.notfound", nil), "/")
		return
	}
	s.render.Render(w, http.StatusOK, "list", s.page(w, r, "site.tag.title", s.currentReader(r), listData{Heading: "site.tag.title", Name: tag, Stories: stories}))
}
