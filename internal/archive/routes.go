package archive

import (
	"net/http"

	"confide/internal/web"
)

// Handler is the zone's routes, behind the shared security headers. Every
// page but sign-in needs a signed-in user; what each may see is checked in
// the handler (a collection granted, originals not for translators).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/style.css", web.Style)
	mux.HandleFunc("GET /login", s.loginShow)
	mux.HandleFunc("POST /login", s.loginSubmit)
	mux.HandleFunc("GET /setup", s.setupShow)
	mux.HandleFunc("POST /setup", s.setupSubmit)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /{$}", s.signedIn(s.collectionsShow))
	mux.HandleFunc("GET /collections/{name}", s.signedIn(s.collectionShow))
	mux.HandleFunc("GET /search", s.signedIn(s.searchShow))
	mux.HandleFunc("GET /documents/{id}", s.signedIn(s.documentShow))
	mux.HandleFunc("GET /documents/{id}/pages/{n}/image", s.signedIn(s.pageImage))
	mux.HandleFunc("GET /documents/{id}/original", s.signedIn(s.originalDownload))
	mux.HandleFunc("GET /audit", s.signedIn(s.auditShow))
	mux.HandleFunc("GET /documents/{id}/pages/{n}/translation", s.signedIn(s.translationEdit))
	mux.HandleFunc("POST /documents/{id}/pages/{n}/translation", s.signedIn(s.translationSave))
	mux.HandleFunc("POST /documents/{id}/pages/{n}/translation/review", s.signedIn(s.translationReview))
	mux.HandleFunc("POST /documents/{id}/pages/{n}/notes", s.signedIn(s.noteAdd))
	mux.HandleFunc("POST /notes/{nid}/replies", s.signedIn(s.noteReply))
	mux.HandleFunc("POST /documents/{id}/tags", s.signedIn(s.tagAdd))
	mux.HandleFunc("POST /documents/{id}/tags/remove", s.signedIn(s.tagRemove))
	mux.HandleFunc("POST /collections/{name}/translate", s.signedIn(s.collectionTranslate))
	mux.HandleFunc("POST /collections/{name}/translate/cancel", s.signedIn(s.collectionTranslateCancel))
	mux.HandleFunc("GET /documents/{id}/redact", s.signedIn(s.redactShow))
	mux.HandleFunc("POST /documents/{id}/redact/marks", s.signedIn(s.redactMark))
	mux.HandleFunc("POST /documents/{id}/redactions", s.signedIn(s.redactionCreate))
	mux.HandleFunc("GET /redactions/{rid}", s.signedIn(s.redactionShow))
	mux.HandleFunc("GET /redactions/{rid}/pages/{n}/image", s.signedIn(s.redactionPageImage))
	mux.HandleFunc("GET /documents/{id}/export", s.signedIn(s.exportShow))
	mux.HandleFunc("POST /documents/{id}/export", s.signedIn(s.exportCreate))
	mux.HandleFunc("POST /redactions/{rid}/terms", s.signedIn(s.redactionTerms))
	mux.HandleFunc("GET /exports/{jid}", s.signedIn(s.exportJobShow))
	mux.HandleFunc("GET /exports/{jid}/bundle", s.signedIn(s.exportJobDownload))
	// Security keys (the shared script, as in the newsroom). Only the two
	// pages that run it may run script at all: the rest of the archive
	// shows outside content and keeps the strict policy.
	mux.HandleFunc("GET /static/webauthn.js", web.KeyScript)
	mux.Handle("GET /account", web.AllowOwnScript(s.signedIn(s.accountShow)))
	mux.HandleFunc("GET /account/keys/options", s.signedIn(s.keyOptions))
	mux.HandleFunc("POST /account/keys", s.signedIn(s.keyRegister))
	mux.HandleFunc("POST /account/keys/{id}/remove", s.signedIn(s.keyRemove))
	mux.Handle("GET /login/key", web.AllowOwnScript(http.HandlerFunc(s.keyLoginShow)))
	mux.HandleFunc("GET /login/key/options", s.keyLoginOptions)
	mux.HandleFunc("POST /login/key", s.keyLoginSubmit)
	var h http.Handler = web.Recover(s.log, mux)
	if s.cfg.HTTPS {
		h = web.HTTPSOnly(h)
	}
	return web.SecurityHeaders(h)
}
