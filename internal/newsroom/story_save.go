package newsroom

import (
	"errors"
	"net/http"
	"strings"

	"confide/internal/store"
	"confide/internal/story"
)

// storySave previews, saves as draft, or publishes what the editor holds.
// Saving a slug that exists updates that story in place.
func (s *Server) storySave(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	f := story.Fields{Title: r.PostForm.Get("title"), Slug: strings.TrimSpace(r.PostForm.Get("slug")), Standfirst: r.PostForm.Get("standfirst"),
		PullQuotes: r.PostForm.Get("pull_quotes"), AuthorName: r.PostForm.Get("author_name"), AuthorBio: r.PostForm.Get("author_bio"),
		Date: strings.TrimSpace(r.PostForm.Get("date")), Tags: r.PostForm.Get("tags"), Lang: strings.TrimSpace(r.PostForm.Get("lang")), Body: strings.ReplaceAll(r.PostForm.Get("body"), "\r\n", "\n")}
	op := r.PostForm.Get("op")
	switch op {
	case "publish":
		f.State = store.StoryPublished
	case "draft", "preview":
		f.State = store.StoryDraft
	default:
		s.notFound(w, r)
		return
	}
	d := editorData{Me: j, Fields: f}
	st, err := story.FromFields(f, s.cfg.Now())
	if err == nil && op == "publish" {
		err = story.CheckCites(r.Context(), s.cfg.Store, st.Body, 0)
	}
	if errors.Is(err, story.ErrFormat) {
		d.Failed = strings.TrimPrefix(err.Error(), story.ErrFormat.Error()+": ")
		s.render.Render(w, http.StatusBadRequest, "editor", s.page(w, r, "newsroom.editor.title", d))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if op == "preview" {
		d.Preview = story.RenderArticle(st.Body)
		s.render.Render(w, http.StatusOK, "editor", s.page(w, r, "newsroom.editor.title", d))
		return
	}
	if _, err := s.cfg.Store.SaveStory(r.Context(), st); err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), j, "save story", st.Slug+" ("+st.State+")")
	http.Redirect(w, r, "/stories/"+st.Slug+"/edit?saved=1", http.StatusSeeOther)
}
