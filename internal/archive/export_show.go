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
}

// exportForm is the export page's fields, kept when an export is refused.
type exportForm struct {
	Redaction, Pages, Quote, QuotePage, QuoteTranslation, Lang, Mask, Slug, Title string
	Checked                                                                       bool
}

// exportShow is the export page: which copy (the verified redacted copies,
// or the original unredacted), which pages, an excerpt, a translation,
// the public name; for journalists and admins.
func (s *Server) exportShow(w http.ResponseWriter, r *http.Request, u User) {
	d, ok := s.redactable(w, r, u, "export refused")
	if !ok {
		return
	}
	f := exportForm{Redaction: r.URL.Query().Get("redaction"), Slug: slugOf(d.Path)}
	s.renderExport(w, r, u, d, f, "", http.StatusOK)
}

func (s *Server) renderExport(w http.ResponseWriter, r *http.Request, u User, d *Document, f exportForm, problem string, status int) {
	data := exportData{User: u, Doc: d, Form: f, Error: problem}
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
	for l := range d.Translations {
		data.Langs = append(data.Langs, l)
	}
	slices.Sort(data.Langs)
	s.render.Render(w, status, "export", s.page(w, r, "archive.export.title", data, d.Path))
}
