package archive

import (
	"errors"
	"net/http"

	"confide/internal/web"
)

// redactionCreate makes a redacted copy of the document from the user's
// pending marks, in the background (one copy per user at a time, a few
// at once in all), and goes to the copy's page, which shows its progress
// and then its verification report. The draft is kept until the copy
// passed, so a failed copy is corrected, not marked again.
func (s *Server) redactionCreate(w http.ResponseWriter, r *http.Request, u User) {
	d, m, ok := s.draft(w, r, u)
	if !ok {
		return
	}
	if m.Empty() {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "archive.redact.empty", nil), "/documents/"+d.ID+"/redact")
		return
	}
	id, err := s.redact.start(r.Context(), u, d.ID, m)
	switch {
	case errors.Is(err, errYours):
		// The unfinished one is where the user wants to look.
		http.Redirect(w, r, "/redactions/"+id, http.StatusSeeOther)
		return
	case errors.Is(err, errBusy):
		s.fail(w, r, web.Fail(http.StatusServiceUnavailable, "archive.redact.busy", nil), "/documents/"+d.ID+"/redact")
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), u.Name, "redaction started", d.Collection+"/"+d.Path+": "+id+", "+m.String())
	http.Redirect(w, r, "/redactions/"+id, http.StatusSeeOther)
}
