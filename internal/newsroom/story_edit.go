package newsroom

import (
	"html/template"
	"net/http"

	"confide/internal/store"
	"confide/internal/story"
)

type editorData struct {
	Me      store.Journalist
	Fields  story.Fields
	Preview template.HTML
	Story   *store.Story
	Failed  string
	Saved   bool
}

// storyEdit shows the editor, empty or filled with a story.
func (s *Server) storyEdit(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	d := editorData{Me: j, Fields: story.Fields{State: store.StoryDraft}, Saved: r.URL.Query().Has("saved")}
	if slug := r.PathValue("slug"); slug != "" {
		st, err := s.cfg.Store.StoryBySlug(r.Context(), slug)
		if !s.found(w, r, err) {
			return
		}
		d.Fields, d.Story = story.ToFields(st), &st
	}
	s.render.Render(w, http.StatusOK, "editor", s.page(w, r, "newsroom.editor.title", d))
}
