package newsroom

import (
	"io"
	"net/http"
	"strconv"

	"confide/internal/store"
)

// itemOpen is the demo-only shortcut: it decrypts an item with the demo
// identity and streams the plaintext to the browser as a download under its
// original name. The plaintext exists only in memory on its way out; it is
// never written to the server's disk. Outside the demo, or for anyone but
// the demo journalist, the item is as unknown as a missing one.
func (s *Server) itemOpen(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	if !s.demoReads(j) {
		s.found(w, r, store.ErrNotFound)
		return
	}
	src, it, ok := s.loadItem(w, r)
	if !ok {
		return
	}
	m, plain, c, err := s.demoOpen(it)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer c.Close()
	s.cfg.Store.MarkSeen(r.Context(), j.ID, it.ID)
	s.audit(r.Context(), j, "download", "1 item decrypted (demo)")
	name := m.Name
	if it.Kind != store.KindFile || name == "" {
		name = fileStem(src, itemView{Item: it}) + ".txt"
	}
	// Always a download, never rendered: what a source sent is not a page
	// of this site.
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", attachment(name))
	w.Header().Set("Content-Length", strconv.FormatInt(m.Size, 10))
	if _, err := io.Copy(w, plain); err != nil {
		s.cfg.Log.Error("newsroom: demo open", "err", err)
	}
}
