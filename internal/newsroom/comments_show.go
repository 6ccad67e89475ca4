package newsroom

import (
	"errors"
	"html/template"
	"net/http"

	"confide/internal/store"
	"confide/internal/story"
)

type modComment struct {
	store.Comment
	HTML     template.HTML
	Headline string // the story's title: a moderator knows stories by it, not by slug
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
	headlines := map[string]string{}
	headline := func(slug string) (string, error) {
		if h, ok := headlines[slug]; ok {
			return h, nil
		}
		st, err := s.cfg.Store.StoryBySlug(r.Context(), slug)
		if errors.Is(err, store.ErrNotFound) {
			st.Title, err = slug, nil
		}
		headlines[slug] = st.Title
		return st.Title, err
	}
	for _, list := range []struct {
		from []store.Comment
		to   *[]modComment
	}{{pending, &d.Pending}, {reported, &d.Reported}} {
		for _, c := range list.from {
			h, err := headline(c.Story)
			if err != nil {
				s.internal(w, r, err)
				return
			}
			*list.to = append(*list.to, modComment{c, story.RenderComment(c.Body), h})
		}
	}
	s.render.Render(w, http.StatusOK, "comments", s.page(w, r, "newsroom.comments.title", d))
}
