package newsroom

import (
	"net/http"

	"confide/internal/store"
)

// storyState publishes or unpublishes a story, or closes or opens its
// comments.
func (s *Server) storyState(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	st, err := s.cfg.Store.StoryBySlug(r.Context(), r.PathValue("slug"))
	if !s.found(w, r, err) {
		return
	}
	op := r.PostForm.Get("op")
	switch op {
	case "publish":
		err = s.cfg.Store.SetStoryState(r.Context(), st.ID, store.StoryPublished)
	case "unpublish":
		err = s.cfg.Store.SetStoryState(r.Context(), st.ID, store.StoryDraft)
	case "close", "open":
		err = s.cfg.Store.SetCommentsClosed(r.Context(), st.ID, op == "close")
	default:
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), j, "story "+op, st.Slug)
	http.Redirect(w, r, "/stories", http.StatusSeeOther)
}
