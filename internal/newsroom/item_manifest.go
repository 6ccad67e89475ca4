package newsroom

import (
	"fmt"
	"net/http"
	"strconv"

	"confide/internal/store"
)

// itemManifest serves one item's sealed manifest, the age file that holds
// its original name, type and exact size. The server cannot read it, so a
// single download cannot be named after the original: the journalist
// decrypts this beside the .age file (or lets the workstation do both).
func (s *Server) itemManifest(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	src, ok := s.loadSource(w, r)
	if !ok {
		return
	}
	it, err := s.cfg.Store.ItemByID(r.Context(), r.PathValue("item"))
	if err == nil && it.SourceID != src.ID {
		err = store.ErrNotFound
	}
	if !s.found(w, r, err) {
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.manifest.age"`, fileStem(src, itemView{Item: it, N: n})))
	w.Header().Set("Content-Length", strconv.Itoa(len(it.Manifest)))
	w.Write(it.Manifest)
}
