package archive

import "net/http"

// collectionTranslateCancel stops the collection's running machine
// translation; the pages translated so far are kept.
func (s *Server) collectionTranslateCancel(w http.ResponseWriter, r *http.Request, u User) {
	name := r.PathValue("name")
	if !u.Reads(name) {
		s.notFound(w, r)
		return
	}
	back := "/collections/" + name
	if !s.posted(w, r, u, 16<<10, back) {
		return
	}
	if !u.Exports() {
		s.notice(w, r, u, http.StatusForbidden, "Not for translators", "A machine translation is cancelled by a journalist or an admin.", back)
		return
	}
	if s.batch.cancel(name) {
		s.audit(r.Context(), u.Name, "batch translation cancel", name)
	}
	http.Redirect(w, r, back+"#batch", http.StatusSeeOther)
}
