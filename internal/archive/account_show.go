package archive

import (
	"net/http"
)

type accountData struct {
	User   User
	Keys   []SecurityKey
	Status string // catalogue key
}

// accountShow lists the user's security keys, each with a form that
// removes it, and offers to add one. Adding is the one thing here that
// needs script (WebAuthn has no HTML form); removing and the TOTP code work
// without.
func (s *Server) accountShow(w http.ResponseWriter, r *http.Request, u User) {
	keys, err := s.a.SecurityKeys(r.Context(), u.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	d := accountData{User: u, Keys: keys}
	switch q := r.URL.Query(); {
	case q.Has("added"):
		d.Status = "newsroom.account.added"
	case q.Has("removed"):
		d.Status = "archive.account.removed"
	case q.Has("failed"):
		d.Status = "newsroom.account.failed"
	}
	s.render.Render(w, http.StatusOK, "account", s.page(w, r, "Your account", d))
}
