package dropbox

import (
	"confide/internal/api"
	"net/http"

	"confide/internal/web"
)

func (s *Server) apiParams(w http.ResponseWriter, r *http.Request) {
	p := s.cfg.Params
	web.WriteJSON(w, http.StatusOK, api.Params{Salt: s.salt, Time: p.Time, MemoryKiB: p.MemoryKiB, Threads: p.Threads,
		MaxUpload: s.cfg.MaxUpload, MaxItems: s.cfg.UploadsPerSource, Accepting: s.accepting(r.Context())})
}
