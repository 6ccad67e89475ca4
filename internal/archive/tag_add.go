package archive

import (
	"errors"
	"net/http"
	"strconv"
)

// tagAdd tags a document the user reads; search's tag: filter then finds
// it.
func (s *Server) tagAdd(w http.ResponseWriter, r *http.Request, u User) {
	d, ok := s.readDoc(w, r, u)
	if !ok {
		return
	}
	if !s.posted(w, r, u, 16<<10, "/documents/"+d.ID) {
		return
	}
	back := docPage(d, r)
	tag, err := s.a.AddTag(r.Context(), d.ID, r.PostForm.Get("tag"))
	var in *InputError
	if errors.As(err, &in) {
		s.notice(w, r, u, http.StatusBadRequest, "archive.notice.tag", "archive.notice.tag.msg", back, in.Msg)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), u.Name, "tag document", d.Collection+"/"+d.Path+" "+tag)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// docPage is the document's page a parsed form came from (its page
// field).
func docPage(d *Document, r *http.Request) string {
	n, _ := strconv.Atoi(r.PostForm.Get("page"))
	return "/documents/" + d.ID + "?page=" + strconv.Itoa(max(n, 1))
}
