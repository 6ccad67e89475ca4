package newsroom

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"

	"github.com/pquerna/otp"
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
		d.QR = qrCode(uri)
	}
	s.render.Render(w, http.StatusOK, "credentials", s.page(w, r, "newsroom.credentials.title", d))
}

// qrCode renders a provisioning URI as a PNG data URL: drawn here, so the
// page needs no script and loads nothing from elsewhere.
func qrCode(uri string) template.URL {
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return ""
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return ""
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
}
