package dropbox

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"
)

// session is a logged-in source. It lives in memory only: nothing about
// when a source was here reaches the disk.
type session struct {
	sourceID string
	sealedID []byte // the source's age identity, sealed under the cookie's key; nil for API tokens
	expires  time.Time
}

type sessions struct {
	mu   sync.Mutex
	m    map[[32]byte]*session
	idle time.Duration
	now  func() time.Time
}

func newSessions(idle time.Duration) *sessions {
	return &sessions{m: map[[32]byte]*session{}, idle: idle, now: time.Now}
}

// create starts a session and returns the bearer value: token‖key, base64.
// The key seals the identity and is never kept on the server.
func (s *sessions) create(sourceID string, id *age.X25519Identity) (string, error) {
	var tok, key [32]byte
	rand.Read(tok[:])
	rand.Read(key[:])
	sess := &session{sourceID: sourceID}
	if id != nil {
		aead, err := chacha20poly1305.NewX(key[:])
		if err != nil {
			return "", err
		}
		nonce := make([]byte, aead.NonceSize())
		rand.Read(nonce)
		sess.sealedID = aead.Seal(nonce, nonce, []byte(id.String()), tok[:])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	sess.expires = s.now().Add(s.idle)
	s.m[sha256.Sum256(tok[:])] = sess
	return base64.RawURLEncoding.EncodeToString(append(tok[:], key[:]...)), nil
}

var errNoSession = errors.New("dropbox: no session")

// lookup finds a live session, extends it, and unseals the identity if the
// session has one.
func (s *sessions) lookup(bearer string) (*session, *age.X25519Identity, error) {
	raw, err := base64.RawURLEncoding.DecodeString(bearer)
	if err != nil || len(raw) != 64 {
		return nil, nil, errNoSession
	}
	tok, key := raw[:32], raw[32:]
	h := sha256.Sum256(tok)
	s.mu.Lock()
	sess, ok := s.m[h]
	if ok && s.now().After(sess.expires) {
		delete(s.m, h)
		ok = false
	}
	if ok {
		sess.expires = s.now().Add(s.idle)
	}
	s.mu.Unlock()
	if !ok {
		return nil, nil, errNoSession
	}
	if sess.sealedID == nil {
		return sess, nil, nil
	}
	aead, _ := chacha20poly1305.NewX(key)
	ns := aead.NonceSize()
	plain, err := aead.Open(nil, sess.sealedID[:ns], sess.sealedID[ns:], tok)
	if err != nil {
		return nil, nil, errNoSession
	}
	id, err := age.ParseX25519Identity(string(plain))
	if err != nil {
		return nil, nil, errNoSession
	}
	return sess, id, nil
}

// destroy ends a session.
func (s *sessions) destroy(bearer string) {
	raw, err := base64.RawURLEncoding.DecodeString(bearer)
	if err != nil || len(raw) != 64 {
		return
	}
	h := sha256.Sum256(raw[:32])
	s.mu.Lock()
	delete(s.m, h)
	s.mu.Unlock()
}

func (s *sessions) sweepLocked() {
	now := s.now()
	for k, v := range s.m {
		if now.After(v.expires) {
			delete(s.m, k)
		}
	}
}
