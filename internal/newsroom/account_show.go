package newsroom

import (
	"net/http"

	"confide/internal/store"
)

type accountData struct {
	Me     store.Journalist
	Keys   int
	Status string
}

// accountShow lets a journalist add a security key as a second factor. It
// is the one place the newsroom uses script (WebAuthn has no HTML form);
// without script the TOTP code keeps working.
func (s *Server) accountShow(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	keys, err := s.cfg.Store.SecurityKeys(r.Context(), j.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	d := accountData{Me: j, Keys: len(keys)}
	switch {
	case r.URL.Query().Has("added"):
		d.Status = "newsroom.account.added"
	case r.URL.Query().Has("failed"):
		d.Status = "newsroom.account.failed"
	}
	s.render.Render(w, http.StatusOK, "account", s.page(w, r, "newsroom.account.title", d))
}
