package archive

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestStatusPage(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		ingestAll(t, a, "kgb", trove(t))
		rec := httptest.NewRecorder()
		NewServer(a, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, "kgb: 3 done, 0 queued, 0 running, 1 failed; 5 documents, 3 pages") {
			t.Fatalf("%d %q", rec.Code, body)
		}
		if rec.Header().Get("Content-Security-Policy") == "" || rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("headers %v", rec.Header())
		}
		rec = httptest.NewRecorder()
		NewServer(a, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/other", nil))
		if rec.Code != 404 {
			t.Fatalf("GET /other: %d", rec.Code)
		}
	})
}
