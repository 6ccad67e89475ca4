package archive

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"confide/internal/web"
)

// originalDownload streams a document's original as an attachment and
// audits the export. Translators read, they do not export: refused.
func (s *Server) originalDownload(w http.ResponseWriter, r *http.Request, u User) {
	d, err := s.a.doc(r.Context(), r.PathValue("id"))
	if !s.found(w, r, err) {
		return
	}
	if !u.Reads(d.Collection) {
		s.notFound(w, r)
		return
	}
	if !u.Exports() {
		s.audit(r.Context(), u.Name, "download refused", d.Collection+"/"+d.Path)
		s.fail(w, r, web.Fail(http.StatusForbidden, "archive.forbidden", nil), "/documents/"+d.ID)
		return
	}
	f, name, err := s.a.Original(r.Context(), d)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.internal(w, r, err)
		return
	}
	// Audited before the first byte leaves: a download cut short still
	// counts as an export.
	if err := s.a.Audit(r.Context(), u.Name, "download original", d.Collection+"/"+d.Path); err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": web.SafeName(name)}))
	w.Header().Set("Content-Length", strconv.FormatInt(st.Size(), 10))
	io.Copy(w, f)
}
