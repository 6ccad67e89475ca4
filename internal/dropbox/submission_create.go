package dropbox

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"

	"confide/internal/store"
	"confide/internal/web"

	"filippo.io/age"
)

// errTooLarge is returned by limitedBody past the upload limit.
var errTooLarge = errors.New("dropbox: upload over the limit")

// limitedBody fails reads past the limit instead of truncating silently.
type limitedBody struct {
	r    io.ReadCloser
	left int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left+1] // one byte over tells a body of exactly the limit from a longer one
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errTooLarge
	}
	return n, err
}

func (l *limitedBody) Close() error { return l.r.Close() }

// refuseAllowance is how much more than the upload limit a refused form may
// send: it is read and discarded so the browser shows our page, not a reset.
const refuseAllowance = 64 << 20

// submissionCreate streams a multipart form straight through age into
// pending blobs, part by part. It never calls ParseMultipartForm, which
// would spool plaintext files to the temp folder. On success it answers with
// what it saw arrive (a receipt, stored nowhere); a submission it cannot take
// (empty, too large, too many files, busy, or an ended session) is answered
// on the form, with the message as typed and the files named.
func (s *Server) submissionCreate(w http.ResponseWriter, r *http.Request) {
	raw := r.Body
	sess, id, err := s.current(r)
	ended := err != nil || id == nil
	if ended {
		s.clearSession(w)
	}
	var rcpts []age.Recipient
	if !ended {
		if rcpts, err = s.recipients(r.Context()); err != nil {
			s.fail(w, r, web.Fail(http.StatusServiceUnavailable, "dropbox.closed", nil), "/inbox")
			return
		}
	}
	// refusal, once set, turns the rest of the form into salvage: the
	// message is still read (to give it back) and file names noted, but
	// nothing more is encrypted or kept.
	var refusal *web.Error
	refuse := func(status int, msg string) {
		if refusal == nil {
			refusal = web.Fail(status, msg, nil)
		}
	}
	body := &limitedBody{r: raw, left: s.cfg.MaxUpload}
	if ended {
		refuse(http.StatusUnauthorized, "dropbox.session.expired")
		body.left += refuseAllowance
	} else if r.ContentLength > s.cfg.MaxUpload {
		refuse(http.StatusRequestEntityTooLarge, "dropbox.submit.toolarge")
		body.left += refuseAllowance
	}
	r.Body = body
	mr, err := r.MultipartReader()
	if err != nil {
		s.fail(w, r, web.Fail(http.StatusBadRequest, "dropbox.submit.malformed", nil), "/inbox")
		return
	}
	var parts []*sealer
	// Each part is a file held open until the body ends: their number is
	// capped per submission and, with the API's, across the dropbox.
	defer func() { s.files.give(len(parts)) }()
	failed := func(err error) {
		abortFrom(parts, 0)
		s.fail(w, r, err, "/inbox")
	}
	var msg textCounter
	defer msg.forget()
	var got receipt
	var names []string
	csrfOK := false
	malformed := web.Fail(http.StatusBadRequest, "dropbox.submit.malformed", nil)
parts:
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errTooLarge) && refusal != nil {
			break // past the allowance too: refuse with what was salvaged
		}
		if errors.Is(err, errTooLarge) {
			refuse(http.StatusRequestEntityTooLarge, "dropbox.submit.toolarge")
			break
		}
		if err != nil {
			failed(malformed)
			return
		}
		name := part.FormName()
		if (name == "message" || name == "files") && !csrfOK {
			failed(web.Fail(http.StatusForbidden, "error.csrf", nil))
			return
		}
		if name == "files" && part.FileName() != "" {
			names = append(names, part.FileName())
		}
		switch {
		case name == web.Field:
			// Our form puts the token first, so nothing is encrypted for a
			// forged request.
			tok, _ := io.ReadAll(io.LimitReader(part, 128))
			if csrfOK = s.csrf.Valid(r, string(tok)); !csrfOK {
				failed(web.Fail(http.StatusForbidden, "error.csrf", nil))
				return
			}
		case refusal != nil:
			var dst io.Writer = io.Discard
			if name == "message" {
				dst = &msg
			}
			if _, err := io.Copy(dst, part); err != nil {
				if errors.Is(err, errTooLarge) {
					msg.over = msg.over || name == "message"
					break parts
				}
				failed(malformed)
				return
			}
		case name == "message" || name == "files":
			if len(parts) >= s.cfg.MaxParts {
				refuse(http.StatusRequestEntityTooLarge, "dropbox.submit.toomany")
			} else if !s.takeFile() {
				refuse(http.StatusServiceUnavailable, "dropbox.busy")
			}
			if refusal != nil {
				abortFrom(parts, 0)
				var dst io.Writer = io.Discard
				if name == "message" {
					dst = &msg
				}
				if _, err := io.Copy(dst, part); err != nil {
					msg.over = msg.over || name == "message"
					break parts
				}
				continue
			}
			z, err := s.sealPart(part, rcpts, &msg)
			if z == nil {
				s.files.give(1)
			}
			if errors.Is(err, errTooLarge) {
				// What streamed is refused; read on (within the allowance)
				// only to name the files that followed.
				abortFrom(parts, 0)
				refuse(http.StatusRequestEntityTooLarge, "dropbox.submit.toolarge")
				msg.over = msg.over || name == "message"
				body.left += refuseAllowance
				continue
			}
			if err != nil {
				if errors.Is(err, errMalformedPart) {
					failed(malformed)
				} else {
					failed(web.Fail(http.StatusInternalServerError, "error.internal", err))
				}
				return
			}
			if z == nil {
				continue
			}
			parts = append(parts, z)
			if z.manifest.Kind == store.KindMessage {
				got.Message, got.Words, got.Chars = true, msg.words, msg.chars
			} else {
				got.Files = append(got.Files, receiptFile{Name: z.manifest.Name, Size: z.manifest.Size, Empty: z.manifest.Size == 0})
			}
		default:
			io.Copy(io.Discard, part)
		}
	}
	if !csrfOK {
		failed(web.Fail(http.StatusForbidden, "error.csrf", nil))
		return
	}
	if refusal == nil && len(parts) == 0 {
		refuse(http.StatusBadRequest, "dropbox.submit.empty")
	}
	if refusal != nil {
		abortFrom(parts, 0)
		s.drain(w, raw)
		if refusal.Status == http.StatusServiceUnavailable {
			web.RetryLater(w)
		}
		kept := &keptForm{Problem: refusal.Public, Files: names}
		kept.Message, kept.Truncated = msg.text()
		if ended {
			s.render.Render(w, refusal.Status, "login", s.page(w, r, "dropbox.login.title", loginData{Failed: refusal.Public, Kept: kept}))
			return
		}
		s.renderInbox(w, r, refusal.Status, sess, id, inboxData{Kept: kept})
		return
	}
	msg.forget()
	if err := s.commitSubmission(r.Context(), sess.sourceID, parts); err != nil {
		s.fail(w, r, web.Fail(http.StatusInternalServerError, "error.internal", err), "/inbox")
		return
	}
	// The receipt is this response: a redirect would have to carry the
	// names in a URL, which the browser keeps in its history.
	s.renderInbox(w, r, http.StatusOK, sess, id, inboxData{Sent: &got})
}

var errMalformedPart = errors.New("dropbox: malformed part")

// sealPart encrypts one form part. It returns nil for an empty message box
// or an empty file input, which browsers send when nothing was chosen.
// A message is counted as it streams (msg); one of white space only is
// nothing to send.
func (s *Server) sealPart(part *multipart.Part, rcpts []age.Recipient, msg *textCounter) (*sealer, error) {
	kind, name, ctype := store.KindMessage, "", "text/plain; charset=utf-8"
	if part.FormName() == "files" {
		kind, name, ctype = store.KindFile, part.FileName(), part.Header.Get("Content-Type")
		if name == "" {
			io.Copy(io.Discard, part)
			return nil, nil
		}
	}
	z, err := s.newSealer(rcpts, kind, name, ctype)
	if err != nil {
		return nil, err
	}
	var src io.Reader = part
	if kind == store.KindMessage {
		src = io.TeeReader(part, msg)
	}
	if _, err := io.Copy(z, src); err != nil {
		z.abort()
		if errors.Is(err, errTooLarge) {
			return nil, err
		}
		return nil, errMalformedPart
	}
	if kind == store.KindMessage && msg.words == 0 {
		z.abort()
		return nil, nil
	}
	return z, nil
}

// drain reads and discards what the browser is still sending (bounded), so
// that it shows our page rather than a reset. Nothing of the body is kept.
func (s *Server) drain(w http.ResponseWriter, raw io.Reader) {
	if n, _ := io.Copy(io.Discard, io.LimitReader(raw, s.cfg.MaxUpload+refuseAllowance)); n > 0 {
		w.Header().Set("Connection", "close")
	}
}
