package dropbox

import (
	"confide/internal/api"
	"fmt"
	"net/http"

	"confide/internal/web"
)

// apiSubmissionCreate turns finished uploads into one submission, all at
// once: journalists see every item of it or none.
func (s *Server) apiSubmissionCreate(w http.ResponseWriter, r *http.Request, sourceID string) {
	var req api.SubmissionRequest
	if !web.ReadJSON(w, r, 64<<10, &req) {
		return
	}
	if len(req.Uploads) == 0 || len(req.Uploads) > s.cfg.UploadsPerSource {
		s.apiFail(w, http.StatusBadRequest, fmt.Sprintf("a submission names between 1 and %d uploads", s.cfg.UploadsPerSource), nil)
		return
	}
	ups, ok := s.uploads.take(sourceID, req.Uploads)
	if !ok {
		s.apiFail(w, http.StatusNotFound, "an upload named is unknown, repeated or expired; nothing was submitted", nil)
		return
	}
	defer s.files.give(len(ups)) // committed or aborted, none stays open
	parts := make([]*sealer, len(ups))
	for i, up := range ups {
		up.mu.Lock() // wait for any append still running
		parts[i] = up.z
		up.gone = true
		up.mu.Unlock()
	}
	if err := s.commitSubmission(r.Context(), sourceID, parts); err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the dropbox could not store the submission; send it again", err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, api.SubmissionResponse{Items: len(parts)})
}
