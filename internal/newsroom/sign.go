package newsroom

import (
	"bytes"
	"confide/internal/api"
	"confide/internal/web"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"

	"confide/internal/store"
)

// Bounds of what the signing wrapper holds in memory: request bodies (a
// reply's, the largest; every other endpoint's) and every JSON answer (a
// sync page).
const (
	maxReplyRequest = 4*maxReply + 64<<10
	maxSmallRequest = 16 << 10
	maxSignedAnswer = 64 << 20
)

var errAnswerTooLarge = errors.New("newsroom: the API answer is too large to sign")

// signingWriter holds a JSON answer until the handler returns, so its hash
// is known before the header goes out; a download instead declares its
// hash up front (streamSigned) and streams through.
type signingWriter struct {
	w         http.ResponseWriter
	buf       bytes.Buffer
	status    int
	streaming bool
	tooLarge  bool
	sign      func(status int, responseSHA256 []byte) string
}

func (sw *signingWriter) Header() http.Header { return sw.w.Header() }

func (sw *signingWriter) WriteHeader(status int) {
	if sw.status == 0 {
		sw.status = status
	}
}

func (sw *signingWriter) Write(b []byte) (int, error) {
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	if sw.streaming {
		return sw.w.Write(b)
	}
	if sw.buf.Len()+len(b) > maxSignedAnswer {
		sw.tooLarge = true
		return 0, errAnswerTooLarge
	}
	return sw.buf.Write(b)
}

// streamSigned sends the status and a signature over a body hash known in
// advance; what is written after goes straight to the client, which checks
// the hash as it reads.
func streamSigned(w http.ResponseWriter, status int, responseSHA256 []byte) {
	sw, ok := w.(*signingWriter)
	if !ok {
		w.WriteHeader(status)
		return
	}
	sw.status, sw.streaming = status, true
	sw.w.Header().Set(api.SignatureHeader, sw.sign(status, responseSHA256))
	sw.w.WriteHeader(status)
}

// signed signs every response of h, over the nonce, the request and its
// body. The body is read here, whole and at most maxBody bytes, so the hash
// covers what the handler saw.
func (s *Server) signed(maxBody int64, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := r.Header.Get(api.NonceHeader)
		if !api.ValidNonce(nonce) {
			web.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "send a random " + api.NonceHeader + " header of 16 to 128 base64url characters"})
			return
		}
		sw := &signingWriter{w: w}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		reqSum := sha256.Sum256(body)
		sw.sign = func(status int, sum []byte) string {
			msg := api.SignedMessage(nonce, r.Method, r.URL.RequestURI(), reqSum[:], status, sum)
			return base64.StdEncoding.EncodeToString(ed25519.Sign(s.signKey, msg))
		}
		if err != nil {
			// The client's hash of what it sent will not match: it learns
			// that the body did not arrive whole, which is the truth.
			s.apiFail(sw, http.StatusRequestEntityTooLarge, "the request body is too large or was cut short", nil)
		} else {
			r.Body = io.NopCloser(bytes.NewReader(body))
			h.ServeHTTP(sw, r)
		}
		if sw.streaming {
			return
		}
		if sw.tooLarge {
			sw.buf.Reset()
			sw.status = 0
			s.apiFail(sw, http.StatusInternalServerError, "the newsroom's answer is too large", errAnswerTooLarge)
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		sum := sha256.Sum256(sw.buf.Bytes())
		w.Header().Set(api.SignatureHeader, sw.sign(sw.status, sum[:]))
		w.Header().Set("Content-Length", strconv.Itoa(sw.buf.Len()))
		w.WriteHeader(sw.status)
		w.Write(sw.buf.Bytes())
	})
}

// itemSHA256 is the hash of an item's ciphertext exactly as a download
// sends it, computed once from the blob and then kept on the item's row.
func (s *Server) itemSHA256(ctx context.Context, it store.Item) ([]byte, error) {
	if len(it.SHA256) == sha256.Size {
		return it.SHA256, nil
	}
	h := sha256.New()
	if err := s.copyBlob(h, it); err != nil {
		return nil, err
	}
	sum := h.Sum(nil)
	if err := s.cfg.Store.SetItemSHA256(ctx, it.ID, sum); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return sum, nil
}

// apiKey publishes the signing key, signed by itself over the client's
// nonce: a workstation checks it against its pin before it sends any
// credential, and on first use learns that the server holds the key.
func (s *Server) apiKey(w http.ResponseWriter, r *http.Request) {
	web.WriteJSON(w, http.StatusOK, api.KeyResponse{PublicKey: base64.StdEncoding.EncodeToString(s.PublicKey())})
}
