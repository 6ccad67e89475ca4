package newsroom

import (
	"errors"
	"net/http"
	"strconv"

	"confide/internal/store"
)

// apiItemGet streams an item's ciphertext. Its signature covers the
// ciphertext's SHA-256, which the sync also lists, so it goes out first and
// the body streams unbuffered.
func (s *Server) apiItemGet(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	it, err := s.cfg.Store.ItemByID(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.apiFail(w, http.StatusNotFound, "no such item", nil)
		return
	}
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the newsroom could not read the item", err)
		return
	}
	sum, err := s.itemSHA256(r.Context(), it)
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the newsroom could not read the item", err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Confide-Size", strconv.FormatInt(it.Size, 10))
	streamSigned(w, http.StatusOK, sum)
	if err := s.copyBlob(w, it); err != nil {
		s.cfg.Log.Error("newsroom: api download", "err", err)
		return
	}
	s.audit(r.Context(), j, "download", "api, 1 item")
}
