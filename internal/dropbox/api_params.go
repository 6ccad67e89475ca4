package dropbox

import (
	"net/http"

	"confide/internal/web"
)

// paramsResponse tells the client how to derive keys from a codename itself,
// so the codename never leaves the source's machine.
type paramsResponse struct {
	Salt      []byte `json:"salt"`
	Time      uint32 `json:"argon2_time"`
	MemoryKiB uint32 `json:"argon2_memory_kib"`
	Threads   uint8  `json:"argon2_threads"`
	MaxUpload int64  `json:"max_upload"`
	MaxItems  int    `json:"max_items"`
	Accepting bool   `json:"accepting"`
}

func (s *Server) apiParams(w http.ResponseWriter, r *http.Request) {
	p := s.cfg.Params
	web.WriteJSON(w, http.StatusOK, paramsResponse{Salt: s.salt, Time: p.Time, MemoryKiB: p.MemoryKiB, Threads: p.Threads,
		MaxUpload: s.cfg.MaxUpload, MaxItems: s.cfg.UploadsPerSource, Accepting: s.accepting(r.Context())})
}
