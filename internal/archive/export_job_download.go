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
		s.notice(w, r, u, http.StatusConflict, "archive.notice.notready", "archive.notice.notready.msg", back, s.render.Cat.T(s.lang(r), "archive.export.state."+j.State))
		return
	}
	f, err := s.a.openExportBundle(j)
	if errors.Is(err, ErrBundleGone) {
		s.audit(r.Context(), u.Name, "export download refused", d.Collection+"/"+d.Path+": job "+j.ID+": "+err.Error())
		s.notice(w, r, u, http.StatusGone, "archive.notice.gone", "archive.notice.gone.msg", "/documents/"+d.ID+"/export?job="+j.ID)
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
