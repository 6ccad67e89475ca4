package newsroom

import (
	"bytes"
	"confide/internal/api"
	"confide/internal/web"
	"net/http"

	"confide/internal/store"
)

func (s *Server) apiReplyCreate(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	src, ok := s.apiSource(w, r)
	if !ok {
		return
	}
	var req api.ReplyUpload
	if !web.ReadJSON(w, r, 4*maxReply, &req) {
		return
	}
	// The server cannot check who can open it, but it can refuse anything
	// that is not an age file, so plaintext is never stored by mistake.
	for _, b := range [][]byte{req.Ciphertext, req.Manifest} {
		if !bytes.HasPrefix(b, []byte("age-encryption.org/v1\n")) || len(b) > 2*maxReply {
			s.apiFail(w, http.StatusBadRequest, "ciphertext and manifest must be age files", nil)
			return
		}
	}
	if err := s.storeReply(r.Context(), j, src, req.Ciphertext, req.Manifest); err != nil {
		s.apiFail(w, http.StatusInternalServerError, "the newsroom could not store the reply", err)
		return
	}
	s.audit(r.Context(), j, "reply", "api")
	web.WriteJSON(w, http.StatusCreated, map[string]bool{"stored": true})
}
