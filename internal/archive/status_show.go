package archive

import (
	"fmt"
	"net/http"
)

// statusShow lists each collection's counts, as plain text.
func (s *Server) statusShow(w http.ResponseWriter, r *http.Request) {
	st, err := s.a.Status(r.Context())
	if err != nil {
		s.log.Error("archive status", "err", err)
		http.Error(w, "The status could not be read; the log says why.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "Confide archive")
	for _, c := range st {
		fmt.Fprintf(w, "%s: %d done, %d queued, %d running, %d failed; %d documents, %d pages\n", c.Name, c.Done, c.Queued, c.Running, c.Failed, c.Docs, c.Pages)
	}
}
