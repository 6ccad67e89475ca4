package site

import (
	"net/http"

	"confide/internal/web"
)

// Handler returns every route of the public site.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/style.css", web.Style)
	mux.HandleFunc("GET /{$}", s.homeShow)
	mux.HandleFunc("GET /dropbox", s.dropboxShow)
	mux.HandleFunc("GET /stories/{slug}", s.storyShow)
	mux.HandleFunc("GET /tags/{tag}", s.tagShow)
	mux.HandleFunc("GET /authors/{slug}", s.authorShow)
	mux.HandleFunc("GET /feed.atom", s.feedShow)
	mux.HandleFunc("GET /sitemap.xml", s.sitemapShow)

	mux.HandleFunc("GET /register", s.registerShow)
	mux.HandleFunc("POST /register", s.form(s.registerSubmit))
	mux.HandleFunc("GET /verify", s.verify)
	mux.HandleFunc("GET /login", s.loginShow)
	mux.HandleFunc("POST /login", s.form(s.loginSubmit))
	mux.HandleFunc("POST /logout", s.form(s.logout))
	mux.HandleFunc("GET /reset", s.resetShow)
	mux.HandleFunc("POST /reset", s.form(s.resetRequest))
	mux.HandleFunc("GET /reset/confirm", s.resetConfirmShow)
	mux.HandleFunc("POST /reset/confirm", s.form(s.resetConfirm))

	mux.HandleFunc("POST /stories/{slug}/comments", s.form(s.commentCreate))
	mux.HandleFunc("POST /comments/{id}/edit", s.form(s.commentEdit))
	mux.HandleFunc("POST /comments/{id}/delete", s.form(s.commentDelete))
	mux.HandleFunc("POST /comments/{id}/report", s.form(s.commentReport))

	mux.HandleFunc("GET /documents/{slug}", s.documentShow)
	mux.HandleFunc("GET /documents/{slug}/files/{sha256}/{name}", s.documentFile)

	mux.HandleFunc("/", s.notFound)
	h := web.SecurityHeaders(web.Recover(s.cfg.Log, mux))
	if web.IsHTTPS(s.cfg.BaseURL) {
		h = web.HTTPSOnly(h)
	}
	return h
}

// form checks a POST's size and CSRF token before the handler runs.
func (s *Server) form(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil || !s.csrf.Valid(r, r.PostForm.Get(web.Field)) {
			s.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", nil), "/")
			return
		}
		h(w, r)
	}
}
