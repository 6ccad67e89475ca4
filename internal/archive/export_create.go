package archive

import (
	"errors"
	"net/http"
	"strings"

	"confide/internal/web"
)

// exportCreate checks the export the page asked for and queues its
// bundle, then goes to the job's page, which shows its progress and then
// the download. What can be refused without building (a copy that did
// not pass verification, a quote not on the page, pages past the end) is
// answered on the form, the fields kept, and nothing is queued; past the
// bound the page says busy.
func (s *Server) exportCreate(w http.ResponseWriter, r *http.Request, u User) {
	if !s.form(w, r, "/documents/"+r.PathValue("id")+"/export") {
		return
	}
	d, ok := s.redactable(w, r, u, "export refused")
	if !ok {
		return
	}
	v := r.PostForm
	f := exportForm{Redaction: v.Get("redaction"), Pages: v.Get("pages"), Quote: v.Get("quote"), QuotePage: v.Get("quote_page"),
		QuoteTranslation: v.Get("quote_translation"), Lang: v.Get("lang"), Checked: v.Get("translation_checked") == "yes", Mask: v.Get("mask"), Slug: strings.TrimSpace(v.Get("slug")), Title: v.Get("title")}
	req, problem := exportRequest(f, d.ID, u.Name)
	if problem != "" {
		s.renderExport(w, r, u, d, f, problem, http.StatusBadRequest)
		return
	}
	err := s.a.CheckExport(r.Context(), req)
	switch {
	case errors.Is(err, ErrUnverified):
		s.audit(r.Context(), u.Name, "export refused", d.Collection+"/"+d.Path+": redaction "+req.RedactionID+" not verified")
		s.fail(w, r, web.Fail(http.StatusForbidden, "archive.export.unverified", err), "/documents/"+d.ID+"/export")
		return
	case errors.Is(err, ErrExport), errors.Is(err, ErrNotFound):
		s.renderExport(w, r, u, d, f, exportProblem(err), http.StatusBadRequest)
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	id, err := s.export.start(r.Context(), u, d, f)
	switch {
	case errors.Is(err, errYours):
		// The new request stays on its form: the unfinished one is linked.
		s.renderExportPending(w, r, u, d, f, id)
		return
	case errors.Is(err, errBusy):
		w.Header().Set("Retry-After", "60")
		s.fail(w, r, web.Fail(http.StatusServiceUnavailable, "archive.export.busy", nil), "/documents/"+d.ID+"/export")
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), u.Name, "export queued", d.Collection+"/"+d.Path+": job "+id)
	http.Redirect(w, r, "/exports/"+id, http.StatusSeeOther)
}
