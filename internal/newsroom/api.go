package newsroom

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"confide/internal/store"
)

// apiHandler is an API endpoint for an authenticated journalist.
type apiHandler func(w http.ResponseWriter, r *http.Request, j store.Journalist)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// apiFail answers with a human sentence; detail is logged, never sent.
func (s *Server) apiFail(w http.ResponseWriter, status int, msg string, err error) {
	if err != nil && status >= 500 {
		s.cfg.Log.Error("newsroom: api", "err", err)
	}
	writeJSON(w, status, map[string]string{"error": msg})
}

func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the request body is not the JSON this endpoint expects"})
		return false
	}
	return true
}

// apiAuth admits a live API token.
func (s *Server) apiAuth(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			s.apiFail(w, http.StatusUnauthorized, "log in first: no bearer token", nil)
			return
		}
		sess, err := s.cfg.Store.SessionByHash(r.Context(), tokenHash(tok))
		if err != nil || sess.Kind != kindAPI || s.cfg.Now().After(sess.Expires) {
			s.apiFail(w, http.StatusUnauthorized, "your token has expired: log in again", nil)
			return
		}
		j, err := s.cfg.Store.JournalistByID(r.Context(), sess.JournalistID)
		if errors.Is(err, store.ErrNotFound) {
			s.apiFail(w, http.StatusUnauthorized, "your account no longer exists", nil)
			return
		}
		if err != nil {
			s.apiFail(w, http.StatusInternalServerError, "the newsroom could not check your token", err)
			return
		}
		h(w, r, j)
	})
}

// apiSource loads the source named in the path.
func (s *Server) apiSource(w http.ResponseWriter, r *http.Request) (store.Source, bool) {
	src, err := s.cfg.Store.SourceByID(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.apiFail(w, http.StatusNotFound, "no such source", nil)
		return src, false
	}
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the newsroom could not read the source", err)
		return src, false
	}
	return src, true
}
