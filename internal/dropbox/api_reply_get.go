package dropbox

import (
	"io"
	"net/http"

	"confide/internal/store"
)

// apiReplyGet streams one reply's ciphertext; only the source can open it.
func (s *Server) apiReplyGet(w http.ResponseWriter, r *http.Request, sourceID string) {
	items, err := s.cfg.Store.Items(r.Context(), sourceID, store.KindReply)
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the dropbox could not read the reply; try again later", err)
		return
	}
	for _, it := range items {
		if it.ID != r.PathValue("id") {
			continue
		}
		f, err := s.cfg.Blobs.Open(it.Blob)
		if err != nil {
			s.apiFail(w, http.StatusInternalServerError, "the dropbox could not read the reply; try again later", err)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", "application/octet-stream")
		io.Copy(w, f)
		return
	}
	s.apiFail(w, http.StatusNotFound, "no such reply", nil)
}
