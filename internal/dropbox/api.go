package dropbox

import (
	"encoding/json"
	"io"
	"net/http"
)

// apiHandler is an API endpoint that runs for an authenticated source.
type apiHandler func(w http.ResponseWriter, r *http.Request, sourceID string)

// apiError is the API's only error shape: a human sentence, never internals.
type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) apiFail(w http.ResponseWriter, status int, msg string, err error) {
	if err != nil && status >= 500 {
		s.cfg.Log.Error("dropbox: api", "err", err)
	}
	writeJSON(w, status, apiError{Error: msg})
}

// readJSON decodes a small JSON body strictly.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "the request body is not the JSON this endpoint expects"})
		return false
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "the request body has trailing data"})
		return false
	}
	return true
}
