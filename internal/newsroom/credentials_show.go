package newsroom

import (
	"html/template"
	"net/http"

	"confide/internal/web"
)

type credentialsData struct {
	Name       string
	Passphrase string
	TOTPURI    string
	QR         template.URL
}

// showCredentials shows new secrets once, to the admin who made them.
func (s *Server) showCredentials(w http.ResponseWriter, r *http.Request, name, pass, uri string) {
	d := credentialsData{Name: name, Passphrase: pass, TOTPURI: uri}
	if uri != "" {
		d.QR = web.QRCode(uri)
	}
	s.render.Render(w, http.StatusOK, "credentials", s.page(w, r, "newsroom.credentials.title", d))
}
