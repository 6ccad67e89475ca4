package archive

import (
	"net/http"
	"strconv"
)

type redactionData struct {
	User      User
	Doc       *Document
	Redaction *Redaction
	Pages     []int  // the copy's pages, for their images
	Summary   string // what it burned, in the page's language
}

// redactionShow is a redacted copy's page: running (it reloads itself
// every 3 seconds, no script), then its marks, its verification report
// check by check, and, when it passed, its pages as images and the way to
// export it. A copy that failed is not kept and says so.
func (s *Server) redactionShow(w http.ResponseWriter, r *http.Request, u User) {
	red, d, ok := s.redaction(w, r, u)
	if !ok {
		return
	}
	// A copy whose server is gone would otherwise reload here until this
	// server restarts (PostgreSQL: it was another's).
	if err := s.a.interrupted(r.Context(), red); err != nil {
		s.log.Error("archive: redaction", "id", red.ID, "err", err)
	}
	data := redactionData{User: u, Doc: d, Redaction: red}
	if red.State == RedactionRunning {
		w.Header().Set("Refresh", "3")
	}
	if red.Verified() {
		for i := range red.Pages {
			data.Pages = append(data.Pages, i+1)
		}
	}
	s.audit(r.Context(), u.Name, "view redaction", d.Collection+"/"+d.Path+": "+red.ID)
	p := s.page(w, r, "archive.redaction.title", nil, d.Path)
	data.Summary = red.summary(s.render.Cat, p.Lang)
	p.Data = data
	s.render.Render(w, http.StatusOK, "redaction", p)
}

// redaction finds a redaction and its document for u: its collection
// granted (else 404) and u not a translator.
func (s *Server) redaction(w http.ResponseWriter, r *http.Request, u User) (*Redaction, *Document, bool) {
	red, err := s.a.Redaction(r.Context(), r.PathValue("rid"))
	if !s.found(w, r, err) {
		return nil, nil, false
	}
	r.SetPathValue("id", red.DocID)
	d, ok := s.redactable(w, r, u, "redaction refused")
	return red, d, ok
}

// redactionPageImage is page n of a verified copy, rendered at 100 dpi,
// for the journalist to look at what will be published.
func (s *Server) redactionPageImage(w http.ResponseWriter, r *http.Request, u User) {
	red, _, ok := s.redaction(w, r, u)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > red.Pages {
		s.notFound(w, r)
		return
	}
	f, _, err := s.a.RedactedCopy(r.Context(), red.ID)
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	s.servePDFPage(w, r, f.Name(), n)
}
