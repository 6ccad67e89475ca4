package newsroom

import (
	"confide/internal/web"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash"
	"net/http"
)

// Signature headers of the journalist API.
const (
	// NonceHeader carries the client's random nonce, which the signature
	// covers, so a recorded response cannot answer another request.
	NonceHeader = "Confide-Nonce"
	// SignatureHeader is the trailer with the Ed25519 signature.
	SignatureHeader = "Confide-Signature"
)

// SignedMessage is what the server signs: the domain, the nonce, the
// request line, the status and the SHA-512 of the body.
func SignedMessage(nonce, method, uri string, status int, bodySHA512 []byte) []byte {
	return fmt.Appendf(nil, "confide-journalist-api-v1\n%s\n%s %s\n%d\n%x", nonce, method, uri, status, bodySHA512)
}

// signingWriter hashes the body as it streams, so large downloads are
// signed without being buffered; the signature follows as a trailer.
type signingWriter struct {
	http.ResponseWriter
	h      hash.Hash
	status int
}

func (sw *signingWriter) WriteHeader(status int) {
	if sw.status == 0 {
		sw.status = status
	}
	sw.ResponseWriter.WriteHeader(status)
}

func (sw *signingWriter) Write(b []byte) (int, error) {
	if sw.status == 0 {
		sw.WriteHeader(http.StatusOK)
	}
	sw.h.Write(b)
	return sw.ResponseWriter.Write(b)
}

// signed signs every response of h.
func (s *Server) signed(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := r.Header.Get(NonceHeader)
		if len(nonce) < 16 || len(nonce) > 128 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":"send a random %s header of 16 to 128 characters"}`+"\n", NonceHeader)
			return
		}
		w.Header().Set("Trailer", SignatureHeader)
		sw := &signingWriter{ResponseWriter: w, h: sha512.New()}
		h.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.WriteHeader(http.StatusOK)
		}
		msg := SignedMessage(nonce, r.Method, r.URL.RequestURI(), sw.status, sw.h.Sum(nil))
		w.Header().Set(SignatureHeader, base64.StdEncoding.EncodeToString(ed25519.Sign(s.signKey, msg)))
	})
}

// apiKey publishes the signing key, for a workstation's first login (trust
// on first use; compare it with `confide serve`'s output to be sure).
func (s *Server) apiKey(w http.ResponseWriter, r *http.Request) {
	web.WriteJSON(w, http.StatusOK, map[string]string{"public_key": base64.StdEncoding.EncodeToString(s.PublicKey())})
}
