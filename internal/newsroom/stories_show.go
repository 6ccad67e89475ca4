package newsroom

import (
	"net/http"

	"confide/internal/store"
)

type storiesData struct {
	Me      store.Journalist
	Stories []store.Story
}

func (s *Server) storiesShow(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	sts, err := s.cfg.Store.Stories(r.Context(), store.StoryQuery{})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render.Render(w, http.StatusOK, "stories", s.page(w, r, "newsroom.stories.title", storiesData{Me: j, Stories: sts}))
}
