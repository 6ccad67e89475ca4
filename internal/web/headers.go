package web

import (
	"net/http"
	"net/url"
	"strings"
)

// CSP allows only same-origin styles, images and form targets, and no script.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders are what every Confide response carries, keys already in
// canonical form.
var securityHeaders = [...][2]string{
	{"Content-Security-Policy", CSP},
	{"Referrer-Policy", "no-referrer"},
	{"X-Frame-Options", "DENY"},
	{"X-Content-Type-Options", "nosniff"},
	{"Cache-Control", "no-store"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
	{"Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"},
}

// SecurityHeaders sets the headers every Confide response carries. The
// values are made once and shared by every response: each is a slice of
// length and capacity one, so a handler's Set replaces it and an Add
// copies it, and none can change another response's headers.
func SecurityHeaders(next http.Handler) http.Handler {
	var values [len(securityHeaders)][]string
	for i, kv := range securityHeaders {
		values[i] = HeaderValue(kv[1])
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for i, kv := range securityHeaders {
			h[kv[0]] = values[i]
		}
		next.ServeHTTP(w, r)
	})
}

// HeaderValue is v as a header value made once for many responses: a
// slice whose capacity is its length, so that appending to it copies.
func HeaderValue(v string) []string { return []string{v}[:1:1] }

// HSTS tells browsers to reach a zone over HTTPS only, for a year.
const HSTS = "max-age=31536000"

// HTTPSOnly is for a zone whose configured address is https:// (the
// configured URL is the truth, not X-Forwarded-Proto, which a client can
// send): it sends Strict-Transport-Security and marks every cookie the
// zone sets Secure, so none travels over plain HTTP. Wrapping the writer
// covers every cookie, the CSRF and language ones included, without each
// handler having to remember.
func HTTPSOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", HSTS)
		sw := &secureCookies{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		sw.mark() // a handler that wrote nothing: net/http sends the header after
	})
}

// secureCookies adds the Secure attribute to Set-Cookie headers as the
// response's header is sent.
type secureCookies struct {
	http.ResponseWriter
	sent bool
}

func (s *secureCookies) mark() {
	if s.sent {
		return
	}
	s.sent = true
	cs := s.ResponseWriter.Header()["Set-Cookie"]
	for i, c := range cs {
		if !hasSecure(c) {
			cs[i] = c + "; Secure"
		}
	}
}

// hasSecure reports whether a Set-Cookie value already has the attribute.
func hasSecure(c string) bool {
	for _, a := range strings.Split(c, ";")[1:] {
		if strings.EqualFold(strings.TrimSpace(a), "Secure") {
			return true
		}
	}
	return false
}

func (s *secureCookies) WriteHeader(code int) {
	// 1xx answers are not the final header; cookies come with the last one.
	if code >= 200 {
		s.mark()
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *secureCookies) Write(b []byte) (int, error) {
	s.mark()
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer (flushes,
// deadlines).
func (s *secureCookies) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush sends what is buffered, as streaming handlers need.
func (s *secureCookies) Flush() {
	s.mark()
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// IsHTTPS reports whether a zone's configured address is an https:// one.
func IsHTTPS(address string) bool {
	u, err := url.Parse(address)
	return err == nil && u.Scheme == "https" && u.Host != ""
}
