package dropbox

import (
	"confide/internal/web"
	"net/http"
	"unicode/utf8"

	"confide/internal/store"
)

type uploadRequest struct {
	Kind        string `json:"kind"` // "file" or "message"
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
}

type uploadResponse struct {
	ID     string `json:"id"`
	Offset int64  `json:"offset"`
}

// apiUploadCreate opens an upload. The name is only ever sealed into the
// manifest: it never becomes a path on this server.
func (s *Server) apiUploadCreate(w http.ResponseWriter, r *http.Request, sourceID string) {
	var req uploadRequest
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
	rcpts, err := s.recipients(r.Context())
	if err != nil {
		s.apiFail(w, http.StatusServiceUnavailable, "this dropbox is not accepting submissions yet", nil)
		return
	}
	z, err := s.newSealer(rcpts, req.Kind, req.Name, req.ContentType)
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the dropbox could not start the upload; try again later", err)
		return
	}
	up, ok := s.uploads.add(sourceID, z)
	if !ok {
		z.abort()
		s.apiFail(w, http.StatusTooManyRequests, "too many uploads are open: finish or wait for some first", nil)
		return
	}
	web.WriteJSON(w, http.StatusCreated, uploadResponse{ID: up.id})
}
