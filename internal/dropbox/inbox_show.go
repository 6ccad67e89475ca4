package dropbox

import (
	"net/http"
	"time"

	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/web"

	"filippo.io/age"
)

type replyView struct {
	ID   string
	Day  time.Time
	Text string
}

type inboxData struct {
	Replies    []replyView
	Unreadable bool
	Sent       *receipt  // what a submission just delivered
	Kept       *keptForm // a refused submission, given back to the form
	Accepting  bool
	MaxUpload  int64
}

// maxReply bounds how much of one reply is decrypted into a page.
const maxReply = 1 << 20

// inboxShow decrypts the source's replies with the identity unsealed from
// the session, for this response only.
func (s *Server) inboxShow(w http.ResponseWriter, r *http.Request) {
	sess, id, err := s.current(r)
	if err != nil || id == nil {
		s.clearSession(w)
		s.fail(w, r, web.Fail(http.StatusUnauthorized, "dropbox.session.expired", nil), "/login")
		return
	}
	s.renderInbox(w, r, http.StatusOK, sess, id, inboxData{})
}

// renderInbox shows the conversation with data's notices; submissionCreate
// answers with it too, so a receipt or a refused form needs no redirect.
func (s *Server) renderInbox(w http.ResponseWriter, r *http.Request, status int, sess *session, id *age.X25519Identity, data inboxData) {
	items, err := s.cfg.Store.Items(r.Context(), sess.sourceID, store.KindReply)
	if err != nil {
		s.fail(w, r, web.Fail(http.StatusInternalServerError, "error.internal", err), "/")
		return
	}
	data.Accepting, data.MaxUpload = s.accepting(r.Context()), s.cfg.MaxUpload
	for _, it := range items {
		text, err := s.openReply(it, id)
		if err != nil {
			data.Unreadable = true
			continue
		}
		data.Replies = append(data.Replies, replyView{ID: it.ID, Day: it.Created.Time(), Text: text})
	}
	s.render.Render(w, status, "inbox", s.page(w, r, "dropbox.inbox.title", data))
}

func (s *Server) openReply(it store.Item, id seal.Identity) (string, error) {
	f, err := s.cfg.Blobs.Open(it.Blob)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return seal.OpenReply(f, maxReply, id)
}
