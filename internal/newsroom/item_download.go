package newsroom

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"confide/internal/store"
)

// itemDownload serves one item as a standard age file.
func (s *Server) itemDownload(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	src, it, ok := s.loadItem(w, r)
	if !ok {
		return
	}
	f, err := s.cfg.Blobs.Open(it.Blob)
	if !s.found(w, r, err) {
		return
	}
	defer f.Close()
	// Seen before the bytes go: once the last one is out the browser may
	// ask for the inbox again, and must find the item read.
	s.cfg.Store.MarkSeen(r.Context(), j.ID, it.ID)
	s.audit(r.Context(), j, "download", "1 item")
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.age"`, fileStem(src, itemView{Item: it, N: n})))
	w.Header().Set("Content-Length", strconv.FormatInt(it.Size, 10))
	if _, err := io.Copy(w, f); err != nil {
		s.cfg.Log.Error("newsroom: download", "err", err)
	}
}
