package dropbox

import (
	"net/http"
	"strings"
)

// apiAuth admits requests carrying a live bearer token from apiLogin or
// apiSourceCreate. The API uses no cookies, so it needs no CSRF token.
func (s *Server) apiAuth(h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			s.apiFail(w, http.StatusUnauthorized, "log in first: no bearer token", nil)
			return
		}
		sess, _, err := s.sessions.lookup(tok)
		if err != nil {
			s.apiFail(w, http.StatusUnauthorized, "your session has ended: log in again", nil)
			return
		}
		h(w, r, sess.sourceID)
	}
}
