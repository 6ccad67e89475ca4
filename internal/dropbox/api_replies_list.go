package dropbox

import (
	"confide/internal/api"
	"confide/internal/web"
	"net/http"

	"confide/internal/store"
)

// apiRepliesList lists replies; the client downloads and decrypts each with
// the identity it derived itself.
func (s *Server) apiRepliesList(w http.ResponseWriter, r *http.Request, sourceID string) {
	items, err := s.cfg.Store.Items(r.Context(), sourceID, store.KindReply)
	if err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the dropbox could not list replies; try again later", err)
		return
	}
	out := make([]api.ReplyInfo, 0, len(items))
	for _, it := range items {
		out = append(out, api.ReplyInfo{ID: it.ID, Day: it.Created.Time().Format("2006-01-02"), Size: it.Size})
	}
	web.WriteJSON(w, http.StatusOK, out)
}
