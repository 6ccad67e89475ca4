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
	// Notice is a catalogue key said above the list (the verify landing).
	Notice string
}

func (s *Server) homeShow(w http.ResponseWriter, r *http.Request) {
	stories, err := s.cfg.Store.Stories(r.Context(), store.StoryQuery{LiveAt: s.cfg.Now(), Limit: 20})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	reader := s.currentReader(r)
	d := listData{Stories: stories}
	// Only a signed-in reader is told so: the query alone proves nothing.
	if reader != nil && r.URL.Query().Get("verified") == "1" {
		d.Notice = "site.verify.done"
	}
	s.render.Render(w, http.StatusOK, "home", s.page(w, r, "site.home.title", reader, d))
}
