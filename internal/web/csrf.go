package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// CSRF is double-submit protection: a random token in a SameSite=Strict,
// HttpOnly cookie that every form must echo in its "csrf" field. It works
// before login too, which the dropbox's codename forms need. Each zone uses
// its own cookie name so nothing is shared between worlds.
type CSRF struct {
	Cookie string
}

// Field is the form field that carries the token.
const Field = "csrf"

// Token returns the request's token, setting a fresh cookie if it has none.
func (c CSRF) Token(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(c.Cookie); err == nil && len(ck.Value) == 43 {
		return ck.Value
	}
	b := make([]byte, 32)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: c.Cookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return tok
}

// Valid reports whether the submitted token matches the cookie.
func (c CSRF) Valid(r *http.Request, submitted string) bool {
	ck, err := r.Cookie(c.Cookie)
	if err != nil || len(ck.Value) != 43 || len(submitted) != 43 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(ck.Value), []byte(submitted)) == 1
}

// Rotate replaces the token, as on login and logout, so one token never spans
// two identities.
func (c CSRF) Rotate(w http.ResponseWriter) string {
	b := make([]byte, 32)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: c.Cookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return tok
}
