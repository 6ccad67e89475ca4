package site

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"sync"
	"time"

	"confide/internal/store"
	"confide/internal/story"
	"confide/internal/web"
)

// commentView is one comment as the story page shows it. Its fields are
// flat, not an embedded store.Comment: text/template looks fields up by
// name on every use, and embedded structs send each lookup down reflect's
// slow path, which dominated signed-in page renders.
type commentView struct {
	ID, Reader, Body, ParentID string
	Created                    time.Time
	Edited, Pending            bool
	HTML                       template.HTML
	Mine                       bool
	Editable                   bool
	Replies                    []commentView
}

// commentLabels are the comment list's words, translated once per page
// rather than once per comment.
type commentLabels struct {
	Edited, Awaiting, Delete, Report, Edit, Save, Reply, Post string
}

type storyData struct {
	Story    store.Story
	HTML     template.HTML
	Comments []commentView
	Count    int
	Notice   string
	Labels   commentLabels
}

// notices are what a redirect back to a story may announce; anything else
// in ?notice= is dropped, so a link cannot put its own words on the page.
var notices = map[string]bool{"posted": true, "pending": true, "reported": true}

func knownNotice(n string) string {
	if notices[n] {
		return n
	}
	return ""
}

// editWindow is how long a reader may edit a comment.
const editWindow = 15 * time.Minute

// storyShow renders a story and its comments. Visitors who are not signed
// in all see the same page, so it is served from a one-second cache.
func (s *Server) storyShow(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	reader := s.currentReader(r)
	now := s.cfg.Now()
	anonymous := reader == nil && r.URL.RawQuery == ""
	// The page names its canonical URL, so the key holds everything that URL
	// may depend on.
	key := pageKey{slug, s.render.Cat.Negotiate(w, r), s.baseURL(r)}
	if anonymous {
		if e := s.cache.get(key, now); e != nil {
			e.serve(w, r)
			return
		}
	}
	stored := false
	if anonymous {
		// A refresh that ends without a page must not leave the old one
		// served for ever.
		defer func() {
			if !stored {
				s.cache.release(key)
			}
		}()
	}
	st, err := s.liveStory(r.Context(), slug)
	if err != nil {
		s.notFoundOr(w, r, err)
		return
	}
	readerID := ""
	if reader != nil {
		readerID = reader.ID
	}
	cs, err := s.cfg.Store.StoryComments(r.Context(), st.ID, readerID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	lang := s.render.Cat.Negotiate(w, r)
	html, err := s.renderStory(r.Context(), st, lang)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	d := storyData{Story: st, HTML: html, Notice: knownNotice(r.URL.Query().Get("notice"))}
	d.Comments, d.Count = thread(cs, readerID, now, s.commentHTML.render)
	t := func(k string) string { return s.render.Cat.T(lang, "site.comment."+k) }
	d.Labels = commentLabels{Edited: t("edited"), Awaiting: t("awaiting"), Delete: t("delete"), Report: t("report"),
		Edit: t("edit"), Save: t("save"), Reply: t("reply"), Post: t("post")}
	p := s.page(w, r, "site.story.title", reader, d)
	p.TitleText = st.Title
	p.Canonical = s.baseURL(r) + "/stories/" + st.Slug
	stored = s.renderCached(w, r, anonymous, key, now, "story", p)
}

// renderCached renders a page: straight to w for a signed-in reader, into
// the cache under key for an anonymous visitor (and from there to w). It
// reports whether the page was cached.
func (s *Server) renderCached(w http.ResponseWriter, r *http.Request, anonymous bool, key pageKey, now time.Time, name string, p *web.Page) bool {
	if !anonymous {
		s.render.Render(w, http.StatusOK, name, p)
		return false
	}
	rec := &recorder{header: http.Header{}}
	s.render.Render(rec, http.StatusOK, name, p)
	if rec.status == http.StatusOK {
		s.cache.put(key, rec.body.Bytes(), now).serve(w, r)
		return true
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(rec.body.Len()))
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
	return false
}

// thread nests replies under their parents. Parents are placed first, so a
// reply stored before its parent (same second, clock step) still shows; a
// reply whose parent is not shown (removed, or pending and someone else's)
// is left out with it.
func thread(cs []store.Comment, readerID string, now time.Time, render func(string) template.HTML) ([]commentView, int) {
	var out []commentView
	byID := map[string]int{}
	view := func(c store.Comment) commentView {
		mine := c.ReaderID == readerID
		return commentView{ID: c.ID, Reader: c.Reader, Body: c.Body, ParentID: c.ParentID, Created: c.Created,
			Edited: !c.Edited.IsZero(), Pending: c.State == store.CommentPending, HTML: render(c.Body),
			Mine: mine, Editable: mine && now.Sub(c.Created) < editWindow}
	}
	for _, c := range cs {
		if c.ParentID == "" {
			byID[c.ID] = len(out)
			out = append(out, view(c))
		}
	}
	n := len(out)
	for _, c := range cs {
		if i, ok := byID[c.ParentID]; ok && c.ParentID != "" {
			out[i].Replies = append(out[i].Replies, view(c))
			n++
		}
	}
	return out, n
}

// htmlMemo keeps rendered comment bodies, so a page of 200 comments does
// not run Markdown and the sanitiser 200 times per signed-in view. The key
// is the body itself; the memo is emptied when it passes maxBytes.
type htmlMemo struct {
	mu       sync.Mutex
	m        map[string]template.HTML
	bytes    int
	maxBytes int
}

func (h *htmlMemo) render(body string) template.HTML {
	h.mu.Lock()
	out, ok := h.m[body]
	h.mu.Unlock()
	if ok {
		return out
	}
	out = story.RenderComment(body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil || h.bytes > h.maxBytes {
		h.m, h.bytes = map[string]template.HTML{}, 0
	}
	h.m[body] = out
	h.bytes += len(body) + len(out)
	return out
}

// recorder captures a rendered page for the cache.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(s int)           { r.status = s }
