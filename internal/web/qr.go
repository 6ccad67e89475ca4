package web

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"

	"github.com/pquerna/otp"
)

// QRCode renders a TOTP provisioning URI as a PNG data URL: drawn on the
// server, so a setup page needs no script and loads nothing from elsewhere.
// "" if the URI is not one.
func QRCode(uri string) template.URL {
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
