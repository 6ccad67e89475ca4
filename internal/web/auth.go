package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"path"
	"strings"
	"time"
)

// NewToken returns a random bearer token (for a cookie or a mailed link)
// and the hash that is stored in its place, so a copied database holds no
// usable token.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, TokenHash(token)
}

// TokenHash is the stored form of a token.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Lockout is how long an account stays locked after n consecutive failed
// logins: nothing for the first four, then one minute doubling to an hour.
func Lockout(n int) time.Duration {
	if n < 5 {
		return 0
	}
	return min(time.Minute<<min(n-5, 6), time.Hour)
}

// LocalPath keeps a post-login redirect target on this site: a path
// starting with one slash, or "/". Anything that a browser could read as
// another host ("//evil", "/\evil", "https://…") becomes "/". The check is
// made on the path as it will be sent: http.Redirect cleans dot segments,
// so "/x/..//evil" would leave as "//evil", and browsers read a backslash
// as a slash, so none is accepted anywhere.
func LocalPath(p string) string {
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "/" // control characters can smuggle a scheme past browsers
		}
	}
	if len(p) == 0 || p[0] != '/' || len(p) > 1 && p[1] == '/' {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	// Clean as http.Redirect does (the part before "?", trailing slash
	// kept), so what is checked is what the browser receives.
	rest, query := p, ""
	if i := strings.IndexByte(p, '?'); i >= 0 {
		rest, query = p[:i], p[i:]
	}
	clean := path.Clean(rest)
	if strings.HasSuffix(rest, "/") && !strings.HasSuffix(clean, "/") {
		clean += "/"
	}
	p = clean + query
	if u, err := url.Parse(p); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return p
}
