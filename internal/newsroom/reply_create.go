package newsroom

import (
	"errors"
	"net/http"
	"strings"

	"confide/internal/store"
	"confide/internal/web"
)

// replyCreate encrypts a reply typed in the browser to the source and every
// journalist, and stores only the ciphertext.
func (s *Server) replyCreate(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	src, ok := s.loadSource(w, r)
	if !ok {
		return
	}
	back := "/sources/" + src.ID
	text := strings.TrimSpace(r.PostForm.Get("reply"))
	if text == "" {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "newsroom.reply.empty", nil), back)
		return
	}
	if err := s.sealReply(r.Context(), j, src, text); errors.Is(err, errTooLong) {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "newsroom.reply.long", nil), back)
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), j, "reply", "web")
	http.Redirect(w, r, back+"?sent=1#end", http.StatusSeeOther)
}
