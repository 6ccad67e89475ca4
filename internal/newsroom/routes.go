package newsroom

import (
	"net/http"

	"confide/internal/web"
)

// Handler returns every route of the newsroom.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/style.css", web.Style)

	mux.HandleFunc("GET /login", s.loginShow)
	mux.HandleFunc("POST /login", s.loginSubmit)
	mux.HandleFunc("GET /setup", s.setupShow)
	mux.HandleFunc("POST /setup", s.setupSubmit)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /login/key", s.keyLoginShow)
	mux.HandleFunc("GET /login/key/options", s.keyLoginOptions)
	mux.HandleFunc("POST /login/key", s.keyLoginSubmit)
	mux.HandleFunc("GET /static/webauthn.js", web.KeyScript)
	mux.HandleFunc("GET /account", s.signedIn(s.accountShow))
	mux.HandleFunc("GET /account/keys/options", s.signedIn(s.keyOptions))
	mux.HandleFunc("POST /account/keys", s.signedIn(s.keyRegister))

	mux.HandleFunc("GET /{$}", s.signedIn(s.inboxShow))
	mux.HandleFunc("GET /sources/{id}", s.signedIn(s.sourceShow))
	mux.HandleFunc("POST /sources/{id}/flags", s.signedIn(s.sourceFlags))
	mux.HandleFunc("POST /sources/{id}/items", s.signedIn(s.itemsBulk))
	mux.HandleFunc("GET /sources/{id}/items/{item}", s.signedIn(s.itemDownload))
	mux.HandleFunc("GET /sources/{id}/items/{item}/manifest", s.signedIn(s.itemManifest))
	mux.HandleFunc("GET /sources/{id}/items/{item}/open", s.signedIn(s.itemOpen))
	mux.HandleFunc("POST /sources/{id}/replies", s.signedIn(s.replyCreate))
	mux.HandleFunc("POST /sources/{id}/delete", s.signedIn(s.sourceDelete))

	mux.HandleFunc("GET /stories", s.signedIn(s.storiesShow))
	mux.HandleFunc("GET /stories/new", s.signedIn(s.storyEdit))
	mux.HandleFunc("GET /stories/{slug}/edit", s.signedIn(s.storyEdit))
	mux.HandleFunc("POST /stories", s.signedIn(s.storySave))
	mux.HandleFunc("POST /stories/{slug}/state", s.signedIn(s.storyState))
	mux.HandleFunc("GET /comments", s.signedIn(s.commentsShow))
	mux.HandleFunc("POST /comments/{id}", s.signedIn(s.commentModerate))
	mux.HandleFunc("POST /documents", s.documentUpload)

	mux.HandleFunc("GET /admin", s.admin(s.adminShow))
	mux.HandleFunc("POST /admin/journalists", s.admin(s.journalistCreate))
	mux.HandleFunc("POST /admin/journalists/{id}/remove", s.admin(s.journalistRemove))
	mux.HandleFunc("POST /admin/journalists/{id}/reset", s.admin(s.journalistReset))
	mux.HandleFunc("POST /admin/journalists/{id}/recipient", s.admin(s.journalistRotate))
	mux.HandleFunc("GET /admin/audit", s.admin(s.auditShow))

	// The signed JSON API behind `confide workstation` (docs/journalist-api.md).
	mux.Handle("GET /api/v1/key", s.signed(maxSmallRequest, http.HandlerFunc(s.apiKey)))
	mux.Handle("POST /api/v1/token", s.signed(maxSmallRequest, http.HandlerFunc(s.apiToken)))
	mux.Handle("GET /api/v1/sync", s.signed(maxSmallRequest, s.apiAuth(s.apiSync)))
	mux.Handle("GET /api/v1/items/{id}", s.signed(maxSmallRequest, s.apiAuth(s.apiItemGet)))
	mux.Handle("POST /api/v1/items/{id}/seen", s.signed(maxSmallRequest, s.apiAuth(s.apiItemSeen)))
	mux.Handle("DELETE /api/v1/items/{id}", s.signed(maxSmallRequest, s.apiAuth(s.apiItemDelete)))
	mux.Handle("POST /api/v1/sources/{id}/replies", s.signed(maxReplyRequest, s.apiAuth(s.apiReplyCreate)))
	mux.Handle("POST /api/v1/sources/{id}/star", s.signed(maxSmallRequest, s.apiAuth(s.apiSourceStar)))
	mux.Handle("DELETE /api/v1/sources/{id}", s.signed(maxSmallRequest, s.apiAuth(s.apiSourceDelete)))

	mux.HandleFunc("/", s.notFound)
	// Every newsroom page may run its own script, as it always has (the key
	// pages need it); the archive, which serves outside content, allows it
	// on its key pages only.
	h := web.SecurityHeaders(web.AllowOwnScript(web.Recover(s.cfg.Log, mux)))
	if web.IsHTTPS(s.cfg.URL) {
		h = web.HTTPSOnly(h)
	}
	return h
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, web.Fail(http.StatusNotFound, "error.notfound", nil), "/")
}
