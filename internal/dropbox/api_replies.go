package dropbox

import (
	"errors"
	"io"
	"net/http"

	"confide/internal/store"
	"confide/internal/web"
)

type replyInfo struct {
	ID   string `json:"id"`
	Day  string `json:"day"`
	Size int64  `json:"size"`
}

// apiRepliesList lists replies; the client downloads and decrypts each with
// the identity it derived itself.
func (s *Server) apiRepliesList(w http.ResponseWriter, r *http.Request, sourceID string) {
	items, err := s.cfg.Store.Items(r.Context(), sourceID, store.KindReply)
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the dropbox could not list replies; try again later", err)
		return
	}
	out := make([]replyInfo, 0, len(items))
	for _, it := range items {
		out = append(out, replyInfo{ID: it.ID, Day: it.Created.Time().Format("2006-01-02"), Size: it.Size})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiReplyGet(w http.ResponseWriter, r *http.Request, sourceID string) {
	items, err := s.cfg.Store.Items(r.Context(), sourceID, store.KindReply)
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the dropbox could not read the reply; try again later", err)
		return
	}
	for _, it := range items {
		if it.ID != r.PathValue("id") {
			continue
		}
		f, err := s.cfg.Blobs.Open(it.Blob)
		if err != nil {
			s.apiFail(w, http.StatusInternalServerError, "the dropbox could not read the reply; try again later", err)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", "application/octet-stream")
		io.Copy(w, f)
		return
	}
	s.apiFail(w, http.StatusNotFound, "no such reply", nil)
}

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
