package archive

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
)

// exportJobDownload sends a ready job's bundle, once its bytes hash again
// to the SHA-256 recorded when it was built (else nothing is sent); the
// download is audited before the first byte leaves.
func (s *Server) exportJobDownload(w http.ResponseWriter, r *http.Request, u User) {
	j, d, ok := s.exportJob(w, r, u)
	if !ok {
		return
	}
	back := "/exports/" + j.ID
	if j.State != ExportReady {
		s.notice(w, r, u, http.StatusConflict, "Not ready", "This export's bundle is "+j.State+", not ready to download.", back)
		return
	}
	f, err := s.a.openExportBundle(j)
	if errors.Is(err, ErrBundleGone) {
		s.audit(r.Context(), u.Name, "export download refused", d.Collection+"/"+d.Path+": job "+j.ID+": "+err.Error())
		s.notice(w, r, u, http.StatusGone, "Bundle gone", "The bundle is no longer what was built and recorded (missing, or its SHA-256 differs); nothing was sent. Export it again.", "/documents/"+d.ID+"/export?job="+j.ID)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer f.Close()
	s.audit(r.Context(), u.Name, "export download", d.Collection+"/"+d.Path+": bundle "+strconv.Quote(j.Slug)+" of job "+j.ID+", export "+j.ExportID+", sha256 "+j.Bundle)
	w.Header().Set("Content-Type", "application/x-tar")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": j.Slug + ".bundle"}))
	w.Header().Set("Content-Length", strconv.FormatInt(j.Size, 10))
	w.Header().Set("X-Bundle-SHA256", j.Bundle)
	io.Copy(w, f)
}
