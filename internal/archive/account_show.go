package archive

import (
	"net"
	"net/http"
)

type accountData struct {
	User   User
	Keys   []SecurityKey
	Status string // catalogue key
	// ByName is where to open the page when it was reached by an IP
	// address, which security keys refuse (as browsers do).
	ByName string
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
	if s.cfg.URL == "" {
		host, port, err := net.SplitHostPort(r.Host)
		if err != nil {
			host, port = r.Host, ""
		}
		if ip := net.ParseIP(host); ip != nil {
			d.ByName = "the archive's host name"
			if ip.IsLoopback() {
				d.ByName = "http://localhost"
				if port != "" {
					d.ByName += ":" + port
				}
				d.ByName += "/account"
			}
		}
	}
	s.render.Render(w, http.StatusOK, "account", s.page(w, r, "newsroom.account.title", d))
}
