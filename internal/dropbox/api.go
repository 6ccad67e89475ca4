package dropbox

import (
	"confide/internal/api"
	"confide/internal/web"
	"net/http"
)

// apiHandler is an API endpoint that runs for an authenticated source.
type apiHandler func(w http.ResponseWriter, r *http.Request, sourceID string)

func (s *Server) apiFail(w http.ResponseWriter, status int, msg string, err error) {
	if err != nil && status >= 500 {
		s.cfg.Log.Error("dropbox: api", "err", err)
	}
	web.WriteJSON(w, status, api.Error{Error: msg})
}
