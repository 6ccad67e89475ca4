package archive

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"

	"confide/internal/web"
)

// maxExports is how many web exports are built at once.
const maxExports = 2

// exportCreate makes the bundle the export page asked for and sends it as
// a download. The bundle is made in full first (in the process's own
// temporary folder, under the data folder), so a refusal (a copy that did
// not pass verification, a quote not on the page) is answered on the form
// with nothing sent; the export is audited before the first byte leaves.
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
	req := ExportRequest{DocID: d.ID, Quote: f.Quote, QuoteTranslation: f.QuoteTranslation, Lang: f.Lang, Slug: f.Slug, Title: f.Title, Who: u.Name,
		TranslationChecked: v.Get("translation_checked") == "yes"}
	if f.Redaction == "original" {
		req.Unredacted = true
	} else {
		req.RedactionID = f.Redaction
	}
	for _, m := range strings.Split(f.Mask, "\n") {
		if m = strings.TrimSpace(m); m != "" {
			req.Mask = append(req.Mask, m)
		}
	}
	var err error
	if f.Pages != "" {
		if req.From, req.To, err = ParsePages(f.Pages); err != nil {
			s.renderExport(w, r, u, d, f, "Pages: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	if f.QuotePage != "" {
		if req.QuotePage, err = strconv.Atoi(f.QuotePage); err != nil {
			s.renderExport(w, r, u, d, f, "The excerpt's page is not a number.", http.StatusBadRequest)
			return
		}
	}
	select {
	case s.exports <- struct{}{}:
		defer func() { <-s.exports }()
	default:
		s.fail(w, r, web.Fail(http.StatusServiceUnavailable, "archive.export.busy", nil), "/documents/"+d.ID+"/export")
		return
	}
	tmp, err := os.CreateTemp(s.a.tmp, "bundle-*")
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	rec, err := s.a.Export(r.Context(), req, tmp)
	switch {
	case errors.Is(err, ErrUnverified):
		s.audit(r.Context(), u.Name, "export refused", d.Collection+"/"+d.Path+": redaction "+req.RedactionID+" not verified")
		s.fail(w, r, web.Fail(http.StatusForbidden, "archive.export.unverified", err), "/documents/"+d.ID+"/export")
		return
	case errors.Is(err, ErrExport), errors.Is(err, ErrNotFound):
		s.renderExport(w, r, u, d, f, strings.TrimPrefix(strings.TrimPrefix(err.Error(), ErrExport.Error()+": "), "archive: "), http.StatusBadRequest)
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	st, err := tmp.Stat()
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if _, err := tmp.Seek(0, 0); err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-tar")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": rec.Slug + ".bundle"}))
	w.Header().Set("Content-Length", strconv.FormatInt(st.Size(), 10))
	w.Header().Set("X-Bundle-SHA256", rec.Bundle)
	io.Copy(w, tmp)
}
