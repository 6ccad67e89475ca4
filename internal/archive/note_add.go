package archive

import (
	"errors"
	"net/http"
	"strconv"
)

type noteFormData struct {
	User    User
	Doc     *Document
	Page    int
	Quote   string
	Body    string
	Error   string
	Choices []Occurrence // the places the words are, to choose from
}

// noteAdd stores a note on words of a page. Words that are not on the
// page, or that are there more than once, bring back a form with the
// user's text: the reason, or the places to choose from (radio buttons,
// each with its context).
func (s *Server) noteAdd(w http.ResponseWriter, r *http.Request, u User) {
	d, n, ok := s.readPage(w, r, u)
	if !ok {
		return
	}
	back := "/documents/" + d.ID + "?page=" + strconv.Itoa(n)
	if !s.posted(w, r, u, 64<<10, back) {
		return
	}
	f := noteFormData{User: u, Doc: d, Page: n, Quote: r.PostForm.Get("quote"), Body: r.PostForm.Get("body")}
	occ, _ := strconv.Atoi(r.PostForm.Get("occurrence"))
	note, err := s.a.AddNote(r.Context(), d.ID, n, f.Quote, occ, f.Body, u.Name)
	var amb *AmbiguousError
	var in *InputError
	switch {
	case errors.As(err, &amb):
		p := s.page(w, r, "archive.notes.add", nil)
		f.Error, f.Choices = s.render.Cat.N(p.Lang, "archive.note.ambiguous", len(amb.Choices)), amb.Choices
		p.Data = f
		s.render.Render(w, http.StatusConflict, "note", p)
		return
	case errors.As(err, &in):
		f.Error = in.Msg
		s.render.Render(w, http.StatusBadRequest, "note", s.page(w, r, "archive.notes.add", f))
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), u.Name, "add note", d.Collection+"/"+d.Path+" page "+strconv.Itoa(n))
	http.Redirect(w, r, back+"#note-"+strconv.FormatInt(note.ID, 10), http.StatusSeeOther)
}
