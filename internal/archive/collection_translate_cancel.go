package archive

import "net/http"

// collectionTranslateCancel stops the collection's running machine
// translation; the pages translated so far are kept.
func (s *Server) collectionTranslateCancel(w http.ResponseWriter, r *http.Request, u User) {
	name, back, ok := s.batchForm(w, r, u, "archive.notice.batchcancel")
	if !ok {
		return
	}
	if s.batch.cancel(name) {
		s.audit(r.Context(), u.Name, "batch translation cancel", name)
	}
	http.Redirect(w, r, back+"#batch", http.StatusSeeOther)
}
