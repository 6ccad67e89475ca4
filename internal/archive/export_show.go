package archive

import (
	"net/http"
	"slices"
)

type exportData struct {
	User   User
	Doc    *Document
	Copies []*Redaction // the verified ones
	Failed int          // copies that did not pass: never offered
	Langs  []string     // translations present
	Form   exportForm
	Error  string
	// Pending is the user's unfinished export job, when a new one was
	// refused for it.
	Pending string
	Jobs    []*ExportJob // the user's latest exports of the document, newest first
}

// shownJobs is how many of a user's exports of a document its export page
// lists.
const shownJobs = 5

// exportForm is the export page's fields, kept when an export is refused
// and stored with its job (JSON) to build it and to ask again.
type exportForm struct {
	Redaction, Pages, Quote, QuotePage, QuoteTranslation, Lang, Mask, Slug, Title string
	Checked                                                                       bool
}

// exportShow is the export page: which copy (the verified redacted copies,
// or the original unredacted), which pages, an excerpt, a translation,
// the public name; for journalists and admins. ?job=ID fills the form
// with what that job of the user's asked (one that failed, asked again).
func (s *Server) exportShow(w http.ResponseWriter, r *http.Request, u User) {
	d, ok := s.redactable(w, r, u, "export refused")
	if !ok {
		return
	}
	f := exportForm{Redaction: r.URL.Query().Get("redaction"), Slug: slugOf(d.Path)}
	if id := r.URL.Query().Get("job"); id != "" {
		if j, err := s.a.ExportJob(r.Context(), id); err == nil && j.DocID == d.ID && j.UserID == u.ID {
			f = j.Form
		}
	}
	s.renderExport(w, r, u, d, f, "", http.StatusOK)
}

func (s *Server) renderExport(w http.ResponseWriter, r *http.Request, u User, d *Document, f exportForm, problem string, status int) {
	s.renderExportData(w, r, exportData{User: u, Doc: d, Form: f, Error: problem}, status)
}

// renderExportPending answers a new export while the user's job pending
// is unfinished: the form as filled, and a link to that job.
func (s *Server) renderExportPending(w http.ResponseWriter, r *http.Request, u User, d *Document, f exportForm, pending string) {
	s.renderExportData(w, r, exportData{User: u, Doc: d, Form: f, Pending: pending}, http.StatusConflict)
}

func (s *Server) renderExportData(w http.ResponseWriter, r *http.Request, data exportData, status int) {
	d := data.Doc
	all, err := s.a.Redactions(r.Context(), d.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Verified() {
			data.Copies = append(data.Copies, all[i])
		} else if all[i].State != RedactionRunning {
			data.Failed++
		}
	}
	jobs, err := s.a.exportJobs(r.Context(), `WHERE doc_id = ? AND user_id = ?`, d.ID, data.User.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for i := len(jobs) - 1; i >= 0 && len(data.Jobs) < shownJobs; i-- {
		data.Jobs = append(data.Jobs, jobs[i])
	}
	for l := range d.Translations {
		data.Langs = append(data.Langs, l)
	}
	slices.Sort(data.Langs)
	s.render.Render(w, status, "export", s.page(w, r, "archive.export.title", data, d.Path))
}
