package site

import (
	"net/http"

	"confide/internal/web"
)

// verify confirms a reader's address from the mailed link and signs in.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	id, err := s.cfg.Store.ReaderToken(r.Context(), web.TokenHash(tok), tokenVerify, s.cfg.Now())
	if err != nil {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "site.verify.bad", nil), "/register")
		return
	}
	rd, err := s.cfg.Store.ReaderByID(r.Context(), id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	rd.Verified = true
	if err := s.cfg.Store.UpdateReader(r.Context(), rd); err != nil {
		s.internal(w, r, err)
		return
	}
	s.cfg.Store.DeleteReaderTokens(r.Context(), rd.ID, tokenVerify)
	if err := s.startSession(w, r, rd); err != nil {
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/?verified=1", http.StatusSeeOther)
}
