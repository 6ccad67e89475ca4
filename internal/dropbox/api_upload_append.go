package dropbox

import (
	"confide/internal/api"
	"confide/internal/web"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// apiUploadAppend adds bytes at Upload-Offset, which must be exactly where
// the upload stands. What arrived before a connection dropped is kept; the
// client asks apiUploadStatus and continues from there.
func (s *Server) apiUploadAppend(w http.ResponseWriter, r *http.Request, sourceID string) {
	up := s.uploads.get(sourceID, r.PathValue("id"))
	if up == nil {
		s.apiFail(w, http.StatusNotFound, "no such upload: it may have expired, or the server restarted; start it again", nil)
		return
	}
	off, err := api.ParseOffset(r.Header.Get(api.OffsetHeader))
	if err != nil {
		s.apiFail(w, http.StatusBadRequest, "Upload-Offset must be a non-negative whole number, in plain digits", nil)
		return
	}
	if !up.mu.TryLock() {
		s.apiFail(w, http.StatusConflict, "another request is writing to this upload", nil)
		return
	}
	defer up.mu.Unlock()
	if up.gone {
		s.apiFail(w, http.StatusNotFound, "no such upload: it may have expired; start it again", nil)
		return
	}
	have := up.z.manifest.Size
	if off != have {
		web.WriteJSON(w, http.StatusConflict, api.OffsetConflict{Error: fmt.Sprintf("out of order: the upload is at byte %d", have), Offset: have})
		return
	}
	s.uploads.touch(sourceID)
	defer s.uploads.touch(sourceID)
	room := s.cfg.MaxUpload - have
	if r.ContentLength > room {
		s.apiFail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is over this dropbox's limit of %d bytes", s.cfg.MaxUpload), nil)
		return
	}
	_, err = io.Copy(up.z, &limitedBody{r: r.Body, left: room})
	if errors.Is(err, errTooLarge) {
		s.uploads.remove(up)
		s.apiFail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is over this dropbox's limit of %d bytes; the upload was discarded", s.cfg.MaxUpload), nil)
		return
	}
	now := up.z.manifest.Size
	w.Header().Set(api.OffsetHeader, strconv.FormatInt(now, 10))
	if err != nil {
		web.WriteJSON(w, http.StatusBadRequest, api.OffsetConflict{Error: "the upload was interrupted; resume from offset", Offset: now})
		return
	}
	web.WriteJSON(w, http.StatusOK, api.Upload{ID: up.id, Offset: now})
}
