package newsroom

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
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

// authenticate checks a name and passphrase, and the TOTP code unless
// allowSetup is set and the journalist has not yet set up their second
// factor (first login, which then shows the QR code). It returns whether
// the TOTP setup is still pending.
func (s *Server) authenticate(ctx context.Context, name, pass, code string, allowSetup bool) (store.Journalist, bool, error) {
	now := s.cfg.Now()
	if !s.throttle.allow(now) {
		return store.Journalist{}, false, errThrottled
	}
	j, err := s.cfg.Store.JournalistByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		// Unknown names cost what known ones do.
		s.hash(func() { seal.VerifyPassphrase(pass, s.dummyHash()) })
		return store.Journalist{}, false, errLoginFailed
	}
	if err != nil {
		return store.Journalist{}, false, err
	}
	if j.LockedUntil > now.Unix() {
		return store.Journalist{}, false, errLocked
	}
	ok := false
	var verr error
	s.hash(func() { ok, verr = seal.VerifyPassphrase(pass, j.PassHash) })
	if verr != nil && j.PassHash != "" {
		return store.Journalist{}, false, verr
	}
	pending := !j.TOTPConfirmed && allowSetup
	if ok && !pending {
		step, valid := seal.TOTPStep(j.TOTPSecret, code, now)
		ok = valid
		if valid {
			// Consumed atomically: a replayed code loses here.
			ok, err = s.cfg.Store.UseTOTPStep(ctx, j.ID, step)
			if err != nil {
				return store.Journalist{}, false, err
			}
		}
	}
	if !ok {
		lock := int64(0)
		if d := lockout(j.Failures + 1); d > 0 {
			lock = now.Add(d).Unix()
		}
		if err := s.cfg.Store.LoginFailed(ctx, j.ID, lock); err != nil {
			return store.Journalist{}, false, err
		}
		s.audit(ctx, j, "login failed", "")
		return store.Journalist{}, false, errLoginFailed
	}
	if err := s.cfg.Store.LoginSucceeded(ctx, j.ID); err != nil {
		return store.Journalist{}, false, err
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
