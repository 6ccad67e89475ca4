package newsroom

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"confide/internal/seal"
	"confide/internal/store"
)

// Login failures, each with what the journalist is told.
var (
	errLoginFailed = errors.New("newsroom: the name, passphrase or code is wrong")
	errLocked      = errors.New("newsroom: too many failed attempts; wait and try again")
	errThrottled   = errors.New("newsroom: too many logins at once; wait a minute")
)

// lockout is how long an account is locked after n consecutive failures:
// nothing for the first four, then one minute doubling to an hour.
func lockout(n int) time.Duration {
	if n < 5 {
		return 0
	}
	d := time.Minute << min(n-5, 6)
	return min(d, time.Hour)
}

// authenticate checks a name and passphrase, and the TOTP code. On the web
// (web set) two other outcomes stop short of a session: a journalist who
// has not set up their second factor yet gets kindSetup (first login, which
// shows the QR code), and one who left the code empty but has a security key
// gets kindKey (the WebAuthn step). It returns the step still pending, or "".
func (s *Server) authenticate(ctx context.Context, name, pass, code string, web bool) (store.Journalist, string, error) {
	now := s.cfg.Now()
	if !s.throttle.Allow(now) {
		return store.Journalist{}, "", errThrottled
	}
	j, err := s.cfg.Store.JournalistByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		// Unknown names cost what known ones do.
		s.hash(func() { seal.VerifyPassphrase(pass, s.dummyHash()) })
		return store.Journalist{}, "", errLoginFailed
	}
	if err != nil {
		return store.Journalist{}, "", err
	}
	if j.LockedUntil > now.Unix() {
		return store.Journalist{}, "", errLocked
	}
	ok := false
	var verr error
	s.hash(func() { ok, verr = seal.VerifyPassphrase(pass, j.PassHash) })
	if verr != nil && j.PassHash != "" {
		return store.Journalist{}, "", verr
	}
	pending := ""
	switch {
	case web && !j.TOTPConfirmed:
		pending = kindSetup
	case web && ok && strings.TrimSpace(code) == "":
		keys, err := s.cfg.Store.SecurityKeys(ctx, j.ID)
		if err != nil {
			return store.Journalist{}, "", err
		}
		if len(keys) > 0 {
			pending = kindKey
		}
	}
	if ok && pending == "" {
		step, valid := seal.TOTPStep(j.TOTPSecret, code, now)
		ok = valid
		if valid {
			// Consumed atomically: a replayed code loses here.
			ok, err = s.cfg.Store.UseTOTPStep(ctx, j.ID, step)
			if err != nil {
				return store.Journalist{}, "", err
			}
		}
	}
	if !ok {
		lock := int64(0)
		if d := lockout(j.Failures + 1); d > 0 {
			lock = now.Add(d).Unix()
		}
		if err := s.cfg.Store.LoginFailed(ctx, j.ID, lock); err != nil {
			return store.Journalist{}, "", err
		}
		s.audit(ctx, j, "login failed", "")
		return store.Journalist{}, "", errLoginFailed
	}
	if err := s.cfg.Store.LoginSucceeded(ctx, j.ID); err != nil {
		return store.Journalist{}, "", err
	}
	return j, pending, nil
}

// newToken returns a random bearer token and the hash that is stored.
func newToken() (string, []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	return tok, tokenHash(tok)
}

func tokenHash(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}
