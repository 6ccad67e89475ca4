package newsroom

import (
	"confide/internal/api"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// signedVectors are testdata/signed-messages.json, made outside Go (printf,
// sha256sum and openssl pkeyutl), so they pin the wire format rather than
// echo this package's own code.
type signedVectors struct {
	Seed      string `json:"seed"`
	PublicKey string `json:"public_key"`
	Vectors   []struct {
		Nonce, Method, URI string
		RequestBody        string `json:"request_body"`
		Status             int
		ResponseBody       string `json:"response_body"`
		Message, Signature string
	}
}

func loadSignedVectors(t *testing.T) (ed25519.PrivateKey, signedVectors) {
	t.Helper()
	b, err := os.ReadFile("testdata/signed-messages.json")
	if err != nil {
		t.Fatal(err)
	}
	var v signedVectors
	if err := json.Unmarshal(b, &v); err != nil || len(v.Vectors) == 0 {
		t.Fatalf("vectors: %v", err)
	}
	seed, _ := hex.DecodeString(v.Seed)
	key := ed25519.NewKeyFromSeed(seed)
	if base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)) != v.PublicKey {
		t.Fatal("the vectors' public key does not match their seed")
	}
	return key, v
}

func TestSignedMessageVectors(t *testing.T) {
	key, v := loadSignedVectors(t)
	for _, x := range v.Vectors {
		req, resp := sha256.Sum256([]byte(x.RequestBody)), sha256.Sum256([]byte(x.ResponseBody))
		msg := api.SignedMessage(x.Nonce, x.Method, x.URI, req[:], x.Status, resp[:])
		if string(msg) != x.Message {
			t.Errorf("api.SignedMessage = %q, want %q", msg, x.Message)
		}
		if got := base64.StdEncoding.EncodeToString(ed25519.Sign(key, msg)); got != x.Signature {
			t.Errorf("%s %s: signature %s, want %s", x.Method, x.URI, got, x.Signature)
		}
	}
}

// The signing wrapper itself, fed each vector's request and answer, sends
// the vector's signature in a header (not a trailer, which proxies drop).
func TestSignedWrapperVectors(t *testing.T) {
	key, v := loadSignedVectors(t)
	s := &Server{signKey: key}
	for _, x := range v.Vectors {
		var seen []byte
		h := s.signed(maxSmallRequest, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = make([]byte, 64<<10)
			n, _ := r.Body.Read(seen)
			seen = seen[:n]
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(x.Status)
			w.Write([]byte(x.ResponseBody))
		}))
		req := httptest.NewRequest(x.Method, x.URI, strings.NewReader(x.RequestBody))
		req.Header.Set(api.NonceHeader, x.Nonce)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != x.Status || rec.Body.String() != x.ResponseBody || string(seen) != x.RequestBody {
			t.Fatalf("%s %s: %d %q, handler read %q", x.Method, x.URI, rec.Code, rec.Body, seen)
		}
		if got := rec.Header().Get(api.SignatureHeader); got != x.Signature {
			t.Errorf("%s %s: header signature %q, want %q", x.Method, x.URI, got, x.Signature)
		}
		if rec.Header().Get("Trailer") != "" {
			t.Error("the signature is announced as a trailer")
		}
	}
}

// Nonces that could blur the signed message's lines are refused.
func TestSignedRefusesBadNonces(t *testing.T) {
	key, _ := loadSignedVectors(t)
	s := &Server{signKey: key}
	h := s.signed(maxSmallRequest, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("a bad nonce reached the handler") }))
	for _, n := range []string{"", "short", strings.Repeat("a", 129), "abcdefghijklmnop\nGET /x", "abcdefghijklmnop qrs", "abcdefghijklmnop+/="} {
		req := httptest.NewRequest("GET", "/api/v1/sync", nil)
		req.Header.Set(api.NonceHeader, n)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest || rec.Header().Get(api.SignatureHeader) != "" {
			t.Errorf("nonce %q: %d", n, rec.Code)
		}
	}
	if !api.ValidNonce(strings.Repeat("A-_9", 4)) {
		t.Error("a valid nonce was refused")
	}
}

// A body over the route's bound never reaches the handler, and is not
// held whole: the answer is a 413 with a human error.
func TestSignedBoundsTheBody(t *testing.T) {
	key, _ := loadSignedVectors(t)
	s := &Server{signKey: key}
	h := s.signed(maxSmallRequest, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("an oversized body reached the handler") }))
	req := httptest.NewRequest("POST", "/api/v1/token", strings.NewReader(strings.Repeat("x", maxSmallRequest+1)))
	req.Header.Set(api.NonceHeader, "abcdefghijklmnopqrstuvwx")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "too large") || rec.Header().Get(api.SignatureHeader) == "" {
		t.Fatalf("%d %q", rec.Code, rec.Body)
	}
}
