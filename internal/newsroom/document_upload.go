package newsroom

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"confide/internal/bundle"
	"confide/internal/store"
	"confide/internal/web"
)

// documentUpload puts a bundle exported from the archive on the public site,
// from the stories page: the form's first part is its CSRF token, the
// second the bundle, streamed through the site's checks (nothing of a bad
// bundle is kept). It is signed in like every page, but reads its own body:
// the 1 MiB form limit would cut any real bundle.
func (s *Server) documentUpload(w http.ResponseWriter, r *http.Request) {
	j, sess, err := s.current(r, kindWeb)
	if errors.Is(err, store.ErrNotFound) {
		http.Redirect(w, r, "/login?next=/stories", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.auth.Touch(r.Context(), sess)
	if s.cfg.Publish == nil {
		s.notFound(w, r)
		return
	}
	max := s.cfg.MaxBundle
	if max <= 0 {
		max = 1 << 30
	}
	r.Body = http.MaxBytesReader(w, r.Body, max)
	mr, err := r.MultipartReader()
	if err != nil {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "newsroom.documents.malformed", err), "/stories")
		return
	}
	part, err := mr.NextPart()
	if err != nil || part.FormName() != web.Field {
		s.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", err), "/stories")
		return
	}
	token, err := io.ReadAll(io.LimitReader(part, 256))
	if err != nil || !s.csrf.Valid(r, string(token)) {
		s.fail(w, r, web.Fail(http.StatusForbidden, "error.csrf", err), "/stories")
		return
	}
	part, err = mr.NextPart()
	if err != nil || part.FormName() != "bundle" {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "newsroom.documents.malformed", err), "/stories")
		return
	}
	m, updated, err := s.cfg.Publish(r.Context(), part)
	if errors.Is(err, bundle.ErrInvalid) {
		s.storiesPage(w, r, j, http.StatusBadRequest, strings.TrimPrefix(err.Error(), bundle.ErrInvalid.Error()+": "), "")
		return
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.fail(w, r, web.Fail(http.StatusRequestEntityTooLarge, "newsroom.documents.toolarge", err), "/stories")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	verb := "publish document"
	if updated {
		verb = "update document"
	}
	s.audit(r.Context(), j, verb, m.Slug)
	http.Redirect(w, r, "/stories?document="+m.Slug, http.StatusSeeOther)
}
