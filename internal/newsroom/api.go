package newsroom

import (
	"confide/internal/api"
	"confide/internal/web"
	"errors"
	"net/http"
	"strings"

	"confide/internal/store"
)

// apiHandler is an API endpoint for an authenticated journalist.
type apiHandler func(w http.ResponseWriter, r *http.Request, j store.Journalist)

// apiFail answers with a human sentence; detail is logged, never sent.
func (s *Server) apiFail(w http.ResponseWriter, status int, msg string, err error) {
	if err != nil && status >= 500 {
		s.cfg.Log.Error("newsroom: api", "err", err)
	}
	web.WriteJSON(w, status, api.Error{Error: msg})
}

// apiAuth admits a live API token.
func (s *Server) apiAuth(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			s.apiFail(w, http.StatusUnauthorized, "log in first: no bearer token", nil)
			return
		}
		sess, err := s.auth.Session(r.Context(), tok, kindAPI)
		if err != nil {
			s.apiFail(w, http.StatusUnauthorized, "your token has expired: log in again", nil)
			return
		}
		j, err := s.cfg.Store.JournalistByID(r.Context(), sess.AccountID)
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
