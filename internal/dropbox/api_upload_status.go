package dropbox

import (
	"confide/internal/api"
	"confide/internal/web"
	"net/http"
	"strconv"
)

// apiUploadStatus tells a resuming client where to continue.
func (s *Server) apiUploadStatus(w http.ResponseWriter, r *http.Request, sourceID string) {
	up := s.uploads.get(sourceID, r.PathValue("id"))
	if up == nil {
		s.apiFail(w, http.StatusNotFound, "no such upload: it may have expired, or the server restarted; start it again", nil)
		return
	}
	up.mu.Lock()
	off := up.z.manifest.Size
	up.mu.Unlock()
	w.Header().Set(api.OffsetHeader, strconv.FormatInt(off, 10))
	web.WriteJSON(w, http.StatusOK, api.Upload{ID: up.id, Offset: off})
}
