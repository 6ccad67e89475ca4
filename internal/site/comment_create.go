package site

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"confide/internal/store"
	"confide/internal/story"
	"confide/internal/web"
)

// Comment rate limits: per reader, and for the whole site.
const (
	perReader       = 5
	perReaderWindow = 10 * time.Minute
	global          = 120
	globalWindow    = time.Minute
)

// commentCreate posts a comment or a reply. A reader's first comments wait
// for a journalist's approval; after TrustAfter approvals they go live.
func (s *Server) commentCreate(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	back := "/stories/" + slug
	reader := s.currentReader(r)
	if reader == nil {
		http.Redirect(w, r, "/login?next="+back, http.StatusSeeOther)
		return
	}
	st, err := s.liveStory(r.Context(), slug)
	if err != nil {
		s.notFoundOr(w, r, err)
		return
	}
	refuse := func(status int, msg string) { s.fail(w, r, web.Fail(status, msg, nil), back) }
	switch {
	case !reader.Verified:
		refuse(http.StatusForbidden, "site.comment.unverified")
		return
	case reader.Banned:
		refuse(http.StatusForbidden, "site.comment.banned")
		return
	case st.CommentsClosed:
		refuse(http.StatusForbidden, "site.comment.closed")
		return
	}
	body := strings.TrimSpace(r.PostForm.Get("body"))
	if body == "" || len(body) > story.MaxComment {
		refuse(http.StatusBadRequest, "site.comment.length")
		return
	}
	now := s.cfg.Now()
	mine, err := s.cfg.Store.CountRecentComments(r.Context(), reader.ID, now.Add(-perReaderWindow))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	all, err := s.cfg.Store.CountRecentComments(r.Context(), "", now.Add(-globalWindow))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if mine >= perReader || all >= global {
		refuse(http.StatusTooManyRequests, "site.comment.slowdown")
		return
	}
	parent := r.PostForm.Get("parent")
	if parent != "" {
		p, err := s.cfg.Store.CommentByID(r.Context(), parent)
		// One level of replies: a reply to a reply answers its parent.
		if errors.Is(err, store.ErrNotFound) || err == nil && p.StoryID != st.ID {
			refuse(http.StatusBadRequest, "error.notfound")
			return
		}
		if err != nil {
			s.internal(w, r, err)
			return
		}
		if p.ParentID != "" {
			parent = p.ParentID
		}
	}
	state := store.CommentPending
	if reader.Approved >= s.cfg.TrustAfter {
		state = store.CommentApproved
	}
	c := store.Comment{ID: store.NewID(), StoryID: st.ID, ReaderID: reader.ID, ParentID: parent, Body: body, State: state, Created: now}
	if err := s.cfg.Store.AddComment(r.Context(), c); err != nil {
		s.internal(w, r, err)
		return
	}
	notice := "posted"
	if state == store.CommentPending {
		notice = "pending"
	}
	http.Redirect(w, r, back+"?notice="+notice+"#c-"+c.ID, http.StatusSeeOther)
}
