package site

import (
	"net/http"

	"confide/internal/web"
)

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(readerCookie); err == nil {
		s.cfg.Store.DeleteReaderToken(r.Context(), web.TokenHash(ck.Value))
	}
	http.SetCookie(w, &http.Cookie{Name: readerCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	s.csrf.Rotate(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
