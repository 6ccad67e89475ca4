package newsroom

import (
	"net/http"

	"confide/internal/bundle"
	"confide/internal/store"
)

type storiesData struct {
	Me      store.Journalist
	Stories []store.Story
	// Uploads says whether the page offers to publish a bundle; Documents
	// are those published, Published the one just published, Refused why
	// the last bundle was refused.
	Uploads            bool
	Documents          []store.Document
	Published, Refused string
}

func (s *Server) storiesShow(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	published := r.URL.Query().Get("document")
	if !bundle.ValidSlug(published) {
		published = ""
	}
	s.storiesPage(w, r, j, http.StatusOK, "", published)
}

// storiesPage lists the stories and the published documents.
func (s *Server) storiesPage(w http.ResponseWriter, r *http.Request, j store.Journalist, status int, refused, published string) {
	sts, err := s.cfg.Store.Stories(r.Context(), store.StoryQuery{})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	d := storiesData{Me: j, Stories: sts, Uploads: s.cfg.Publish != nil, Refused: refused, Published: published}
	if d.Uploads {
		if d.Documents, err = s.cfg.Store.Documents(r.Context()); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	s.render.Render(w, status, "stories", s.page(w, r, "newsroom.stories.title", d))
}
