package newsroom

import (
	"html/template"
	"net/http"

	"confide/internal/store"
	"confide/internal/story"
)

type modComment struct {
	store.Comment
	HTML template.HTML
}

type moderationData struct {
	Me       store.Journalist
	Pending  []modComment
	Reported []modComment
}

// commentsShow is the moderation queue: new readers' comments awaiting
// approval, and published ones that readers reported.
func (s *Server) commentsShow(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	pending, err := s.cfg.Store.CommentsByState(r.Context(), store.CommentPending)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	reported, err := s.cfg.Store.ReportedComments(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	d := moderationData{Me: j}
	for _, c := range pending {
		d.Pending = append(d.Pending, modComment{c, story.RenderComment(c.Body)})
	}
	for _, c := range reported {
		d.Reported = append(d.Reported, modComment{c, story.RenderComment(c.Body)})
	}
	s.render.Render(w, http.StatusOK, "comments", s.page(w, r, "newsroom.comments.title", d))
}
