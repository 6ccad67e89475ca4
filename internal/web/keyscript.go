package web

import (
	_ "embed"
	"net/http"
)

// KeyCSP is CSP loosened for the pages that run security keys (WebAuthn
// has no HTML form): scripts and fetches from the zone's own origin. Still
// no inline script and nothing from elsewhere.
const KeyCSP = CSP + "; script-src 'self'; connect-src 'self'"

// AllowOwnScript serves next under KeyCSP. It wraps SecurityHeaders' work,
// so it goes inside it.
func AllowOwnScript(next http.Handler) http.Handler {
	v := HeaderValue(KeyCSP)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Security-Policy"] = v
		next.ServeHTTP(w, r)
	})
}

//go:embed static/webauthn.js
var webauthnJS []byte

// KeyScript serves the security-key script of the zones with accounts: it
// registers a key from /account and answers the key step at /login/key,
// through the routes each zone gives them alike. Without script the TOTP
// code always works.
func KeyScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(webauthnJS)
}

// CSRFHeader carries the token on the JSON posts that security-key
// ceremonies make from script.
const CSRFHeader = "X-CSRF-Token"

// ValidPost checks a POST's token: in the form, or in CSRFHeader for JSON
// (whose body, at most limit bytes, is then left for the handler).
func (c CSRF) ValidPost(w http.ResponseWriter, r *http.Request, limit int64) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if r.Header.Get("Content-Type") == "application/json" {
		return c.Valid(r, r.Header.Get(CSRFHeader))
	}
	return r.ParseForm() == nil && c.Valid(r, r.PostForm.Get(Field))
}
