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
	src, it, ok := s.loadItem(w, r)
	if !ok {
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.manifest.age"`, fileStem(src, itemView{Item: it, N: n})))
	w.Header().Set("Content-Length", strconv.Itoa(len(it.Manifest)))
	w.Write(it.Manifest)
}
