package dropbox

import (
	"net/http"

	"confide/internal/web"
)

// Handler returns every dropbox route, wrapped in the shared middleware.
// There is deliberately no access-log middleware here.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/style.css", web.Style)

	mux.HandleFunc("GET /{$}", s.indexShow)
	mux.HandleFunc("GET /new", s.codenameNew)
	mux.HandleFunc("POST /new", s.sourceCreate)
	mux.HandleFunc("GET /login", s.loginShow)
	mux.HandleFunc("POST /login", s.loginSubmit)
	mux.HandleFunc("GET /inbox", s.inboxShow)
	mux.HandleFunc("POST /submit", s.submissionCreate)
	mux.HandleFunc("POST /replies/{id}/delete", s.replyDelete)
	mux.HandleFunc("POST /logout", s.logout)

	// The JSON API behind `confide source` (docs/source-api.md).
	mux.HandleFunc("GET /api/v1/params", s.apiParams)
	mux.HandleFunc("POST /api/v1/sources", s.apiSourceCreate)
	mux.HandleFunc("POST /api/v1/login", s.apiLogin)
	mux.HandleFunc("POST /api/v1/uploads", s.apiAuth(s.apiUploadCreate))
	mux.HandleFunc("GET /api/v1/uploads/{id}", s.apiAuth(s.apiUploadStatus))
	mux.HandleFunc("PATCH /api/v1/uploads/{id}", s.apiAuth(s.apiUploadAppend))
	mux.HandleFunc("POST /api/v1/submissions", s.apiAuth(s.apiSubmissionCreate))
	mux.HandleFunc("GET /api/v1/replies", s.apiAuth(s.apiRepliesList))
	mux.HandleFunc("GET /api/v1/replies/{id}", s.apiAuth(s.apiReplyGet))
	mux.HandleFunc("DELETE /api/v1/replies/{id}", s.apiAuth(s.apiReplyDelete))

	mux.HandleFunc("/", s.notFound)
	return web.SecurityHeaders(web.Recover(s.cfg.Log, mux))
}
