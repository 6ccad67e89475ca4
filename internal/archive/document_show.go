package archive

import (
	"net/http"
	"strconv"

	"confide/internal/ingest"
)

type documentData struct {
	User    User
	Doc     *Document
	Custody *Custody
	Page    *Page // the page shown, nil for a document without pages
	Image   string
	Pages   []pageLink
	Prev    string
	Next    string
	// Parent is the document this one is inside, for the tree.
	Parent  *Child
	Exports bool
}

// documentShow is a document: the page image beside the page's text, one
// page at a time (?page=N), with its OCR confidence; its metadata, the
// document tree around it, its custody trail and the download of its
// original (not for translators). Each view is audited.
func (s *Server) documentShow(w http.ResponseWriter, r *http.Request, u User) {
	d, err := s.a.Show(r.Context(), r.PathValue("id"))
	if !s.found(w, r, err) {
		return
	}
	if !u.Reads(d.Collection) {
		s.notFound(w, r)
		return
	}
	c, err := s.a.Custody(r.Context(), d.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	data := documentData{User: u, Doc: d, Custody: c, Exports: u.Exports()}
	if d.Parent != "" {
		if p, err := s.a.doc(r.Context(), d.Parent); err == nil {
			data.Parent = &Child{ID: p.ID, Path: p.Path, Type: p.Type}
		}
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	n = min(max(n, 1), max(len(d.Pages), 1))
	if len(d.Pages) > 0 {
		data.Page = &d.Pages[n-1]
		base := "/documents/" + d.ID + "?page="
		for i := range d.Pages {
			data.Pages = append(data.Pages, pageLink{Number: i + 1, URL: base + strconv.Itoa(i+1), Current: i+1 == n})
		}
		if n > 1 {
			data.Prev = base + strconv.Itoa(n-1)
		}
		if n < len(d.Pages) {
			data.Next = base + strconv.Itoa(n+1)
		}
		if d.Type == ingest.TypePDF || (n == 1 && (d.Type == ingest.TypePNG || d.Type == ingest.TypeJPEG)) {
			if f, err := s.a.stored(d); err == nil {
				f.Close()
				data.Image = "/documents/" + d.ID + "/pages/" + strconv.Itoa(n) + "/image"
			}
		}
	}
	s.audit(r.Context(), u.Name, "view document", d.Collection+"/"+d.Path)
	s.render.Render(w, http.StatusOK, "document", s.page(w, r, d.Path, data))
}
