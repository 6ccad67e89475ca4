package archive

import (
	"html/template"
	"net/http"

	"confide/internal/auth"
	"confide/internal/seal"
	"confide/internal/web"
)

type setupData struct {
	Secret string
	QR     template.URL
	Failed string
}

// setupShow is the first sign-in's second step: the TOTP secret as a QR
// code drawn on the server, and its text form.
func (s *Server) setupShow(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	sess, err := s.auth.Current(r, auth.KindSetup)
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.renderSetup(w, r, sess, "", http.StatusOK)
}

func (s *Server) renderSetup(w http.ResponseWriter, r *http.Request, sess auth.Session, failed string, status int) {
	acc, err := s.account(r, sess)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	d := setupData{Secret: acc.TOTPSecret, Failed: failed, QR: web.QRCode(seal.TOTPURI(Issuer, acc.Name, acc.TOTPSecret))}
	s.render.Render(w, status, "setup", s.page(w, r, "newsroom.setup.title", d))
}

// account is a session's account as auth sees it.
func (s *Server) account(r *http.Request, sess auth.Session) (auth.Account, error) {
	u, err := s.a.user(r.Context(), sess.AccountID)
	if err != nil {
		return auth.Account{}, err
	}
	return s.a.Accounts().AccountByName(r.Context(), u.Name)
}
