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

// submissionCreate streams a multipart form straight through age into
// pending blobs, part by part. It never calls ParseMultipartForm, which
// would spool plaintext files to the temp folder.
func (s *Server) submissionCreate(w http.ResponseWriter, r *http.Request) {
	raw := r.Body
	sess, _, err := s.current(r)
	if err != nil {
		s.clearSession(w)
		s.fail(w, r, web.Fail(http.StatusUnauthorized, "dropbox.session.expired", nil), "/login")
		return
	}
	rcpts, err := s.recipients(r.Context())
	if err != nil {
		s.fail(w, r, web.Fail(http.StatusServiceUnavailable, "dropbox.closed", nil), "/inbox")
		return
	}
	if r.ContentLength > s.cfg.MaxUpload {
		s.refuse(w, r, raw, http.StatusRequestEntityTooLarge, "dropbox.submit.toolarge")
		return
	}
	r.Body = &limitedBody{r: raw, left: s.cfg.MaxUpload}
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
		if errors.Is(err, errTooLarge) {
			s.refuse(w, r, raw, http.StatusRequestEntityTooLarge, "dropbox.submit.toolarge")
			return
		}
		s.fail(w, r, err, "/inbox")
	}
	refused := func(status int, msg string) {
		abortFrom(parts, 0)
		s.refuse(w, r, raw, status, msg)
	}
	malformed := web.Fail(http.StatusBadRequest, "dropbox.submit.malformed", nil)
	csrfOK := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, errTooLarge) {
				failed(err)
			} else {
				failed(malformed)
			}
			return
		}
		switch name := part.FormName(); name {
		case web.Field:
			// Our form puts the token first, so nothing is encrypted for a
			// forged request.
			tok, _ := io.ReadAll(io.LimitReader(part, 128))
			if csrfOK = s.csrf.Valid(r, string(tok)); !csrfOK {
				failed(web.Fail(http.StatusForbidden, "error.csrf", nil))
				return
			}
		case "message", "files":
			if !csrfOK {
				failed(web.Fail(http.StatusForbidden, "error.csrf", nil))
				return
			}
			if len(parts) >= s.cfg.MaxParts {
				refused(http.StatusRequestEntityTooLarge, "dropbox.submit.toomany")
				return
			}
			if !s.takeFile() {
				refused(http.StatusServiceUnavailable, "dropbox.busy")
				return
			}
			z, err := s.sealPart(part, rcpts)
			if z == nil {
				s.files.give(1)
			}
			if err != nil {
				if errors.Is(err, errTooLarge) {
					failed(err)
				} else if errors.Is(err, errMalformedPart) {
					failed(malformed)
				} else {
					failed(web.Fail(http.StatusInternalServerError, "error.internal", err))
				}
				return
			}
			if z != nil {
				parts = append(parts, z)
			}
		default:
			io.Copy(io.Discard, part)
		}
	}
	if !csrfOK {
		failed(web.Fail(http.StatusForbidden, "error.csrf", nil))
		return
	}
	if len(parts) == 0 {
		failed(web.Fail(http.StatusBadRequest, "dropbox.submit.empty", nil))
		return
	}
	if err := s.commitSubmission(r.Context(), sess.sourceID, parts); err != nil {
		s.fail(w, r, web.Fail(http.StatusInternalServerError, "error.internal", err), "/inbox")
		return
	}
	http.Redirect(w, r, "/inbox?sent=1", http.StatusSeeOther)
}

var errMalformedPart = errors.New("dropbox: malformed part")

// sealPart encrypts one form part. It returns nil for an empty message box
// or an empty file input, which browsers send when nothing was chosen.
func (s *Server) sealPart(part *multipart.Part, rcpts []age.Recipient) (*sealer, error) {
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
	if _, err := io.Copy(z, part); err != nil {
		z.abort()
		if errors.Is(err, errTooLarge) {
			return nil, err
		}
		return nil, errMalformedPart
	}
	if kind == store.KindMessage && z.manifest.Size == 0 {
		z.abort()
		return nil, nil
	}
	return z, nil
}

// refuse answers with a page rather than a reset: it reads and discards
// what the browser is still sending (bounded), so the browser shows the
// page. Nothing of the body is kept.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, raw io.Reader, status int, msg string) {
	io.Copy(io.Discard, io.LimitReader(raw, s.cfg.MaxUpload+(64<<20)))
	w.Header().Set("Connection", "close")
	s.fail(w, r, web.Fail(status, msg, nil), "/inbox")
}
