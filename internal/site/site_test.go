package site

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"confide/internal/web"
)

func get(t *testing.T, h http.Handler, path string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String(), rec.Header()
}

func TestEveryPageLinksTheDropbox(t *testing.T) {
	onion := ""
	s, err := New(Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Demo: true, Onion: func() string { return onion }})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	for _, p := range []string{"/", "/dropbox", "/no-such-page"} {
		code, body, hdr := get(t, h, p)
		if !strings.Contains(body, `<a href="/dropbox">Secure dropbox: Tell us in confidence</a>`) {
			t.Errorf("%s (%d) lacks the dropbox link", p, code)
		}
		if !strings.Contains(body, "DEMO MODE") {
			t.Errorf("%s lacks the demo banner", p)
		}
		if hdr.Get("Content-Security-Policy") != web.CSP {
			t.Errorf("%s lacks the CSP", p)
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "http://") && !strings.Contains(body, ".onion") {
			t.Errorf("%s loads a script or a remote resource", p)
		}
	}
	if code, _, _ := get(t, h, "/no-such-page"); code != http.StatusNotFound {
		t.Fatalf("missing page: %d", code)
	}
	if _, body, _ := get(t, h, "/dropbox"); !strings.Contains(body, "not published yet") {
		t.Fatal("no onion yet, but the page does not say so")
	}
	onion = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"
	if _, body, _ := get(t, h, "/dropbox"); !strings.Contains(body, onion) || !strings.Contains(body, "Tor Browser") {
		t.Fatal("the onion address or the safety steps are missing")
	}
}
