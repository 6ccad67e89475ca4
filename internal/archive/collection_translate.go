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
	name, back, ok := s.batchForm(w, r, u, "Machine translation of a whole collection is started by a journalist or an admin. You translate and review pages from each document's page.")
	if !ok {
		return
	}
	lang := translate.Canon(r.PostForm.Get("lang"))
	err := s.batch.start(name, lang, r.PostForm.Get("engine"), u.Name)
	var in *InputError
	switch {
	case errors.As(err, &in):
		s.notice(w, r, u, http.StatusBadRequest, "Cannot translate", in.Msg+".", back)
		return
	case errors.Is(err, ErrBatchRunning):
		s.notice(w, r, u, http.StatusConflict, "Already translating", "A machine translation of this collection is running; cancel it or wait for it to end.", back)
		return
	case errors.Is(err, ErrBatchBusy):
		w.Header().Set("Retry-After", "60")
		s.notice(w, r, u, http.StatusServiceUnavailable, "Busy", "Other collections are being translated; start this one when one of them ends.", back)
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), u.Name, "batch translation started", name+" into "+lang+" with "+r.PostForm.Get("engine"))
	http.Redirect(w, r, back+"#batch", http.StatusSeeOther)
}

// batchForm reads a batch form posted to a collection's page: 404 for a
// collection the user does not read, a refusal (why) for a translator.
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
		s.notice(w, r, u, http.StatusForbidden, "Not for translators", why, back)
		return "", "", false
	}
	return name, back, true
}
