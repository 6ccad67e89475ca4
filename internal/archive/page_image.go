package archive

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// pageImage serves a page's image, rendered on the server into memory (see
// Archive.PageImage): at most the process's tool slots render at once, a
// render taking longer than 30 seconds is given up.
func (s *Server) pageImage(w http.ResponseWriter, r *http.Request, u User) {
	d, err := s.a.Show(r.Context(), r.PathValue("id"))
	if !s.found(w, r, err) {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if !u.Reads(d.Collection) || err != nil {
		s.notFound(w, r)
		return
	}
	s.serveImage(w, r, func(ctx context.Context, buf *bytes.Buffer) (string, error) { return s.a.PageImage(ctx, d, n, buf) })
}

// servePDFPage serves page n of the PDF at file, rendered as PageImage
// renders a PDF's.
func (s *Server) servePDFPage(w http.ResponseWriter, r *http.Request, file string, n int) {
	s.serveImage(w, r, func(ctx context.Context, buf *bytes.Buffer) (string, error) {
		return "image/png", s.a.renderPDFPage(ctx, file, "the redacted copy", n, buf)
	})
}

// serveImage serves the image render writes into memory, given 30 seconds.
func (s *Server) serveImage(w http.ResponseWriter, r *http.Request, render func(context.Context, *bytes.Buffer) (string, error)) {
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	var buf bytes.Buffer
	typ, err := render(ctx, &buf)
	if errors.Is(err, ErrNoImage) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
}
