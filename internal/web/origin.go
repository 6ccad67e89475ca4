package web

import (
	"net/http"
	"strings"
)

// Origin is a zone's address as its visitors reach it, for links and
// commands it shows: the configured URL when set (behind a TLS-terminating
// proxy the request alone says http), else this request's scheme and Host.
func Origin(configured string, r *http.Request) string {
	if configured != "" {
		return strings.TrimRight(configured, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
