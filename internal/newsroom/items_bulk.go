package newsroom

import (
	"archive/zip"
	"fmt"
	"net/http"
	"strings"

	"confide/internal/store"
	"confide/internal/web"
)

// itemsBulk acts on the items ticked on the source page, or on all of them:
// download as a zip of age files (with their sealed manifests), delete, or
// mark as seen.
func (s *Server) itemsBulk(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	src, ok := s.loadSource(w, r)
	if !ok {
		return
	}
	all, err := s.cfg.Store.Items(r.Context(), src.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	want := map[string]bool{}
	for _, id := range r.PostForm["item"] {
		want[id] = true
	}
	everything := r.PostForm.Get("scope") == "all"
	var chosen []itemView
	for i, it := range all {
		if everything || want[it.ID] {
			chosen = append(chosen, itemView{Item: it, N: i + 1})
		}
	}
	back := "/sources/" + src.ID
	if len(chosen) == 0 {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "newsroom.items.none", nil), back)
		return
	}
	switch r.PostForm.Get("op") {
	case "download":
		s.zipItems(w, r, j, src, chosen)
	case "delete":
		for _, it := range chosen {
			if err := s.deleteItem(r.Context(), src.ID, it.ID); err != nil {
				s.internal(w, r, err)
				return
			}
		}
		s.audit(r.Context(), j, "delete items", fmt.Sprintf("%d item(s)", len(chosen)))
		http.Redirect(w, r, back, http.StatusSeeOther)
	case "seen":
		ids := make([]string, len(chosen))
		for i, it := range chosen {
			ids[i] = it.ID
		}
		if err := s.cfg.Store.MarkSeen(r.Context(), j.ID, ids...); err != nil {
			s.internal(w, r, err)
			return
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
	default:
		s.fail(w, r, web.Fail(http.StatusBadRequest, "error.method", nil), back)
	}
}

// fileStem names an item's files in downloads: designation, number, kind.
func fileStem(src store.Source, it itemView) string {
	return fmt.Sprintf("%s-%03d-%s", strings.ReplaceAll(src.Designation, " ", "-"), it.N, it.Kind)
}

// zipItems streams a zip (stored, not compressed: ciphertext does not
// compress) of each item's age file and sealed manifest.
func (s *Server) zipItems(w http.ResponseWriter, r *http.Request, j store.Journalist, src store.Source, items []itemView) {
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.zip"`, strings.ReplaceAll(src.Designation, " ", "-")))
	zw := zip.NewWriter(w)
	ids := make([]string, 0, len(items))
	for _, it := range items {
		// The submission's day, as the page shows it, instead of the
		// zip format's zero date (1980-00-00).
		day := it.Created.Time()
		f, err := zw.CreateHeader(&zip.FileHeader{Name: fileStem(src, it) + ".age", Method: zip.Store, Modified: day})
		if err != nil {
			return
		}
		if err := s.copyBlob(f, it.Item); err != nil {
			s.cfg.Log.Error("newsroom: zip", "err", err)
			return // the truncated zip fails to open: no silent loss
		}
		m, err := zw.CreateHeader(&zip.FileHeader{Name: fileStem(src, it) + ".manifest.age", Method: zip.Store, Modified: day})
		if err != nil {
			return
		}
		m.Write(it.Manifest)
		ids = append(ids, it.ID)
	}
	if err := zw.Close(); err != nil {
		return
	}
	s.cfg.Store.MarkSeen(r.Context(), j.ID, ids...)
	s.audit(r.Context(), j, "download", fmt.Sprintf("%d item(s) as zip", len(items)))
}
