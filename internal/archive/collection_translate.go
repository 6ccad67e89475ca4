package archive

import (
	"errors"
	"net/http"

	"confide/internal/translate"
)

// collectionTranslate starts a machine translation of the collection's
// pages in the background (journalists and admins): one per collection at
// a time, a few over all (over every server on the database), every page
// stored as a machine draft as soon as the engine gives it back.
func (s *Server) collectionTranslate(w http.ResponseWriter, r *http.Request, u User) {
	name, back, ok := s.batchForm(w, r, u, "archive.notice.batchstart")
	if !ok {
		return
	}
	lang := translate.Canon(r.PostForm.Get("lang"))
	err := s.batch.start(name, lang, r.PostForm.Get("engine"), u.Name)
	var in *InputError
	switch {
	case errors.As(err, &in):
		s.notice(w, r, u, http.StatusBadRequest, "archive.notice.cannottranslate", "archive.notice.input", back, in.Msg)
		return
	case errors.Is(err, ErrBatchRunning):
		s.notice(w, r, u, http.StatusConflict, "archive.notice.translating", "archive.notice.translating.msg", back)
		return
	case errors.Is(err, ErrBatchBusy):
		w.Header().Set("Retry-After", "60")
		s.notice(w, r, u, http.StatusServiceUnavailable, "archive.notice.busy", "archive.notice.busy.msg", back)
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), u.Name, "batch translation started", name+" into "+lang+" with "+r.PostForm.Get("engine"))
	http.Redirect(w, r, back+"#batch", http.StatusSeeOther)
}

// batchForm reads a batch form posted to a collection's page: 404 for a
// collection the user does not read, a refusal (why, a catalogue key) for
// a translator.
func (s *Server) batchForm(w http.ResponseWriter, r *http.Request, u User, why string) (name, back string, ok bool) {
	name = r.PathValue("name")
	if !u.Reads(name) {
		s.notFound(w, r)
		return "", "", false
	}
	back = "/collections/" + name
	if !s.posted(w, r, u, 16<<10, back) {
		return "", "", false
	}
	if !u.Exports() {
		s.notice(w, r, u, http.StatusForbidden, "archive.notice.translators", why, back)
		return "", "", false
	}
	return name, back, true
}
