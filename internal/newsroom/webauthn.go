package newsroom

import (
	"net/http"

	"confide/internal/auth"
)

// keyFail answers a failed security-key ceremony (auth.KeyFail).
func (s *Server) keyFail(w http.ResponseWriter, err error, status int, failed string) {
	auth.KeyFail(w, s.cfg.Log, err, status, failed)
}
