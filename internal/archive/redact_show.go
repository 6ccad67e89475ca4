package archive

import (
	"net/http"
	"strconv"

	"confide/internal/ingest"
	"confide/internal/web"
)

type redactData struct {
	User   User
	Doc    *Document
	Page   *Page // nil for a document without text
	N      int   // the page shown
	Pages  []pageLink
	Image  string // the page image's URL, "" when the page has none
	Canvas canvas
	// Views are the page image at each size offered, with the marks'
	// boxes on this page and a box's first corner drawn in its pixels.
	Views  []canvasView
	Marks  Marks
	Corner bool // a box is being drawn on this page
	// Elsewhere counts the boxes on other pages.
	Elsewhere int
	Words     [][]wordChoice
	// Copies are the document's redactions, newest first.
	Copies []*Redaction
}

// shownBox is a box of the marks drawn over the page image.
type shownBox struct {
	Index      int // in Marks.Boxes
	Page       int
	X, Y, W, H int
}

// redactShow is the redaction page of a document, for journalists and
// admins: the page image (a click sets a box's corner; no script: the
// image is a form's <input type="image">), the boxes marked so far drawn
// over it, the terms marked, the page's words to choose from, and the
// button that makes the redacted copy.
func (s *Server) redactShow(w http.ResponseWriter, r *http.Request, u User) {
	d, ok := s.redactable(w, r, u, "redaction refused")
	if !ok {
		return
	}
	data := redactData{User: u, Doc: d}
	var err error
	if data.Marks, err = s.a.Draft(r.Context(), d.ID, u.ID); err != nil {
		s.internal(w, r, err)
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	n = min(max(n, 1), max(len(d.Pages), 1))
	data.N = n
	if len(d.Pages) > 0 {
		data.Page = &d.Pages[n-1]
		data.Words = pageWords(data.Page.Text)
		for i := range d.Pages {
			data.Pages = append(data.Pages, pageLink{Number: i + 1, URL: "/documents/" + d.ID + "/redact?page=" + strconv.Itoa(i+1), Current: i+1 == n})
		}
	}
	if d.Type == ingest.TypePDF || (n == 1 && (d.Type == ingest.TypePNG || d.Type == ingest.TypeJPEG)) {
		if c, err := s.a.pageCanvas(r.Context(), d, n); err == nil {
			data.Canvas = c
			data.Image = "/documents/" + d.ID + "/pages/" + strconv.Itoa(n) + "/image"
		} else {
			s.log.Warn("archive: no page image to redact on", "doc", d.ID, "page", n, "err", err)
		}
	}
	if data.Image != "" {
		data.Views = data.Canvas.views()
	}
	for i, b := range data.Marks.Boxes {
		if b.Page != n {
			data.Elsewhere++
		}
		for j, v := range data.Views {
			if b.Page == n {
				data.Views[j].Boxes = append(data.Views[j].Boxes, data.Canvas.show(v, b, i))
			}
		}
	}
	if c := data.Marks.Corner; c != nil && c.Page == n && data.Image != "" {
		data.Corner = true
		for j, v := range data.Views {
			sb := data.Canvas.show(v, *c, -1)
			data.Views[j].Corner = &sb
		}
	}
	all, err := s.a.Redactions(r.Context(), d.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for i := len(all) - 1; i >= 0; i-- {
		data.Copies = append(data.Copies, all[i])
	}
	s.audit(r.Context(), u.Name, "view redaction", d.Collection+"/"+d.Path)
	s.render.Render(w, http.StatusOK, "redact", s.page(w, r, "archive.redact.title", data, d.Path))
}

// redactable finds the document of a redaction or export request that u
// may make: a granted collection (else 404, as a missing document), not a
// translator (403, audited as refused), a file ingested as itself in a format the
// redaction reads.
func (s *Server) redactable(w http.ResponseWriter, r *http.Request, u User, refused string) (*Document, bool) {
	d, ok := s.readDoc(w, r, u)
	if !ok {
		return nil, false
	}
	if !u.Exports() {
		s.audit(r.Context(), u.Name, refused, d.Collection+"/"+d.Path)
		s.fail(w, r, web.Fail(http.StatusForbidden, "archive.forbidden.export", nil), "/documents/"+d.ID)
		return nil, false
	}
	if !redactable(d) {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "archive.redact.format", nil), "/documents/"+d.ID)
		return nil, false
	}
	return d, true
}
