package archive

import "net/http"

// collectionTranslateCancel stops the collection's running machine
// translation, whichever server runs it; the pages translated so far are
// kept.
func (s *Server) collectionTranslateCancel(w http.ResponseWriter, r *http.Request, u User) {
	name, back, ok := s.batchForm(w, r, u, "archive.notice.batchcancel")
	if !ok {
		return
	}
	ok, err := s.batch.cancel(r.Context(), name)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if ok {
		s.audit(r.Context(), u.Name, "batch translation cancel", name)
	}
	http.Redirect(w, r, back+"#batch", http.StatusSeeOther)
}
