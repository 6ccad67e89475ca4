package dropbox

import (
	"errors"
	"net/http"

	"confide/internal/web"
)

func (s *Server) apiReplyDelete(w http.ResponseWriter, r *http.Request, sourceID string) {
	err := s.deleteReply(r, sourceID, r.PathValue("id"))
	var e *web.Error
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.As(err, &e) && e.Status == http.StatusNotFound:
		s.apiFail(w, http.StatusNotFound, "no such reply", nil)
	default:
		s.apiFail(w, http.StatusInternalServerError, "the dropbox could not delete the reply; try again later", err)
	}
}
