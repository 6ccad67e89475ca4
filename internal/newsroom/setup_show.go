package newsroom

import (
	"html/template"
	"net/http"

	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/web"
)

type setupData struct {
	Secret string
	QR     template.URL
	Failed string
}

// setupShow is the first login's second step: the TOTP secret as a QR code,
// rendered on the server (no script, no third party), and its text form.
func (s *Server) setupShow(w http.ResponseWriter, r *http.Request) {
	j, _, err := s.current(r, kindSetup)
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.renderSetup(w, r, j, "", http.StatusOK)
}

func (s *Server) renderSetup(w http.ResponseWriter, r *http.Request, j store.Journalist, failed string, status int) {
	d := setupData{Secret: j.TOTPSecret, Failed: failed, QR: web.QRCode(seal.TOTPURI(s.cfg.Issuer, j.Name, j.TOTPSecret))}
	s.render.Render(w, status, "setup", s.page(w, r, "newsroom.setup.title", d))
}
