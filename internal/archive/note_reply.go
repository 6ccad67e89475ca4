package archive

import (
	"errors"
	"net/http"
	"strconv"
)

type replyFormData struct {
	User  User
	Note  int64
	Body  string
	Error string
	Back  string
}

// noteReply adds a reply to a note of a document the user reads; a
// refused reply comes back in its box with the reason.
func (s *Server) noteReply(w http.ResponseWriter, r *http.Request, u User) {
	id, err := strconv.ParseInt(r.PathValue("nid"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	d, err := s.a.NoteDocument(r.Context(), id)
	if !s.found(w, r, err) {
		return
	}
	if !u.Reads(d.Collection) {
		s.notFound(w, r)
		return
	}
	back := "/documents/" + d.ID
	if !s.posted(w, r, u, 64<<10, back) {
		return
	}
	body := r.PostForm.Get("body")
	_, err = s.a.AddReply(r.Context(), id, body, u.Name)
	var in *InputError
	if errors.As(err, &in) {
		s.render.Render(w, http.StatusBadRequest, "reply", s.page(w, r, "archive.notes.reply", replyFormData{User: u, Note: id, Body: body, Error: in.Msg, Back: back}))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	page := 1
	if notes, err := s.a.Notes(r.Context(), d.ID); err == nil {
		for _, n := range notes {
			if n.ID == id {
				page = n.Page
			}
		}
	}
	s.audit(r.Context(), u.Name, "reply to note", d.Collection+"/"+d.Path)
	http.Redirect(w, r, back+"?page="+strconv.Itoa(page)+"#note-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
