package web

import (
	"log/slog"
	"net/http"
)

// Recover turns a panic into a plain 500 page and logs only the panic value:
// no address, no path, no headers.
func Recover(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("web: panic in handler", "panic", v)
				http.Error(w, "Something went wrong on our side. Nothing you sent was kept unless you saw a confirmation.", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
