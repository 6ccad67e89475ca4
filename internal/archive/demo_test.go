package archive

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"confide/internal/auth/authtest"
)

// The demo's archive says on its pages (the sign-in page, in both languages)
// that it runs beside the other zones only in the demo; a real one says
// nothing of the kind, and neither speaks of the newsroom's demo key.
func TestDemoBanner(t *testing.T) {
	a := open(t, Config{Dir: t.TempDir(), NoOCR: true})
	for _, demo := range []bool{false, true} {
		srv, err := NewServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)), ServerConfig{Params: authtest.Params, Demo: demo})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		for _, path := range []string{"/login", "/login?lang=ru"} {
			res, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			body := string(b)
			banner := strings.Contains(body, `id="demo-banner"`) &&
				(strings.Contains(body, "A real archive holds plaintext and runs on its own (confide archive serve)") || strings.Contains(body, "Настоящий архив хранит открытый текст"))
			if banner != demo || strings.Contains(body, "demonstration newsroom") || !strings.Contains(body, "</html>") {
				t.Errorf("demo %v, %s: banner %v in %.600s", demo, path, banner, body)
			}
		}
		ts.Close()
	}
}
