package dropbox

import (
	"confide/internal/api"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

	"confide/internal/web"

	"confide/internal/store"
)

// apiUploadCreate opens an upload. The name is only ever sealed into the
// manifest: it never becomes a path on this server.
func (s *Server) apiUploadCreate(w http.ResponseWriter, r *http.Request, sourceID string) {
	var req api.UploadRequest
	if !web.ReadJSON(w, r, 64<<10, &req) {
		return
	}
	if req.Kind != store.KindFile && req.Kind != store.KindMessage {
		s.apiFail(w, http.StatusBadRequest, `kind must be "file" or "message"`, nil)
		return
	}
	if len(req.Name) > 1024 || len(req.ContentType) > 255 || !utf8.ValidString(req.Name) {
		s.apiFail(w, http.StatusBadRequest, "name or content_type is too long, or not UTF-8", nil)
		return
	}
	if req.Kind == store.KindFile && req.Name == "" {
		s.apiFail(w, http.StatusBadRequest, "a file needs a name", nil)
		return
	}
	if len(req.Resume) > 64 {
		s.apiFail(w, http.StatusBadRequest, "resume is a tag of at most 64 characters", nil)
		return
	}
	if up := s.uploads.resumed(sourceID, req.Resume); up != nil {
		up.mu.Lock()
		off := up.z.manifest.Size
		up.mu.Unlock()
		web.WriteJSON(w, http.StatusOK, api.Upload{ID: up.id, Offset: off})
		return
	}
	rcpts, err := s.recipients(r.Context())
	if err != nil {
		s.apiFail(w, http.StatusServiceUnavailable, "this dropbox is not accepting submissions yet", nil)
		return
	}
	if err := s.uploads.room(sourceID); err != nil {
		s.uploadRefused(w, err)
		return
	}
	if !s.takeFile() {
		s.uploadRefused(w, errUploadsFull)
		return
	}
	z, err := s.newSealer(rcpts, req.Kind, req.Name, req.ContentType)
	if err != nil {
		s.files.give(1)
		s.apiFail(w, http.StatusInternalServerError, "the dropbox could not start the upload; try again later", err)
		return
	}
	up, err := s.uploads.add(sourceID, req.Resume, z)
	if err != nil {
		z.abort()
		s.files.give(1)
		s.uploadRefused(w, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, api.Upload{ID: up.id})
}

// uploadRefused says why no upload was opened: this source's share is
// used (429), or the dropbox's (503).
func (s *Server) uploadRefused(w http.ResponseWriter, err error) {
	if errors.Is(err, errTooManyMine) {
		s.apiFail(w, http.StatusTooManyRequests, fmt.Sprintf("you have %d uploads open, the most one source may: submit them, or wait %s for unused ones to expire", s.cfg.UploadsPerSource, s.cfg.UploadIdle), nil)
		return
	}
	web.RetryLater(w)
	s.apiFail(w, http.StatusServiceUnavailable, "the dropbox is busy: too many uploads are open; try again in a few minutes", nil)
}
