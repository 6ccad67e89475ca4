package dropbox

import (
	"confide/internal/web"
	"net/http"
)

// apiHandler is an API endpoint that runs for an authenticated source.
type apiHandler func(w http.ResponseWriter, r *http.Request, sourceID string)

// apiError is the API's only error shape: a human sentence, never internals.
type apiError struct {
	Error string `json:"error"`
}

func (s *Server) apiFail(w http.ResponseWriter, status int, msg string, err error) {
	if err != nil && status >= 500 {
		s.cfg.Log.Error("dropbox: api", "err", err)
	}
	web.WriteJSON(w, status, apiError{Error: msg})
}
