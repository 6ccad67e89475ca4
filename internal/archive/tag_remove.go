package archive

import "net/http"

// tagRemove takes a tag off a document the user reads.
func (s *Server) tagRemove(w http.ResponseWriter, r *http.Request, u User) {
	d, ok := s.readDoc(w, r, u)
	if !ok {
		return
	}
	if !s.posted(w, r, u, 16<<10, "/documents/"+d.ID) {
		return
	}
	tag := r.PostForm.Get("tag")
	if err := s.a.RemoveTag(r.Context(), d.ID, tag); err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), u.Name, "untag document", d.Collection+"/"+d.Path+" "+tag)
	http.Redirect(w, r, docPage(d, r), http.StatusSeeOther)
}
