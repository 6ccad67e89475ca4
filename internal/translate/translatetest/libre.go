// Package translatetest is a local stand-in for a LibreTranslate server,
// for tests (not LibreTranslate itself: it speaks the same HTTP protocol,
// GET /languages and POST /translate with q as a list).
package translatetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
)

// Libre starts a stand-in that translates Russian to English word by word
// from words (lower-case Russian to English; other words pass through
// unchanged). A paragraph holding fail (when not "") gets a 500, so that
// one page fails. The caller closes it.
func Libre(words map[string]string, fail string) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /languages", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"code":"ru","name":"Russian","targets":["en"]},{"code":"en","name":"English","targets":["ru"]}]`)
	})
	mux.HandleFunc("POST /translate", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Q              []string
			Source, Target string
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Source != "ru" || req.Target != "en" {
			http.Error(w, `{"error":"only ru to en"}`, http.StatusBadRequest)
			return
		}
		out := make([]string, len(req.Q))
		for i, q := range req.Q {
			if fail != "" && strings.Contains(q, fail) {
				http.Error(w, `{"error":"the engine broke on this text"}`, http.StatusInternalServerError)
				return
			}
			ws := strings.Fields(q)
			for j, wd := range ws {
				bare := strings.TrimRight(wd, ".,:")
				if en, ok := words[strings.ToLower(bare)]; ok {
					ws[j] = en + wd[len(bare):]
				}
			}
			out[i] = strings.Join(ws, " ")
		}
		json.NewEncoder(w).Encode(map[string][]string{"translatedText": out})
	})
	return httptest.NewServer(mux)
}
